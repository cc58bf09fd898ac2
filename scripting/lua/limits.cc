#include "scripting/lua/limits.h"

#include <algorithm>

namespace consentflow::scripting::lua {
namespace {

// How often the count hook runs, in VM instructions: rare enough to cost nothing measurable (a
// small hook never reaches it), frequent enough that the budget is overshot by at most this
// much and the clock is read every few microseconds of Lua code.
constexpr int kInterval = 1000;

// The count hook. Raising an error from a hook is allowed (Lua manual, lua_Hook). Once a limit is
// broken the hook runs on every instruction of that thread and raises again, so a script that
// catches the error with pcall cannot carry on: the first instruction after the pcall raises
// anew, until the error reaches the host's lua_pcall. Not noexcept: lua_error throws.
void CountHook(lua_State* L, lua_Debug* /*ar*/) {
  Runtime& runtime = RuntimeOf(L);
  if (runtime.stop == Stop::kNone) {
    runtime.instructions_run += static_cast<uint64_t>(lua_gethookcount(L));
    if (runtime.instructions_run > runtime.instruction_limit) {
      runtime.stop = Stop::kInstructions;
    } else if (std::chrono::steady_clock::now() > runtime.deadline) {
      runtime.stop = Stop::kWallClock;
    } else {
      return;
    }
  }
  lua_sethook(L, &CountHook, LUA_MASKCOUNT, 1);
  // Level 0 is the Lua function that was running (a hook has no frame of its own), so the
  // message points at the line of the loop.
  luaL_where(L, 0);
  if (runtime.stop == Stop::kInstructions) {
    lua_pushfstring(L, "instruction budget of %I exceeded",
                    static_cast<lua_Integer>(runtime.instruction_limit));
  } else {
    lua_pushfstring(L, "wall-clock limit of %I ms exceeded",
                    static_cast<lua_Integer>(runtime.wall_clock.count()));
  }
  lua_concat(L, 2);
  lua_error(L);
}

}  // namespace

void StartLimits(lua_State* L, uint64_t instructions, std::chrono::milliseconds wall_clock) {
  Runtime& runtime = RuntimeOf(L);
  runtime.instruction_limit = instructions;
  runtime.instructions_run = 0;
  runtime.stop = Stop::kNone;
  runtime.wall_clock = wall_clock;
  runtime.deadline = std::chrono::steady_clock::now() + wall_clock;
  const auto interval =
      static_cast<int>(std::clamp<uint64_t>(instructions, uint64_t{1}, uint64_t{kInterval}));
  lua_sethook(L, &CountHook, LUA_MASKCOUNT, interval);
}

void StopLimits(lua_State* L) { lua_sethook(L, nullptr, 0, 0); }

}  // namespace consentflow::scripting::lua
