#include "dsl/duration_text.h"

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

}  // namespace consentflow::dsl
