#include "tools/link/flow_directory.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "dsl/edit_distance.h"
#include "engine/answers.h"
#include "engine/event.h"
#include "scripting/flow_folder.h"

namespace consentflow::link {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> LinkCodes(const dsl::Program& program) {
  std::vector<std::string> codes;
  for (const dsl::EntryRule& entry : program.entries) {
    if (entry.kind == dsl::ast::EntryKind::kLink && !entry.values.empty()) {
      codes.push_back(entry.values[0]);
    }
  }
  return codes;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

const dsl::Program* FlowDirectory::OwnerOf(std::string_view code) const {
  const std::string folded = engine::Fold(code);
  for (const dsl::ProgramPtr& program : programs) {
    for (const std::string& own : LinkCodes(*program)) {
      if (engine::Fold(own) == folded) return registry.Latest(program->flow_id);
    }
  }
  return nullptr;
}

std::vector<std::string> FlowDirectory::Codes() const {
  std::vector<std::string> codes;
  for (const dsl::ProgramPtr& program : programs) {
    for (std::string& code : LinkCodes(*program)) codes.push_back(std::move(code));
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

Result<const dsl::Program*> FlowDirectory::FlowForLink(std::string_view code,
                                                       std::string_view prefilled) const {
  const dsl::Program* owner = OwnerOf(code);
  if (!owner) {
    const std::vector<std::string> codes = Codes();
    return Status::NotFound("code \"" + std::string(code) + "\" belongs to no flow in " + dir +
                            dsl::DidYouMean(code, codes) +
                            (codes.empty() ? std::string("; no flow there has an 'entry link' line")
                                           : "; the link codes there are " + Join(codes)) +
                            "; add 'entry link \"" + std::string(code) +
                            "\"' to the flow it should start");
  }
  engine::InboundMessage message;
  message.kind = engine::MessageKind::kText;
  message.text = std::string(prefilled);
  const dsl::Program* routed = registry.Route(message);
  if (routed && routed->flow_id == owner->flow_id) return owner;
  std::string why;
  if (routed) {
    for (const std::string& other : LinkCodes(*routed)) {
      if (engine::ContainsWord(prefilled, other))
        why = ": the text also carries \"" + other + "\", its link code";
    }
  }
  return Status::Conflict("a message with this text would start flow '" +
                          (routed ? routed->flow_id : std::string("(none)")) + "', not flow '" +
                          owner->flow_id + "' that owns \"" + std::string(code) + "\"" + why +
                          "; take the other code out of the text");
}

Result<FlowDirectory> LoadFlowDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound("'" + dir +
                            "' is no folder; --flows names the folder of the .flow files");
  }
  scripting::FlowFolder folder =
      scripting::LoadFlowFolder(dir, scripting::FailureDetail::kErrorsOnly);
  if (folder.list_error) {
    return Status::NotFound("cannot list '" + dir + "': " + folder.list_error.message());
  }
  if (folder.flow_files == 0) return Status::NotFound("'" + dir + "' holds no .flow file");
  if (!folder.failures.empty()) {
    return Status::InvalidArgument(folder.failures +
                                   "fix these flows first: every code must be checked "
                                   "against the flows that will run");
  }

  FlowDirectory flows;
  flows.dir = dir;
  flows.programs = std::move(folder.programs);
  for (const dsl::ProgramPtr& program : flows.programs) {
    if (Status added = flows.registry.Add(program); !added.ok()) {
      return Status::InvalidArgument(added.message());
    }
  }
  return flows;
}

}  // namespace consentflow::link
