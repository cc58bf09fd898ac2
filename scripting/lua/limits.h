#pragma once

// The instruction budget and the wall-clock limit of a call (internal to scripting/lua/).

#include <chrono>
#include <cstdint>

#include "scripting/lua/runtime.h"

namespace consentflow::scripting::lua {

// Arms the count hook on `L` for a budget of `instructions` and a deadline `wall_clock` from now.
// Coroutines created later inherit the hook.
void StartLimits(lua_State* L, uint64_t instructions, std::chrono::milliseconds wall_clock);

// Removes the count hook (between calls nothing runs, so nothing needs counting).
void StopLimits(lua_State* L);

}  // namespace consentflow::scripting::lua
