#pragma once

// Removing personal data from text a hook writes to the logs (log(...), error messages).
// Best effort by construction: it removes what it can recognise.

#include <string>
#include <string_view>
#include <vector>

namespace consentflow::scripting {

inline constexpr std::string_view kRedacted = "[redacted]";

// Replaces in `text`, by "[redacted]":
//  - every occurrence of one of `values` (the conversation's field values; ASCII case ignored;
//    longer values first; empty values are skipped);
//  - anything that looks like an e-mail address (local@domain.tld);
//  - anything that looks like a phone number: 7 or more digits, optionally after a '+', with
//    spaces, dashes, dots, slashes or parentheses between them.
std::string Redact(std::string_view text, std::vector<std::string> values);

}  // namespace consentflow::scripting
