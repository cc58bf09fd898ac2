#pragma once

// Compile(): lowers a checked syntax tree into the Program the engine runs (program.h).

#include <string>

#include "dsl/ast.h"
#include "dsl/program.h"

namespace consentflow::dsl {

// Lowers `flow` into a Program whose every name is resolved to its index in declaration order
// (Program's vectors keep the order of the file; the first declaration wins a duplicate name).
// `source_name` is recorded as Program::source_name.
//
// REQUIRES: `flow` passed Check() with no error. Compile() reports nothing: a name that does
// not resolve fails an assert in debug builds and lowers to kEndConversation / kNoField / 0 in
// release builds.
//
// Lowering rules:
// - a target `end` is kEndConversation; `ask` without `retries` gets 3 retries and
//   kEndConversation as the retries target;
// - `{purposes}` in a notice text becomes the literal JoinPurposes() of the descriptions of
//   the purposes the notice grants, in the order of its `grants` line; adjacent literal pieces
//   of every template are merged into one;
// - `on keyword` words are lower-cased (ASCII), as the engine compares them;
// - a text field's max_length is its `max N` or 1000; number and integer fields take min and
//   max from their range when given.
ProgramPtr Compile(const ast::Flow& flow, const std::string& source_name);

}  // namespace consentflow::dsl
