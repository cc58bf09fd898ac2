#pragma once

// The sandboxed global environment (internal to scripting/lua/).
//
// What a hook sees: base functions that cannot reach outside the state (assert, error, ipairs,
// next, pairs, pcall, xpcall, select, tonumber, tostring, type, rawequal, rawlen, rawget,
// getmetatable, setmetatable without __gc, load of source text only), the libraries string,
// table, math, utf8 and coroutine (with guards on the functions whose C loops could outrun the
// instruction budget, library_guards.h), os.time and os.date on the engine's clock in UTC, and
// log. Not there: io, os.execute/getenv/remove/exit/clock..., package, require, dofile, loadfile,
// debug, string.dump, collectgarbage, print, _G's real table.
//
// Every shared table is a read-only proxy (writes raise, the real table is never handed out, its
// metatable is locked) and the string metatable is locked, so no call can change what another
// call sees. Each call gets a fresh environment table whose __index is that read-only base.

#include "scripting/lua/runtime.h"

namespace consentflow::scripting::lua {

// Builds the sandbox in a new state. A lua_CFunction: run it with lua_pcall (it allocates).
int OpenSandbox(lua_State* L);

// Pushes a new, empty environment for one call (or the load) that reads through to the sandbox.
// Allocates: call inside lua_pcall.
void PushFreshEnvironment(lua_State* L);

// Pushes a read-only proxy of the table at `index`; `name` is shown in the error on a write.
void PushReadOnly(lua_State* L, int index, const char* name);

// The registry slot holding the environment of the running call (the default of load's env).
extern const char kCurrentEnvironmentKey;

}  // namespace consentflow::scripting::lua
