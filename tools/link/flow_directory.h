#pragma once

// The flows of a folder, seen from a campaign: which flow owns each `entry link` code, and which
// flow a message with a link's prefilled text would really start.

#include <string>
#include <string_view>
#include <vector>

#include "dsl/program.h"
#include "engine/base/result.h"
#include "engine/flow_registry.h"

namespace consentflow::link {

struct FlowDirectory {
  std::string dir;
  std::vector<dsl::ProgramPtr> programs;  // every *.flow of `dir`, in file-name order
  engine::FlowRegistry registry;          // the same flows, routing as the engine does

  // The flow that claims link code `code` (case-insensitive), or null.
  const dsl::Program* OwnerOf(std::string_view code) const;
  // Every link code of the flows, as written, sorted.
  std::vector<std::string> Codes() const;

  // The flow that owns `code`, after checking that a first message `prefilled` (a link's text,
  // carrying `code`) is routed to it. kNotFound when no flow owns the code (with a "did you
  // mean" and the codes there are); kConflict when the text would start another flow (it also
  // carries that flow's code). Messages stand alone, without a file name.
  Result<const dsl::Program*> FlowForLink(std::string_view code, std::string_view prefilled) const;
};

// Loads every *.flow file of `dir` (not its subfolders) as `consentflow check` does, hook files
// included, and adds each to a FlowRegistry, which refuses two flows claiming one code.
// kNotFound: `dir` is no folder or holds no flow. kInvalidArgument: a flow does not compile (the
// message is its errors in GCC style, one per line) or two flows claim one entry (the registry's
// message, naming both files).
Result<FlowDirectory> LoadFlowDirectory(const std::string& dir);

}  // namespace consentflow::link
