#pragma once

// Percent-encoding (RFC 3986, section 2.1): the bytes of a text made safe in a URL.

#include <string>
#include <string_view>

#include "engine/base/result.h"

namespace consentflow::link {

// Every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~) becomes %XX (upper-case hex,
// as section 2.1 recommends); UTF-8 text is encoded byte by byte, so "è" is "%C3%A8" and a space
// is "%20" (never "+", which form encoding would use and a URL would read as a plus sign).
std::string PercentEncode(std::string_view bytes);

// The inverse: %XX (either case) becomes the byte; every other character stands for itself,
// including '+'. A '%' without two hex digits after it is kInvalidArgument.
Result<std::string> PercentDecode(std::string_view encoded);

}  // namespace consentflow::link
