#pragma once
// X-Hub-Signature-256: Meta signs every webhook POST with HMAC-SHA256 over the body, keyed with
// the app secret (../shared/whatsapp/README.md §2). The check runs on the raw bytes as received,
// before anything is parsed or stored, and compares in constant time.
#include <string>
#include <string_view>

namespace consentflow::engine::whatsapp {

// True when `header` is "sha256=<64 hex digits>" (either case) and equals the HMAC of `body`.
// When the raw bytes do not match and the body holds non-ASCII bytes, the body's \u-escaped form
// is tried once too: Graph documents signing that form, WhatsApp does not say.
bool VerifySignature(std::string_view app_secret, std::string_view body, std::string_view header);

// "sha256=<lowercase hex>" for `body`: what Meta would send (tests, the load generator).
std::string SignBody(std::string_view app_secret, std::string_view body);

// Constant-time equality of two strings of any length (the length itself is not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace consentflow::engine::whatsapp
