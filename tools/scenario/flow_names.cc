#include "tools/scenario/flow_names.h"

#include <algorithm>

#include "dsl/edit_distance.h"

namespace consentflow::tools {
namespace {

void AddUnique(std::vector<std::string>& names, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

std::optional<std::string> Check(const std::vector<std::string>& known, const std::string& name,
                                 const std::string& what) {
  if (std::find(known.begin(), known.end(), name) != known.end()) return std::nullopt;
  return "no flow declares " + what + " '" + name + "'" + dsl::DidYouMean(name, known);
}

}  // namespace

FlowNames::FlowNames(const std::vector<dsl::ProgramPtr>& flows) {
  for (const dsl::ProgramPtr& flow : flows) {
    for (const dsl::ProgramField& f : flow->fields) AddUnique(fields_, f.id);
    for (const dsl::ProgramNotice& n : flow->notices) AddUnique(notices_, n.id);
    for (const dsl::ProgramState& state : flow->states) {
      AddUnique(states_, state.id);
      for (const dsl::Step& step : state.steps) {
        if (step.kind == dsl::ast::StepKind::kHandoff) AddUnique(queues_, step.queue);
        if (step.kind == dsl::ast::StepKind::kCall) AddUnique(hooks_, step.hook);
      }
    }
  }
}

std::optional<std::string> FlowNames::Unknown(const Step& step) const {
  switch (step.kind) {
    case StepKind::kFieldEquals:
    case StepKind::kFieldUnset:
    case StepKind::kFieldSet:
    case StepKind::kIncidentOnField:
      return Check(fields_, step.name, "a field");
    case StepKind::kConsent:
      return Check(notices_, step.name, "a notice");
    case StepKind::kAtState:
    case StepKind::kHandBack:
      return Check(states_, step.name, "a state");
    case StepKind::kInQueue:
      return Check(queues_, step.name, "a handoff to queue");
    case StepKind::kHook:
      return Check(hooks_, step.name, "a call of hook");
    default:
      return std::nullopt;
  }
}

}  // namespace consentflow::tools
