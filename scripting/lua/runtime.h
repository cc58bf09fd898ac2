#pragma once

// The state every sandboxed Lua state carries (internal to scripting/lua/): limits, the running
// call and the module's identity. One Runtime per lua_State; the allocator's `ud` and the
// state's extra space both point at it, so C functions and hooks find it without globals.
//
// This is Debian's C++ build of Lua: a Lua error unwinds as a C++ exception that Lua catches
// with catch (...). So: no try/catch around Lua calls here (lua_pcall is how errors are
// caught), and every API call that may allocate runs inside lua_pcall, where an error has
// somewhere to go (outside, Lua calls abort()).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <lua.hpp>

#include "scripting/lua_hooks.h"
#include "scripting/script_host.h"

namespace consentflow::scripting::lua {

// What a limit stopped, so the error says which limit and not just Lua's message.
enum class Stop { kNone, kInstructions, kWallClock };

// The call being run (or the load): what hook C functions (ctx, log, os.time) need.
struct CallContext {
  const HookCall* call = nullptr;  // null while the module is loading
  HookResult* result = nullptr;    // null while loading
  std::string hook;                // "" while loading
  int64_t now_seconds = 0;         // os.time()
  int log_lines = 0;
  std::string where;  // "file:line" of the innermost Lua frame when an error was raised
  uint64_t generation = 0;  // ctx objects of an older call refuse to work
  std::vector<std::string> defined;  // loading: the global functions the file defines, sorted
};

struct Runtime {
  LuaLimits limits;
  std::string flow_id;
  int64_t version = 0;
  std::string chunk_name;  // the hooks file as shown in messages

  std::size_t memory_limit = 0;
  std::size_t memory_used = 0;

  uint64_t instruction_limit = 0;
  uint64_t instructions_run = 0;
  std::chrono::milliseconds wall_clock{0};
  std::chrono::steady_clock::time_point deadline;
  Stop stop = Stop::kNone;

  CallContext* call = nullptr;
  uint64_t generation = 0;
};

// The values to redact from what a call logs or raises: its fields' values and what it wrote.
std::vector<std::string> Secrets(const CallContext& cx);

inline Runtime& RuntimeOf(lua_State* L) { return **static_cast<Runtime**>(lua_getextraspace(L)); }

struct LuaStateCloser {
  void operator()(lua_State* L) const { lua_close(L); }
};
using LuaStatePtr = std::unique_ptr<lua_State, LuaStateCloser>;

// A state whose allocations count against runtime->memory_limit. `runtime` must outlive it.
// Null when even an empty state does not fit.
LuaStatePtr NewLuaState(Runtime* runtime);

// "file:line" of the innermost Lua function on the stack at or above `level` that belongs to
// the chunk named `chunk_name` (the hooks file), else of the innermost Lua function at all (code
// given to load()); "" when there is none.
std::string WhereLua(lua_State* L, int level, const std::string& chunk_name);

}  // namespace consentflow::scripting::lua
