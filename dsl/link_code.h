#pragma once

// The language's rule for `entry link` codes (docs/flow-language.md): one word of 1 to 32 ASCII
// letters, digits, '-' or '_'. A code is matched as a whole word in a person's first message,
// travels in wa.me links and QR codes (all of these characters are unreserved in URLs, so
// percent-encoding never changes a code) and is printed beside them for people to type.
// The checker (bad-link-code, long-link-code) and the link tools apply the rule through here.

#include <cstddef>
#include <string_view>

namespace consentflow::dsl {

inline constexpr std::size_t kMaxLinkCode = 32;

// True for the characters a link code may hold: A-Z, a-z, 0-9, '-' and '_'.
bool IsLinkCodeChar(char c);

// True when `code` is a valid link code: 1 to kMaxLinkCode characters, each IsLinkCodeChar.
bool IsValidLinkCode(std::string_view code);

}  // namespace consentflow::dsl
