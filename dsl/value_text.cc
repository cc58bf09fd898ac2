#include "dsl/value_text.h"

#include <charconv>

namespace consentflow::dsl {

std::string FormatDuration(int64_t seconds) {
  struct Unit {
    int64_t seconds;
    const char* singular;
    const char* plural;
  };
  static constexpr Unit kUnits[] = {
      {365 * 86400, "year", "years"}, {7 * 86400, "week", "weeks"}, {86400, "day", "days"},
      {3600, "hour", "hours"},        {60, "minute", "minutes"},
  };
  for (const Unit& unit : kUnits) {
    if (seconds != 0 && seconds % unit.seconds == 0) {
      const int64_t count = seconds / unit.seconds;
      std::string text = std::to_string(count);
      text += ' ';
      text += count == 1 ? unit.singular : unit.plural;
      return text;
    }
  }
  return std::to_string(seconds) + (seconds == 1 ? " second" : " seconds");
}

std::string FormatNumber(double value) {
  char buffer[400];  // fixed notation of the largest double needs 309 digits
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  if (result.ec != std::errc()) return "?";
  return std::string(buffer, result.ptr);
}

}  // namespace consentflow::dsl
