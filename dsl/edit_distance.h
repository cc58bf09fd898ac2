#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace consentflow::dsl {

// Levenshtein distance between two byte strings.
std::size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a likely typo (at most a third of
// the word's length, and at most 3 edits); empty otherwise. Ties go to the earlier candidate.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'x'?" when ClosestMatch finds one, else "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace consentflow::dsl
