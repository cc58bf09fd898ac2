#pragma once

// The names the flows under test declare (fields, notices, states, queues, hooks), so that a
// typo in a .test file fails loudly instead of making `field nmae is unset` pass.

#include <optional>
#include <string>
#include <vector>

#include "dsl/program.h"
#include "tools/scenario/scenario.h"

namespace consentflow::tools {

class FlowNames {
 public:
  explicit FlowNames(const std::vector<dsl::ProgramPtr>& flows);

  // nullopt when every name `step` uses is declared by one of the flows; else the failure
  // message: "no flow declares a field 'nmae'; did you mean 'name'?".
  std::optional<std::string> Unknown(const Step& step) const;

 private:
  std::vector<std::string> fields_, notices_, states_, queues_, hooks_;
};

}  // namespace consentflow::tools
