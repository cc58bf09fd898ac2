#pragma once

// Click-to-chat links: https://wa.me/PHONE?text=PREFILLED opens a chat with the business with
// PREFILLED typed into the message box. The prefilled text carries a flow's `entry link` code,
// so the person's first message starts that flow (engine/flow_registry.h routes it).

#include <string>
#include <string_view>

#include "engine/base/result.h"

namespace consentflow::link {

// A prefilled text is an invitation to write, not a letter: longer texts are refused (and a
// QR code of a longer link would be too dense to print small).
inline constexpr std::size_t kMaxPrefilledBytes = 1000;

// OK when `code` is a valid link code (the language's rule, dsl/link_code.h); otherwise
// kInvalidArgument saying why.
Status CheckLinkCode(std::string_view code);

// The text the person will send: `text` when it already carries `code` as a whole word
// (case-insensitive, exactly as the engine matches it), otherwise `text` with " CODE" appended
// (just CODE when `text` is empty). kInvalidArgument when `code` is no valid code, or `text` is
// not valid UTF-8, holds control characters other than line breaks and tabs, or is too long.
Result<std::string> PrefilledText(std::string_view text, std::string_view code);

// A click-to-chat link and its two parts.
struct WaLink {
  std::string phone;  // international, digits only ("393331234567")
  std::string text;   // the prefilled text, decoded
  std::string url;    // https://wa.me/393331234567?text=...
};

// Builds the link: normalises `phone` (phone_number.h), makes the prefilled text (above) and
// percent-encodes it (RFC 3986, UTF-8 bytes). Errors are kInvalidArgument, ready to show.
Result<WaLink> MakeWaLink(std::string_view phone, std::string_view code, std::string_view text);

// Reads a link back: "https://wa.me/PHONE" with an optional "?text=..." among other query
// parameters (http:// and a trailing '/' after the number are accepted too). The text is decoded
// and must be valid UTF-8. kInvalidArgument for anything else.
Result<WaLink> ParseWaLink(std::string_view url);

// Where `text` stops being valid UTF-8 (a byte offset), or npos when it is valid: no overlong
// forms, no surrogates, nothing above U+10FFFF.
std::size_t FindInvalidUtf8(std::string_view text);

}  // namespace consentflow::link
