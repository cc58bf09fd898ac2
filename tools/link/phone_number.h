#pragma once

// The phone number of a click-to-chat link, as wa.me wants it: the international number in
// digits only, no '+', no leading zeros, no spaces or punctuation.

#include <string>
#include <string_view>

#include "engine/base/result.h"

namespace consentflow::link {

// E.164: a country code and a subscriber number, at most 15 digits; fewer than 8 is no real
// WhatsApp business number.
inline constexpr std::size_t kMinPhoneDigits = 8;
inline constexpr std::size_t kMaxPhoneDigits = 15;

// Normalises a number as people write it: "+39 333 123 4567", "0039 333-123.4567",
// "+44 (0)20 7946 0958", "(+1) 555 010 9999" -> "393331234567", "442079460958", "15550109999".
// Spaces, dashes, dots, slashes and parentheses are dropped; a leading "+" or "00" (the
// international prefix) is dropped; a "(0)" after the country code (the trunk prefix written
// for national callers) is dropped. Digits without a prefix are taken as already international
// ("393331234567"), except a number starting with a single 0, which is national and needs its
// country code. Errors (kInvalidArgument) say what is wrong and how to write the number.
Result<std::string> NormalizePhoneNumber(std::string_view written);

}  // namespace consentflow::link
