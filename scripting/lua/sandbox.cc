#include "scripting/lua/sandbox.h"

#include <ctime>

#include "scripting/lua/hook_api.h"
#include "scripting/lua/library_guards.h"

namespace consentflow::scripting::lua {

const char kCurrentEnvironmentKey = 0;

namespace {

// Registry slots (their addresses are the keys).
const char kBaseKey = 0;            // the read-only global base every environment reads through
const char kEnvironmentMetaKey = 0;  // the metatable of every call's environment

constexpr const char* kBaseFunctions[] = {
    "assert", "error",  "ipairs",   "next",     "pairs",  "pcall",        "select", "tonumber",
    "tostring", "type", "xpcall",   "rawequal", "rawlen", "rawget",       "getmetatable",
    "_VERSION"};

// ---------------------------------------------------------------- read-only proxies
int RefuseWrite(lua_State* L) {
  return luaL_error(L, "cannot change the read-only table '%s'",
                    lua_tostring(L, lua_upvalueindex(1)));
}

// The iterator of a proxy's pairs(): next over the real table, which stays an upvalue and is
// never returned to the script.
int ProxyNext(lua_State* L) {
  lua_settop(L, 2);
  if (lua_next(L, lua_upvalueindex(1)) == 0) return 0;
  return 2;
}

int ProxyPairs(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushcclosure(L, &ProxyNext, 1);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

int ProxyLen(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, lua_upvalueindex(1))));
  return 1;
}

// ---------------------------------------------------------------- base functions
// load(chunk [, name [, mode [, env]]]): source text given as a string only (a reader function
// could be a C function that never ends), never binary (precompiled code can crash the VM), and
// by default in the running call's environment rather than the state's real globals.
int SafeLoad(lua_State* L) {
  luaL_checktype(L, 1, LUA_TSTRING);
  const bool env_given = lua_gettop(L) >= 4;  // an explicit nil is an empty environment, as in Lua
  const char* name = luaL_optstring(L, 2, "=(load)");
  const char* mode = luaL_optstring(L, 3, "t");
  if (mode[0] != 't' || mode[1] != '\0') {
    return luaL_error(L, "load: only source text may be loaded in a hook (mode 't'), not '%s'", mode);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushstring(L, name);
  lua_pushliteral(L, "t");
  if (env_given) {
    lua_pushvalue(L, 4);
  } else {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &kCurrentEnvironmentKey);
  }
  lua_call(L, 4, 2);
  return 2;
}

// setmetatable without __gc: a finalizer would run at a time no call controls (while another
// conversation's hook runs, or between calls) outside that call's budget.
int SafeSetmetatable(lua_State* L) {
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    const bool has_gc = lua_rawget(L, 2) != LUA_TNIL;
    lua_pop(L, 1);
    if (has_gc) return luaL_error(L, "setmetatable: __gc metamethods are not allowed in hooks");
  }
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

// ---------------------------------------------------------------- os.time, os.date
// Both use the engine's clock (the time of the event that runs the hook) and UTC, so a hook
// gives the same answer in a test, on a laptop and on a server in another time zone.
int64_t Now(lua_State* L) {
  const Runtime& runtime = RuntimeOf(L);
  return runtime.call != nullptr ? runtime.call->now_seconds : 0;
}

int FieldOr(lua_State* L, const char* key, int fallback, bool required, int low, int high) {
  const int type = lua_getfield(L, 1, key);
  int value = fallback;
  if (type == LUA_TNIL) {
    if (required) luaL_error(L, "os.time: field '%s' missing in the date table", key);
  } else {
    int is_integer = 0;
    const lua_Integer v = lua_tointegerx(L, -1, &is_integer);
    if (!is_integer || v < low || v > high) {
      luaL_error(L, "os.time: field '%s' must be an integer from %d to %d", key, low, high);
    }
    value = static_cast<int>(v);
  }
  lua_pop(L, 1);
  return value;
}

int OsTime(lua_State* L) {
  if (lua_isnoneornil(L, 1)) {
    lua_pushinteger(L, Now(L));
    return 1;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  std::tm tm{};
  tm.tm_year = FieldOr(L, "year", 0, true, 1, 9999) - 1900;
  tm.tm_mon = FieldOr(L, "month", 0, true, -1'000'000, 1'000'000) - 1;
  tm.tm_mday = FieldOr(L, "day", 0, true, -1'000'000, 1'000'000);
  tm.tm_hour = FieldOr(L, "hour", 12, false, -1'000'000, 1'000'000);
  tm.tm_min = FieldOr(L, "min", 0, false, -1'000'000, 1'000'000);
  tm.tm_sec = FieldOr(L, "sec", 0, false, -1'000'000, 1'000'000);
  lua_pushinteger(L, static_cast<lua_Integer>(timegm(&tm)));
  return 1;
}

int OsDate(lua_State* L) {
  const char* format = luaL_optstring(L, 1, "%c");
  if (format[0] == '!') ++format;
  const lua_Integer time = luaL_opt(L, luaL_checkinteger, 2, Now(L));
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushfstring(L, "!%s", format);
  lua_pushinteger(L, time);
  lua_call(L, 2, 1);
  return 1;
}

// Opens a library into a local table, leaving it on the stack (and not in the globals).
void Require(lua_State* L, const char* name, lua_CFunction open) {
  luaL_requiref(L, name, open, 0);
}

}  // namespace

void PushReadOnly(lua_State* L, int index, const char* name) {
  index = lua_absindex(L, index);
  lua_newtable(L);                       // the proxy
  lua_createtable(L, 0, 5);              // its metatable
  lua_pushvalue(L, index);
  lua_setfield(L, -2, "__index");
  lua_pushstring(L, name);
  lua_pushcclosure(L, &RefuseWrite, 1);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, index);
  lua_pushcclosure(L, &ProxyPairs, 1);
  lua_setfield(L, -2, "__pairs");
  lua_pushvalue(L, index);
  lua_pushcclosure(L, &ProxyLen, 1);
  lua_setfield(L, -2, "__len");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

int OpenSandbox(lua_State* L) {
  lua_settop(L, 0);
  Require(L, LUA_GNAME, &luaopen_base);         // 1: the real globals, filled by luaopen_base
  Require(L, LUA_STRLIBNAME, &luaopen_string);  // 2
  Require(L, LUA_TABLIBNAME, &luaopen_table);   // 3
  Require(L, LUA_MATHLIBNAME, &luaopen_math);   // 4
  Require(L, LUA_UTF8LIBNAME, &luaopen_utf8);   // 5
  Require(L, LUA_COLIBNAME, &luaopen_coroutine);  // 6
  Require(L, LUA_OSLIBNAME, &luaopen_os);       // 7
  lua_newtable(L);                              // 8: what the base will show

  for (const char* name : kBaseFunctions) {
    lua_getfield(L, 1, name);
    lua_setfield(L, 8, name);
  }
  lua_getfield(L, 1, "load");
  lua_pushcclosure(L, &SafeLoad, 1);
  lua_setfield(L, 8, "load");
  lua_getfield(L, 1, "setmetatable");
  lua_pushcclosure(L, &SafeSetmetatable, 1);
  lua_setfield(L, 8, "setmetatable");

  GuardLibraries(L, 2, 3);
  // The string metatable's __index is the real string table; lock the metatable so that
  // getmetatable("") gives nothing to change.
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);

  lua_pushnil(L);
  lua_setfield(L, 4, "randomseed");  // one call must not fix the numbers of the next

  const struct {
    int index;
    const char* name;
  } libraries[] = {{2, LUA_STRLIBNAME}, {3, LUA_TABLIBNAME}, {4, LUA_MATHLIBNAME},
                   {5, LUA_UTF8LIBNAME}, {6, LUA_COLIBNAME}};
  for (const auto& library : libraries) {
    PushReadOnly(L, library.index, library.name);
    lua_setfield(L, 8, library.name);
  }
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, &OsTime);
  lua_setfield(L, -2, "time");
  lua_getfield(L, 7, "date");
  lua_pushcclosure(L, &OsDate, 1);
  lua_setfield(L, -2, "date");
  PushReadOnly(L, -1, LUA_OSLIBNAME);
  lua_setfield(L, 8, LUA_OSLIBNAME);
  lua_pop(L, 1);

  AddHookApi(L, 8);

  // Empty the real globals (dofile, loadfile, print, collectgarbage, ... were put there by
  // luaopen_base): nothing should be left to find even through a hole elsewhere.
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushnil(L);
    lua_rawset(L, 1);
  }

  PushReadOnly(L, 8, "_ENV");
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kBaseKey);
  lua_createtable(L, 0, 2);  // the environments' metatable
  lua_insert(L, -2);
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kEnvironmentMetaKey);
  lua_settop(L, 0);
  return 0;
}

void PushFreshEnvironment(lua_State* L) {
  lua_createtable(L, 0, 4);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kEnvironmentMetaKey);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "_G");
}

}  // namespace consentflow::scripting::lua
