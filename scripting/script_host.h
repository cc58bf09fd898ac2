#pragma once

// The hook interface: what the engine needs from a scripting backend to run `call HOOK`.
// Plain C++; the Lua backend (scripting/lua_hooks.h) is one implementation, tests use fakes.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/result.h"

namespace consentflow::scripting {

struct HookCall {
  std::string flow_id;
  int64_t flow_version = 1;
  std::string hooks_file;  // as declared in the flow, relative to the flow file
  std::string hook;        // the function to call
  // What the hook may read: the stored fields whose purpose has an active consent.
  std::map<std::string, std::string> fields;
  std::vector<std::string> writable;  // what it may write (`writes`)
  std::string state;                  // the state whose `call` runs the hook
  std::string language;               // the contact's language ("en", "it"), "" when unknown
  Timestamp now;                      // the engine's clock for this event (os.time() in Lua)
};

struct HookResult {
  std::string outcome;                        // picks the `"outcome" -> STATE` branch; may be empty
  std::map<std::string, std::string> writes;  // field name -> value, as text
};

class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  // Runs the hook. An error (the hook raised, ran too long, used too much memory, returned
  // something that is not an outcome) is a Status whose message names the hook file and line
  // and holds no personal data; the engine then takes the call's "error" branch, or continues
  // with the step after the `call` when it has none.
  virtual Result<HookResult> Call(const HookCall& call) = 0;
};

}  // namespace consentflow::scripting
