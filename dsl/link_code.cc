#include "dsl/link_code.h"

#include <algorithm>

namespace consentflow::dsl {

// Spelled out rather than std::isalnum, whose answer for bytes past 0x7f depends on the locale.
bool IsLinkCodeChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool IsValidLinkCode(std::string_view code) {
  return !code.empty() && code.size() <= kMaxLinkCode &&
         std::all_of(code.begin(), code.end(), IsLinkCodeChar);
}

}  // namespace consentflow::dsl
