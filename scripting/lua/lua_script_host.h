#pragma once

// One loaded hooks file (internal to scripting/lua/; the public face is scripting/lua_hooks.h).
//
// A HookModule owns one Lua state with the sandbox, the file's compiled top-level chunk and the
// names of the functions it defines. Why the top-level chunk runs again on every call, rather
// than once with its functions shared: a hook function closes over the file's top-level locals
// and tables, so functions kept from one run would carry whatever one conversation left in them
// (`local last_email`, `seen[ctx.fields.email] = true`) into the next conversation. Freezing
// them cannot be done soundly from the outside (a local's value can be reassigned), so each call
// builds them fresh: the chunk's _ENV upvalue, which every function of the file shares, is set to
// a new environment table, the chunk runs (defining the functions anew), the hook runs, and
// the environment is dropped. The compiled code is shared and never changes; the library the
// environment reads through is read-only.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"
#include "scripting/lua/runtime.h"

namespace consentflow::scripting::lua {

class HookModule {
 public:
  // Builds the sandbox, compiles `source` (text only) and runs its top-level code once. Errors
  // are kInvalidArgument with Lua's message ("flows/x.lua:3: ..."), kResourceExhausted for a
  // broken limit.
  static Result<std::shared_ptr<HookModule>> Load(const std::string& flow_id, int64_t version,
                                                  std::string_view chunk_name,
                                                  std::string_view source, const LuaLimits& limits);

  Result<HookResult> Call(const HookCall& call);

  const std::vector<std::string>& functions() const { return functions_; }
  std::size_t memory_used() const { return runtime_.memory_used; }

  HookModule(const HookModule&) = delete;
  HookModule& operator=(const HookModule&) = delete;

 private:
  HookModule() = default;
  // Runs the top-level chunk in a fresh environment and, for a call, the hook; `cx` is the call
  // (or the load). Returns OK or the failure as the Status the caller reports.
  Status Run(CallContext& cx, uint64_t instruction_limit, std::chrono::milliseconds wall_clock);
  Status Failure(int lua_status, const CallContext& cx);

  std::mutex mutex_;  // one call at a time per state
  Runtime runtime_;   // before state_: the allocator uses it until lua_close returns
  LuaStatePtr state_;
  std::vector<std::string> functions_;
};

}  // namespace consentflow::scripting::lua
