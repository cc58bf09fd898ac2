#include "dsl/loader.h"

#include "dsl/compile.h"

namespace consentflow::dsl {

LoadedFlow LoadFlowSource(SourceFile source, const CheckOptions& options) {
  LoadedFlow loaded;
  loaded.source = std::move(source);
  ParseResult parsed = Parse(loaded.source);
  loaded.diagnostics = std::move(parsed.diagnostics);
  loaded.layout = std::move(parsed.layout);
  loaded.tree = std::move(parsed.flow);
  if (!loaded.tree) return loaded;
  // Structural errors from the parser (a branch with no step) leave a tree the checks can read,
  // but the file cannot compile.
  const bool structural_errors = HasErrors(loaded.diagnostics);
  Diagnostics checked = Check(*loaded.tree, options);
  loaded.diagnostics.insert(loaded.diagnostics.end(), checked.begin(), checked.end());
  SortByLocation(loaded.diagnostics);
  if (!structural_errors && !HasErrors(loaded.diagnostics)) {
    loaded.program = Compile(*loaded.tree, loaded.source.name);
  }
  return loaded;
}

LoadedFlow LoadFlow(const std::string& path, const CheckOptions& options) {
  SourceFile source;
  std::string error;
  if (!ReadSourceFile(path, source, error)) {
    LoadedFlow failed;
    failed.source.name = path;
    failed.diagnostics.push_back(Diagnostic{Severity::kError, {}, "unreadable", error, {}});
    return failed;
  }
  return LoadFlowSource(std::move(source), options);
}

}  // namespace consentflow::dsl
