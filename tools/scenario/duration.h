#pragma once

// Durations as people type them in `consentflow chat` (/wait 3h) and in .test files (wait 3
// hours): an integer and a unit, as in the flow language, with or without a space between them
// and with short units too.

#include <optional>
#include <string_view>

#include "engine/base/clock.h"

namespace consentflow::tools {

// "30s", "30 seconds", "10 min", "10m", "3h", "3 hours", "2 days", "2d", "1 week", "2 months"
// (30 days each), "1 year" (365 days); units are case-insensitive. nullopt for anything else,
// for a missing unit, and for amounts past 100 years.
std::optional<Duration> ParseDuration(std::string_view text);

// What ParseDuration accepts, for error messages.
inline constexpr std::string_view kDurationHelp =
    "a number and a unit, e.g. 30s, 10 min, 3h, 2 days, 1 week";

}  // namespace consentflow::tools
