#pragma once

// The Lua hook runtime: runs `call HOOK` in a sandbox that cannot read files, open sockets, run
// commands, see another conversation, run forever or eat the memory. docs/hooks.md is the
// reference for hook authors; this header is the contract for the engine and the tools.
//
// One loaded module per (flow id, flow version, hooks file): its own Lua state, memory cap and
// compiled code. A module is loaded once (its top-level code runs once then, in the sandbox, to
// report errors early) and replaced by loading it again (a flow reload). Every call then:
//  - runs the file's top-level code again in a fresh, empty global environment, so the hook
//    functions, their top-level locals and tables are new for every call: nothing a call stores
//    (a global, a top-level local, a field of a top-level table) is seen by any other call;
//  - reads the shared standard library through read-only tables (string, table, math, utf8,
//    coroutine, os.time/os.date on the engine's clock, in UTC);
//  - stops at the instruction budget, the wall-clock limit or the memory cap with an error.
// The price of fresh state is the top-level code's cost on every call: keep it to function
// definitions and small constant tables (bench/hook_bench measures it).
//
// Thread-safe: calls of one module are serialised; different modules run in parallel.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/program.h"
#include "engine/base/result.h"
#include "scripting/hook_file.h"
#include "scripting/script_host.h"

namespace consentflow::scripting {

struct LuaLimits {
  // Everything one module's Lua state holds (library, compiled code, the running call's tables
  // and strings). An allocation past it fails the call with "memory limit exceeded".
  std::size_t memory_bytes = 16 << 20;
  // Per call, in Lua VM instructions, checked every 1000 instructions (top-level code included).
  uint64_t instruction_limit = 1'000'000;
  // Per call, checked with the instruction budget.
  std::chrono::milliseconds wall_clock{100};
  // For the top-level code when the module is loaded (once per flow version, not per call).
  uint64_t load_instruction_limit = 10'000'000;
  std::chrono::milliseconds load_wall_clock{2000};
  std::size_t max_source_bytes = 1 << 20;
  // log(...) per call: lines beyond this are dropped (one line says so), each line is cut here.
  int max_log_lines = 20;
  std::size_t max_log_bytes = 1000;
};

class LuaHooks : public ScriptHost {
 public:
  // Loads (or reloads) the hooks file of `program` (a no-op when it declares none), resolved
  // relative to the folder of program.source_name. On an error the module loaded before, if any,
  // stays in service and the Status says why (file:line for Lua errors).
  virtual Status LoadFlow(const dsl::Program& program) = 0;
  // The same for a file, or for source text named `chunk_name` in messages.
  virtual Status LoadFile(const std::string& flow_id, int64_t version,
                          const std::string& hooks_file, const std::string& path) = 0;
  virtual Status LoadSource(const std::string& flow_id, int64_t version,
                            const std::string& hooks_file, std::string_view chunk_name,
                            std::string_view source) = 0;
  // Forgets the module of one flow version (a retired version).
  virtual void Unload(const std::string& flow_id, int64_t version) = 0;
  // Is a module loaded for this call's (flow id, version, hooks file)?
  virtual bool Loaded(const HookCall& call) const = 0;
};

std::unique_ptr<LuaHooks> MakeLuaScriptHost(LuaLimits limits = {});

// Loads the hooks file at `path` exactly as LuaHooks::LoadFile does (sandbox, top-level code run
// once) and lists the global functions it defines: what `consentflow check` uses, so a file that
// loads for the checker loads for the engine. Errors as LuaHooks::LoadFile.
Result<HookFileInfo> InspectHookFileInSandbox(const std::string& path, const LuaLimits& limits = {});

}  // namespace consentflow::scripting
