#pragma once

#include <string>

namespace consentflow::bench {

// A realistic, valid flow of `states` states (about 5 steps each): a consent up front, then a
// chain of states that say, ask, branch with `if` and offer a choice that loops back, so the
// consent proof and the maybe-unset analysis have real graphs to walk.
std::string GenerateFlow(int states);

}  // namespace consentflow::bench
