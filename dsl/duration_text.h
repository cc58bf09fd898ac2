#pragma once

#include <cstdint>
#include <string>

namespace consentflow::dsl {

// A duration as people read it and as the language spells it: the largest unit that divides it
// exactly ("30 days", "2 hours", "6 weeks", "1 year", "90 seconds"). Months are never used:
// "30 days" is exact where "1 month" is not.
std::string FormatDuration(int64_t seconds);

}  // namespace consentflow::dsl
