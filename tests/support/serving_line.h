#pragma once
// The port in `consentflow serve`'s start-up line, "consentflow: serving on HOST:PORT/PATH
// (...)", as the tests and the load generator read it from the server's log while the server
// may still be writing it.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace consentflow::testing {

// The port of a whole serving line; nullopt for any other line, and for one not written up to
// its path yet (a port read then could be cut short: "345" of "34507").
inline std::optional<uint16_t> ServingPort(std::string_view line) {
  constexpr std::string_view kPrefix = "consentflow: serving on ";
  const std::size_t at = line.find(kPrefix);
  if (at == std::string_view::npos) return std::nullopt;
  // HOST may be an IPv6 address in brackets: the port follows the last colon before the path.
  const std::size_t slash = line.find('/', at + kPrefix.size());
  if (slash == std::string_view::npos) return std::nullopt;
  const std::size_t colon = line.rfind(':', slash);
  if (colon == std::string_view::npos || colon < at + kPrefix.size()) return std::nullopt;
  unsigned port = 0;
  const char* begin = line.data() + colon + 1;
  const char* end = line.data() + slash;
  const auto [parsed, ec] = std::from_chars(begin, end, port);
  if (ec != std::errc() || parsed != end || port == 0 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

}  // namespace consentflow::testing
