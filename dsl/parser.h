#pragma once

// Parse(): flow source text -> syntax tree, with diagnostics for syntax errors and for lines
// that stand in the wrong place (a branch with no step above it, a step outside a state).

#include <cstddef>
#include <optional>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostic.h"
#include "dsl/source.h"

namespace consentflow::dsl {

// What a logical line of the file holds; the formatter indents by it.
enum class LineKind { kBlank, kComment, kDeclaration, kNoticeDetail, kState, kStep, kBranch };

// One logical line (a `"""` string may make it span several physical lines).
struct LineLayout {
  LineKind kind = LineKind::kBlank;
  uint32_t first_line = 0;     // 1-based physical lines
  uint32_t last_line = 0;
  std::size_t code_begin = 0;  // byte offsets of the code, without indentation and comment
  std::size_t code_end = 0;
  std::string comment;         // the comment, from its '#', or empty
};

struct ParseResult {
  // Present when the file has no syntax error. Structural errors (a branch without a step) are
  // reported in `diagnostics` but leave the tree present, so the checks can still run.
  std::optional<ast::Flow> flow;
  Diagnostics diagnostics;
  std::vector<LineLayout> layout;
};

struct ParseLimits {
  std::size_t max_syntax_errors = 50;   // stop reporting after this many: later ones are noise
  std::size_t max_expression_depth = 64;  // nested parentheses and `not`s in one condition
};

ParseResult Parse(const SourceFile& source, const ParseLimits& limits = {});

}  // namespace consentflow::dsl
