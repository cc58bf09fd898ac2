#include "scripting/flow_folder.h"

#include <algorithm>
#include <filesystem>

#include "dsl/diagnostic.h"
#include "dsl/loader.h"
#include "scripting/hook_resolver.h"

namespace consentflow::scripting {
namespace {

namespace fs = std::filesystem;

dsl::Diagnostics Shown(const dsl::Diagnostics& diagnostics, FailureDetail detail) {
  if (detail == FailureDetail::kAllDiagnostics) return diagnostics;
  dsl::Diagnostics errors;
  for (const dsl::Diagnostic& d : diagnostics) {
    if (d.severity == dsl::Severity::kError) errors.push_back(d);
  }
  return errors;
}

}  // namespace

FlowFolder LoadFlowFolder(const std::string& dir, FailureDetail detail) {
  FlowFolder folder;
  std::vector<std::string> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, folder.list_error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".flow") {
      files.push_back(entry.path().string());
    }
  }
  if (folder.list_error) return folder;
  std::sort(files.begin(), files.end());
  folder.flow_files = files.size();
  for (const std::string& file : files) {
    dsl::CheckOptions options;
    options.resolve_hooks = MakeHookResolver(fs::path(file).parent_path().string());
    dsl::LoadedFlow loaded = dsl::LoadFlow(file, options);
    if (!loaded.ok()) {
      folder.failures += dsl::FormatDiagnostics(loaded.source, Shown(loaded.diagnostics, detail));
      continue;
    }
    folder.programs.push_back(std::move(loaded.program));
  }
  return folder;
}

}  // namespace consentflow::scripting
