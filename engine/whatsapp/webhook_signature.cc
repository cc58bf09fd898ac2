#include "engine/whatsapp/webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace consentflow::engine::whatsapp {
namespace {

constexpr std::string_view kPrefix = "sha256=";
constexpr char kHex[] = "0123456789abcdef";

std::array<unsigned char, 32> Hmac(std::string_view key, std::string_view body) {
  std::array<unsigned char, 32> mac{};
  size_t length = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
            reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac.data(), mac.size(),
            &length);
  return mac;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::array<unsigned char, 32>> DecodeDigest(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::array<unsigned char, 32> digest{};
  for (size_t i = 0; i < 32; ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return digest;
}

// The body with every non-ASCII character as \uXXXX (UTF-16 units, lowercase hex), the form
// Graph documents signing. Invalid UTF-8 is left as it is (it cannot have been signed that way).
std::optional<std::string> EscapeNonAscii(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 2);
  auto escape = [&](uint32_t unit) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(unit >> shift) & 0xf];
  };
  for (size_t i = 0; i < body.size();) {
    const auto byte = static_cast<unsigned char>(body[i]);
    if (byte < 0x80) {
      out += body[i++];
      continue;
    }
    const int length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 0;
    if (length == 0 || i + static_cast<size_t>(length) > body.size()) return std::nullopt;
    uint32_t code = byte & (0x7f >> length);
    for (int k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(body[i + k]);
      if ((next & 0xc0) != 0x80) return std::nullopt;
      code = code << 6 | (next & 0x3f);
    }
    i += static_cast<size_t>(length);
    if (code >= 0x10000) {
      code -= 0x10000;
      escape(0xd800 + (code >> 10));
      escape(0xdc00 + (code & 0x3ff));
    } else {
      escape(code);
    }
  }
  return out;
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool VerifySignature(std::string_view app_secret, std::string_view body, std::string_view header) {
  if (header.substr(0, kPrefix.size()) != kPrefix) return false;
  const auto claimed = DecodeDigest(header.substr(kPrefix.size()));
  if (!claimed) return false;
  auto matches = [&](std::string_view signed_bytes) {
    const auto mac = Hmac(app_secret, signed_bytes);
    return CRYPTO_memcmp(mac.data(), claimed->data(), mac.size()) == 0;
  };
  if (matches(body)) return true;
  const bool has_non_ascii = std::any_of(body.begin(), body.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x80;
  });
  if (!has_non_ascii) return false;
  const auto escaped = EscapeNonAscii(body);
  return escaped && matches(*escaped);
}

std::string SignBody(std::string_view app_secret, std::string_view body) {
  const auto mac = Hmac(app_secret, body);
  std::string header(kPrefix);
  for (unsigned char byte : mac) {
    header += kHex[byte >> 4];
    header += kHex[byte & 0xf];
  }
  return header;
}

}  // namespace consentflow::engine::whatsapp
