#pragma once

// Printing what the compiler found, shared by the subcommands.

#include <iosfwd>
#include <string>
#include <vector>

#include "dsl/check.h"
#include "dsl/loader.h"

namespace consentflow::tools {

// The resolver for hook files next to `flow_path`.
dsl::CheckOptions CheckOptionsFor(const std::string& flow_path);

// Loads a flow, prints its diagnostics to `err` in GCC style, and says whether it compiled.
dsl::LoadedFlow LoadAndReport(const std::string& path, std::ostream& err);

// The diagnostics of several files as one JSON document:
// [{"file", "severity", "line", "column", "code", "message", "notes": [...]}, ...].
std::string DiagnosticsJson(const std::vector<dsl::LoadedFlow>& flows);

}  // namespace consentflow::tools
