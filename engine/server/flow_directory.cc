#include "engine/server/flow_directory.h"

#include "scripting/flow_folder.h"

namespace consentflow::engine::server {

Result<std::vector<dsl::ProgramPtr>> LoadFlowDirectory(const std::string& dir) {
  scripting::FlowFolder folder =
      scripting::LoadFlowFolder(dir, scripting::FailureDetail::kAllDiagnostics);
  if (folder.list_error) {
    return Status::NotFound("cannot read the flows folder " + dir + ": " +
                            folder.list_error.message());
  }
  if (folder.flow_files == 0) {
    return Status::NotFound("no .flow files in " + dir +
                            "; point [engine] flows at the folder of your flows");
  }
  if (!folder.failures.empty()) {
    return Status::InvalidArgument(folder.failures + "the flows in " + dir + " do not compile");
  }
  return std::move(folder.programs);
}

}  // namespace consentflow::engine::server
