#include "scripting/lua/library_guards.h"

#include <algorithm>
#include <cmath>

namespace consentflow::scripting::lua {
namespace {

// Calls the real function (upvalue 1) with every argument of this call, returning all results.
int CallReal(lua_State* L) {
  const int args = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, args, LUA_MULTRET);
  return lua_gettop(L);
}

int GuardedRep(lua_State* L) {
  std::size_t length = 0;
  std::size_t separator = 0;
  luaL_checklstring(L, 1, &length);
  const lua_Integer n = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &separator);
  if (n <= 0 || length + separator == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  return CallReal(L);
}

// Skips one single-character class at p[i] ("%a", "[a-z]", ".", "x"); returns the index after it.
std::size_t SkipClass(const char* p, std::size_t size, std::size_t i) {
  if (p[i] == '%') return std::min(size, i + 2);
  if (p[i] != '[') return i + 1;
  ++i;
  if (i < size && p[i] == '^') ++i;
  // As Lua's classEnd: the first character of a set is taken literally, even a ']'.
  do {
    if (i >= size) return size;
    if (p[i++] == '%' && i < size) ++i;
  } while (i < size && p[i] != ']');
  return std::min(size, i + 1);
}

int CheckPattern(lua_State* L, const char* name, bool anchor_allowed, int plain_arg) {
  std::size_t subject = 0;
  std::size_t pattern = 0;
  luaL_checklstring(L, 1, &subject);
  const char* p = luaL_checklstring(L, 2, &pattern);
  if (plain_arg > 0 && lua_toboolean(L, plain_arg)) return CallReal(L);
  if (PatternWorstCase(p, pattern, subject, anchor_allowed) > kMaxPatternSteps) {
    return luaL_error(L,
                      "string.%s: the pattern could take more than 100 million steps on a "
                      "%I-byte text; anchor it with '^', use fewer repetitions (* + -) or a "
                      "shorter text",
                      name, static_cast<lua_Integer>(subject));
  }
  return CallReal(L);
}

int GuardedFind(lua_State* L) { return CheckPattern(L, "find", true, 4); }
int GuardedMatch(lua_State* L) { return CheckPattern(L, "match", true, 0); }
int GuardedGmatch(lua_State* L) { return CheckPattern(L, "gmatch", false, 0); }
int GuardedGsub(lua_State* L) { return CheckPattern(L, "gsub", true, 0); }

void RefuseLenMetamethod(lua_State* L, const char* name) {
  if (lua_type(L, 1) != LUA_TTABLE || !lua_getmetatable(L, 1)) return;
  lua_pushliteral(L, "__len");
  const bool has_len = lua_rawget(L, -2) != LUA_TNIL;
  lua_pop(L, 2);
  if (has_len) luaL_error(L, "table.%s: tables with a __len metamethod are not accepted in hooks", name);
}

void CheckRange(lua_State* L, const char* name, lua_Integer first, lua_Integer last) {
  // Unsigned: last - first may not fit a lua_Integer.
  if (last >= first && static_cast<lua_Unsigned>(last) - static_cast<lua_Unsigned>(first) >=
                           static_cast<lua_Unsigned>(kMaxTableRange)) {
    luaL_error(L, "table.%s: at most 2^20 elements at a time in a hook", name);
  }
}

int GuardedMove(lua_State* L) {
  CheckRange(L, "move", luaL_checkinteger(L, 2), luaL_checkinteger(L, 3));
  return CallReal(L);
}

int GuardedConcat(lua_State* L) {
  RefuseLenMetamethod(L, "concat");
  luaL_checktype(L, 1, LUA_TTABLE);
  const lua_Integer first = luaL_optinteger(L, 3, 1);
  const lua_Integer last =
      lua_isnoneornil(L, 4) ? static_cast<lua_Integer>(lua_rawlen(L, 1)) : luaL_checkinteger(L, 4);
  CheckRange(L, "concat", first, last);
  return CallReal(L);
}

int GuardedInsert(lua_State* L) { RefuseLenMetamethod(L, "insert"); return CallReal(L); }
int GuardedRemove(lua_State* L) { RefuseLenMetamethod(L, "remove"); return CallReal(L); }
int GuardedSort(lua_State* L) { RefuseLenMetamethod(L, "sort"); return CallReal(L); }
int GuardedUnpack(lua_State* L) { RefuseLenMetamethod(L, "unpack"); return CallReal(L); }

// Replaces t[name] (t at `index`) by `guard` with the real function as its upvalue.
void Wrap(lua_State* L, int index, const char* name, lua_CFunction guard) {
  index = lua_absindex(L, index);
  lua_getfield(L, index, name);
  lua_pushcclosure(L, guard, 1);
  lua_setfield(L, index, name);
}

}  // namespace

// The matcher backtracks at each repetition item (x*, x+, x-): with q of them over n bytes it
// may try every way to split the text among them, C(n + q, q) ways, at each of n + 1 start
// positions unless anchored; each optional item (x?) doubles that; each try walks the pattern.
double PatternWorstCase(const char* p, std::size_t size, std::size_t subject_bytes,
                        bool anchor_allowed) {
  std::size_t i = 0;
  bool anchored = false;
  if (anchor_allowed && size > 0 && p[0] == '^') {
    anchored = true;
    i = 1;
  }
  int repetitions = 0;
  int optionals = 0;
  int items = 0;
  while (i < size) {
    if (p[i] == '(' || p[i] == ')') {
      ++i;
      continue;
    }
    if (p[i] == '%' && i + 1 < size && p[i + 1] == 'b') {
      i = std::min(size, i + 4);
      ++items;
      continue;
    }
    if (p[i] == '%' && i + 1 < size && p[i + 1] == 'f') {
      i = i + 2 < size ? SkipClass(p, size, i + 2) : size;
      ++items;
      continue;
    }
    i = SkipClass(p, size, i);
    ++items;
    if (i < size && (p[i] == '*' || p[i] == '+' || p[i] == '-')) {
      ++repetitions;
      ++i;
    } else if (i < size && p[i] == '?') {
      ++optionals;
      ++i;
    }
  }
  const double n = static_cast<double>(subject_bytes);
  double splits = 1;
  for (int k = 1; k <= repetitions && splits < 1e300; ++k) splits = splits * (n + k) / k;
  const double starts = anchored ? 1 : n + 1;
  return starts * splits * std::pow(2.0, std::min(optionals, 64)) * std::max(items, 1);
}

void GuardLibraries(lua_State* L, int string_index, int table_index) {
  string_index = lua_absindex(L, string_index);
  table_index = lua_absindex(L, table_index);
  Wrap(L, string_index, "rep", &GuardedRep);
  Wrap(L, string_index, "find", &GuardedFind);
  Wrap(L, string_index, "match", &GuardedMatch);
  Wrap(L, string_index, "gmatch", &GuardedGmatch);
  Wrap(L, string_index, "gsub", &GuardedGsub);
  for (const char* removed : {"dump", "pack", "packsize", "unpack"}) {
    lua_pushnil(L);
    lua_setfield(L, string_index, removed);
  }
  Wrap(L, table_index, "move", &GuardedMove);
  Wrap(L, table_index, "concat", &GuardedConcat);
  Wrap(L, table_index, "insert", &GuardedInsert);
  Wrap(L, table_index, "remove", &GuardedRemove);
  Wrap(L, table_index, "sort", &GuardedSort);
  Wrap(L, table_index, "unpack", &GuardedUnpack);
}

}  // namespace consentflow::scripting::lua
