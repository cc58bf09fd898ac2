#pragma once

// A folder of flows: every `*.flow` file directly in it (not its subfolders), loaded in
// file-name order as `consentflow check` loads one (dsl/loader.h), each file's `hooks` resolved
// beside it and loaded in the hook sandbox (hook_resolver.h). The server's flow directory and the
// campaign tools both read their flows through this, so they see the same flows.

#include <cstddef>
#include <string>
#include <system_error>
#include <vector>

#include "dsl/program.h"

namespace consentflow::scripting {

// Which diagnostics of a flow that does not compile are kept in FlowFolder::failures.
enum class FailureDetail { kAllDiagnostics, kErrorsOnly };

struct FlowFolder {
  std::error_code list_error;             // the folder could not be listed; then nothing is loaded
  std::size_t flow_files = 0;             // the *.flow files found
  std::vector<dsl::ProgramPtr> programs;  // the flows that compiled, in file-name order
  // The diagnostics of every flow that did not compile, in GCC form, file after file (as
  // dsl::FormatDiagnostics writes them); empty when every flow compiled.
  std::string failures;
};

// Lists and loads the flows of `dir`. A flow that does not compile does not stop the others, so
// `failures` holds the errors of all of them.
FlowFolder LoadFlowFolder(const std::string& dir, FailureDetail detail);

}  // namespace consentflow::scripting
