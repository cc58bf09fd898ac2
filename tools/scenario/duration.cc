#include "tools/scenario/duration.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <string>

namespace consentflow::tools {
namespace {

struct Unit {
  std::string_view name;
  int64_t seconds;
};

constexpr int64_t kDay = 24 * 3600;
constexpr std::array<Unit, 22> kUnits = {{
    {"s", 1},
    {"sec", 1},
    {"secs", 1},
    {"second", 1},
    {"seconds", 1},
    {"m", 60},
    {"min", 60},
    {"mins", 60},
    {"minute", 60},
    {"minutes", 60},
    {"h", 3600},
    {"hour", 3600},
    {"hours", 3600},
    {"d", kDay},
    {"day", kDay},
    {"days", kDay},
    {"w", 7 * kDay},
    {"week", 7 * kDay},
    {"weeks", 7 * kDay},
    {"month", 30 * kDay},
    {"months", 30 * kDay},
    {"year", 365 * kDay},
}};
constexpr int64_t kMaxSeconds = 100 * 366 * kDay;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Duration> ParseDuration(std::string_view text) {
  text = Trim(text);
  int64_t amount = 0;
  std::size_t i = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    amount = amount * 10 + (text[i] - '0');
    if (amount > kMaxSeconds) return std::nullopt;
  }
  if (i == 0) return std::nullopt;
  std::string unit(Trim(text.substr(i)));
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit == "years") unit = "year";
  for (const Unit& u : kUnits) {
    if (u.name != unit) continue;
    if (amount > kMaxSeconds / u.seconds) return std::nullopt;
    return std::chrono::duration_cast<Duration>(std::chrono::seconds(amount * u.seconds));
  }
  return std::nullopt;
}

}  // namespace consentflow::tools
