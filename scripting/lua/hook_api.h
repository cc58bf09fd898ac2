#pragma once

// What a hook gets from the engine (internal to scripting/lua/): the ctx argument and log().
//
//   ctx.flow, ctx.version, ctx.state, ctx.hook, ctx.language   -- strings (version: an integer)
//   ctx.fields.NAME    -- the stored value as text, or nil; only fields whose purpose has an
//                         active consent; read-only; pairs(ctx.fields) lists them
//   ctx:set(NAME, v)   -- writes a field the `call` lists after `writes` (string, number or
//                         boolean); any other field raises an error
//   log(...)           -- one line in the engine's log, personal data redacted
//
// ctx is a userdata tied to its call: kept anywhere and used in a later call it raises.

#include "scripting/lua/runtime.h"

namespace consentflow::scripting::lua {

// Adds `log` to the table at `base_index` and registers ctx's metatables. Allocates.
void AddHookApi(lua_State* L, int base_index);

// Pushes the ctx of the running call (RuntimeOf(L).call). Allocates.
void PushContext(lua_State* L);

}  // namespace consentflow::scripting::lua
