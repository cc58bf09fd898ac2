#pragma once

#include <cstdint>
#include <string>

namespace consentflow::dsl {

// How values read in text people see: durations, numbers.

// A duration as people read it and as the language spells it: the largest unit that divides it
// exactly ("30 days", "2 hours", "6 weeks", "1 year", "90 seconds"). Months are never used:
// "30 days" is exact where "1 month" is not.
std::string FormatDuration(int64_t seconds);

// The shortest fixed-notation spelling that reads back as `value`: 5000, 2.5, -3.
std::string FormatNumber(double value);

}  // namespace consentflow::dsl
