#pragma once

// The hook interface: what the engine needs from a scripting backend to run `call HOOK`.
// Plain C++; the Lua backend (scripting/lua/) is one implementation, tests use fakes.

#include <map>
#include <string>
#include <vector>

#include "engine/base/result.h"

namespace consentflow::scripting {

struct HookCall {
  std::string flow_id;
  std::string hooks_file;  // as declared in the flow, relative to the flow file
  std::string hook;        // the function to call
  std::map<std::string, std::string> fields;  // what the hook may read: the stored fields
  std::vector<std::string> writable;          // what it may write (`writes`)
};

struct HookResult {
  std::string outcome;                        // picks the `"outcome" -> STATE` branch; may be empty
  std::map<std::string, std::string> writes;  // field name -> value, as text
};

class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  // Runs the hook. An error (the hook raised, ran too long, used too much memory) is a Status;
  // the engine then continues with the step after the `call`.
  virtual Result<HookResult> Call(const HookCall& call) = 0;
};

}  // namespace consentflow::scripting
