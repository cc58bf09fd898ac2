#pragma once

// ParseScenario(): a .test file's text -> Scenario (scenario.h). Line-based: one statement per
// line, indentation free, `#` comments. Every error is reported (parsing resumes at the next
// line), each with its line and column, in the compiler's GCC style.

#include "dsl/diagnostic.h"
#include "dsl/source.h"
#include "tools/scenario/scenario.h"

namespace consentflow::tools {

struct ParsedScenario {
  Scenario scenario;
  dsl::Diagnostics diagnostics;  // errors only, in file order; code "test-syntax"

  bool ok() const { return diagnostics.empty(); }
};

ParsedScenario ParseScenario(const dsl::SourceFile& source);

}  // namespace consentflow::tools
