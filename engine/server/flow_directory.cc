#include "engine/server/flow_directory.h"

#include <algorithm>
#include <filesystem>

#include "dsl/loader.h"
#include "scripting/hook_resolver.h"

namespace consentflow::engine::server {

namespace fs = std::filesystem;

Result<std::vector<dsl::ProgramPtr>> LoadFlowDirectory(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".flow") {
      files.push_back(entry.path().string());
    }
  }
  if (ec) return Status::NotFound("cannot read the flows folder " + dir + ": " + ec.message());
  if (files.empty()) {
    return Status::NotFound("no .flow files in " + dir + "; point [engine] flows at the folder of your flows");
  }
  std::sort(files.begin(), files.end());
  std::vector<dsl::ProgramPtr> programs;
  std::string errors;
  for (const std::string& file : files) {
    dsl::CheckOptions options;
    options.resolve_hooks = scripting::MakeHookResolver(fs::path(file).parent_path().string());
    dsl::LoadedFlow loaded = dsl::LoadFlow(file, options);
    if (!loaded.ok()) {
      errors += dsl::FormatDiagnostics(loaded.source, loaded.diagnostics);
      continue;
    }
    programs.push_back(std::move(loaded.program));
  }
  if (!errors.empty()) return Status::InvalidArgument(errors + "the flows in " + dir + " do not compile");
  return programs;
}

}  // namespace consentflow::engine::server
