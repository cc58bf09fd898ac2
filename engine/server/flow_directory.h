#pragma once
// The flows a server runs: every `*.flow` file in one folder, compiled (hooks files resolved
// beside them). One file with an error fails the whole load, with every diagnostic in GCC form,
// so a server never starts (or reloads) half of a deployment.
#include <string>
#include <vector>

#include "dsl/program.h"
#include "engine/base/result.h"

namespace consentflow::engine::server {

Result<std::vector<dsl::ProgramPtr>> LoadFlowDirectory(const std::string& dir);

}  // namespace consentflow::engine::server
