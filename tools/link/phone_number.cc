#include "tools/link/phone_number.h"

namespace consentflow::link {
namespace {

constexpr std::string_view kExample = "e.g. +39 333 123 4567";

bool IsSeparator(char c) {
  return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')';
}

Status Invalid(std::string_view written, const std::string& why) {
  return Status::InvalidArgument("phone number \"" + std::string(written) + "\" " + why +
                                 "; write the full international number, " + std::string(kExample));
}

}  // namespace

Result<std::string> NormalizePhoneNumber(std::string_view written) {
  std::string text(written);
  // "+44 (0)20 ...": the "(0)" is dialled only inside the country; it is no part of the number.
  // Only after a country code: "(0)333 ..." is a national number and must stay one.
  const std::size_t first = text.find_first_not_of(" \t(");
  const bool international =
      first != std::string::npos && (text[first] == '+' || text.compare(first, 2, "00") == 0);
  for (auto at = text.find("(0)"); international && at != std::string::npos;
       at = text.find("(0)")) {
    text.erase(at, 3);
  }
  std::string digits;
  bool plus = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c == '+') {
      return Invalid(written, "has a '+' in the middle; only the first character may be '+'");
    } else if (!IsSeparator(c)) {
      const bool printable =
          static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
      return Invalid(written, printable ? "contains '" + std::string(1, c) + "', which is no digit"
                                        : std::string("contains a character that is no digit"));
    }
  }
  if (digits.empty()) return Invalid(written, "has no digits");
  if (!plus && digits.starts_with("00")) {
    digits.erase(0, 2);  // 0039...: the international prefix dialled from most countries
  } else if (plus && digits.starts_with('0')) {
    return Invalid(written, "has a 0 right after the '+', but no country code starts with 0");
  } else if (!plus && digits.starts_with('0')) {
    return Status::InvalidArgument(
        "phone number \"" + std::string(written) +
        "\" starts with a single 0, so it is written the national way; wa.me needs the country "
        "code: write it with '+' and the country code instead of the 0, " +
        std::string(kExample));
  }
  if (digits.starts_with('0')) {
    return Invalid(written,
                   "has a 0 right after the international prefix 00, but no country code "
                   "starts with 0");
  }
  if (digits.size() < kMinPhoneDigits || digits.size() > kMaxPhoneDigits) {
    return Invalid(written, "has " + std::to_string(digits.size()) +
                                " digits without the international prefix; an international number "
                                "has " +
                                std::to_string(kMinPhoneDigits) + " to " +
                                std::to_string(kMaxPhoneDigits) + " digits (E.164)");
  }
  return digits;
}

}  // namespace consentflow::link
