#pragma once

// LoadFlow(): read, parse, check and compile one flow file: what the tools and the engine call.

#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/check.h"
#include "dsl/diagnostic.h"
#include "dsl/parser.h"
#include "dsl/program.h"
#include "dsl/source.h"

namespace consentflow::dsl {

struct LoadedFlow {
  SourceFile source;
  Diagnostics diagnostics;          // syntax and semantic, errors and warnings, in file order
  std::optional<ast::Flow> tree;    // present when the file parsed
  std::vector<LineLayout> layout;
  ProgramPtr program;               // present when there is no error

  bool ok() const { return program != nullptr; }
};

// Reads `path` (a read failure is one error diagnostic without a location) and compiles it.
LoadedFlow LoadFlow(const std::string& path, const CheckOptions& options = {});
// The same for source already in memory.
LoadedFlow LoadFlowSource(SourceFile source, const CheckOptions& options = {});

}  // namespace consentflow::dsl
