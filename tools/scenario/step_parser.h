#pragma once

// Reading one step of a .test file (everything but the `flow` and `test` lines, which
// parser.cc handles): the grammar of each step, with the column of the first thing wrong.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/scenario/line_cursor.h"
#include "tools/scenario/scenario.h"

namespace consentflow::tools {

struct SyntaxError {
  uint32_t column = 0;  // bytes, 1-based
  std::string message;
};

// The words a step starts with: "customer", "bot", "field", ... ("flow" for `flow error:`).
const std::vector<std::string>& StepWords();

// Reads the step that `c` holds after its first word `first` (one of StepWords()) into `step`
// (kind and arguments; the caller sets line and column). Leaves `c` after the step, where only
// a comment may follow.
std::optional<SyntaxError> ParseStep(std::string_view first, LineCursor& c, Step& step);

}  // namespace consentflow::tools
