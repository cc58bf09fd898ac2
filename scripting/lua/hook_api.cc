#include "scripting/lua/hook_api.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "engine/base/log.h"
#include "scripting/redact.h"

namespace consentflow::scripting::lua {
namespace {

const char kContextMetaKey = 0;
const char kFieldsMetaKey = 0;

// A ctx value (and ctx.fields) holds only the generation of its call.
struct ContextBox {
  uint64_t generation;
};

// The running call that owns the box at `index`; raises when the box belongs to an ended call.
CallContext& OwnerOf(lua_State* L, int index, const char* key) {
  const Runtime& runtime = RuntimeOf(L);
  auto* box = static_cast<ContextBox*>(lua_touserdata(L, index));
  if (box == nullptr || lua_rawlen(L, index) != sizeof(ContextBox) || runtime.call == nullptr ||
      runtime.call->call == nullptr || box->generation != runtime.call->generation) {
    luaL_error(L, "%s belongs to a hook call that has ended", key);
  }
  return *runtime.call;
}

void PushString(lua_State* L, const std::string& s) { lua_pushlstring(L, s.data(), s.size()); }

void PushBox(lua_State* L, const void* meta_key) {
  auto* box = static_cast<ContextBox*>(lua_newuserdatauv(L, sizeof(ContextBox), 0));
  box->generation = RuntimeOf(L).call->generation;
  lua_rawgetp(L, LUA_REGISTRYINDEX, meta_key);
  lua_setmetatable(L, -2);
}

// ---------------------------------------------------------------- ctx:set
int ContextSet(lua_State* L) {
  CallContext& cx = OwnerOf(L, 1, "ctx");
  std::size_t name_length = 0;
  const char* name_data = luaL_checklstring(L, 2, &name_length);
  const std::string name(name_data, name_length);
  const std::vector<std::string>& writable = cx.call->writable;
  if (std::find(writable.begin(), writable.end(), name) == writable.end()) {
    std::string allowed;
    for (const std::string& w : writable) allowed += (allowed.empty() ? "'" : ", '") + w + "'";
    return luaL_error(L,
                      "ctx:set('%s'): this call may not write '%s' (%s); list it after 'writes' "
                      "in the flow's call step",
                      name.c_str(), name.c_str(),
                      allowed.empty() ? "it writes no field" : ("it writes " + allowed).c_str());
  }
  std::string value;
  switch (lua_type(L, 3)) {
    case LUA_TSTRING:
    case LUA_TNUMBER: {  // a number converts in place: 3 -> "3", 2.5 -> "2.5"
      std::size_t length = 0;
      const char* data = lua_tolstring(L, 3, &length);
      value.assign(data, length);
      break;
    }
    case LUA_TBOOLEAN:
      value = lua_toboolean(L, 3) ? "yes" : "no";
      break;
    default:
      return luaL_error(L, "ctx:set('%s', value): the value must be a string, number or boolean, "
                           "not %s", name.c_str(), luaL_typename(L, 3));
  }
  constexpr std::size_t kMaxValue = 64 * 1024;
  if (value.size() > kMaxValue) {
    return luaL_error(L, "ctx:set('%s'): the value is longer than %d bytes", name.c_str(),
                      static_cast<int>(kMaxValue));
  }
  cx.result->writes[name] = std::move(value);
  return 0;
}

// ---------------------------------------------------------------- ctx
int ContextIndex(lua_State* L) {
  CallContext& cx = OwnerOf(L, 1, "ctx");
  const char* key = luaL_checkstring(L, 2);
  const HookCall& call = *cx.call;
  if (std::strcmp(key, "fields") == 0) {
    PushBox(L, &kFieldsMetaKey);
  } else if (std::strcmp(key, "set") == 0) {
    lua_pushcfunction(L, &ContextSet);
  } else if (std::strcmp(key, "flow") == 0) {
    PushString(L, call.flow_id);
  } else if (std::strcmp(key, "version") == 0) {
    lua_pushinteger(L, static_cast<lua_Integer>(call.flow_version));
  } else if (std::strcmp(key, "state") == 0) {
    PushString(L, call.state);
  } else if (std::strcmp(key, "hook") == 0) {
    PushString(L, call.hook);
  } else if (std::strcmp(key, "language") == 0) {
    PushString(L, call.language);
  } else {
    return luaL_error(L, "ctx has no member '%s' (it has fields, set, flow, version, state, hook, "
                         "language; a field's value is ctx.fields.%s)", key, key);
  }
  return 1;
}

int RefuseContextWrite(lua_State* L) {
  return luaL_error(L, "ctx is read-only: write a field with ctx:set(field, value)");
}

// ---------------------------------------------------------------- ctx.fields
int FieldsIndex(lua_State* L) {
  CallContext& cx = OwnerOf(L, 1, "ctx.fields");
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  std::size_t length = 0;
  const char* key = lua_tolstring(L, 2, &length);
  const auto it = cx.call->fields.find(std::string(key, length));
  if (it == cx.call->fields.end()) return 0;
  PushString(L, it->second);
  return 1;
}

int RefuseFieldsWrite(lua_State* L) {
  return luaL_error(L, "ctx.fields is read-only: write a field with ctx:set(field, value) when "
                       "the call lists it after 'writes'");
}

// next() over the call's fields, in name order: (name, value) after `key`.
int FieldsNext(lua_State* L) {
  CallContext& cx = OwnerOf(L, 1, "ctx.fields");
  const auto& fields = cx.call->fields;
  auto it = fields.begin();
  if (!lua_isnoneornil(L, 2)) {
    std::size_t length = 0;
    const char* key = luaL_checklstring(L, 2, &length);
    it = fields.upper_bound(std::string(key, length));
  }
  if (it == fields.end()) return 0;
  PushString(L, it->first);
  PushString(L, it->second);
  return 2;
}

int FieldsPairs(lua_State* L) {
  OwnerOf(L, 1, "ctx.fields");
  lua_pushcfunction(L, &FieldsNext);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

int FieldsLen(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(OwnerOf(L, 1, "ctx.fields").call->fields.size()));
  return 1;
}

// ---------------------------------------------------------------- log
// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence.
void CutUtf8(std::string& text, std::size_t limit) {
  if (text.size() <= limit) return;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  text += "...";
}

int LogFunction(lua_State* L) {
  Runtime& runtime = RuntimeOf(L);
  CallContext* cx = runtime.call;
  if (cx == nullptr) return 0;
  if (cx->log_lines > runtime.limits.max_log_lines) return 0;  // dropped, and said so once
  const std::string where = WhereLua(L, 1, runtime.chunk_name);
  if (cx->log_lines >= runtime.limits.max_log_lines) {
    if (cx->log_lines++ == runtime.limits.max_log_lines) {
      engine::Log(engine::LogLevel::kWarning, "hook_log_dropped",
                  {{"flow", runtime.flow_id}, {"version", runtime.version}, {"hook", cx->hook},
                   {"where", where},
                   {"message", "further log lines of this hook call are dropped (limit " +
                                   std::to_string(runtime.limits.max_log_lines) + ")"}});
    }
    return 0;
  }
  ++cx->log_lines;
  std::string text;
  const int args = lua_gettop(L);
  for (int i = 1; i <= args; ++i) {
    std::size_t length = 0;
    const char* piece = luaL_tolstring(L, i, &length);  // may run __tostring, inside the budget
    if (i > 1) text += ' ';
    text.append(piece, std::min(length, runtime.limits.max_log_bytes * 4));
    lua_pop(L, 1);
  }
  std::string message = Redact(text, Secrets(*cx));
  CutUtf8(message, runtime.limits.max_log_bytes);
  engine::Log(engine::LogLevel::kInfo, "hook_log",
              {{"flow", runtime.flow_id}, {"version", runtime.version},
               {"hook", cx->hook.empty() ? std::string("(load)") : cx->hook}, {"where", where},
               {"message", message}});
  return 0;
}

void RegisterMeta(lua_State* L, const void* key, lua_CFunction index, lua_CFunction newindex,
                  lua_CFunction pairs, lua_CFunction len, const char* name) {
  lua_createtable(L, 0, 6);
  lua_pushcfunction(L, index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, newindex);
  lua_setfield(L, -2, "__newindex");
  if (pairs != nullptr) {
    lua_pushcfunction(L, pairs);
    lua_setfield(L, -2, "__pairs");
  }
  if (len != nullptr) {
    lua_pushcfunction(L, len);
    lua_setfield(L, -2, "__len");
  }
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

}  // namespace

void AddHookApi(lua_State* L, int base_index) {
  base_index = lua_absindex(L, base_index);
  lua_pushcfunction(L, &LogFunction);
  lua_setfield(L, base_index, "log");
  RegisterMeta(L, &kContextMetaKey, &ContextIndex, &RefuseContextWrite, nullptr, nullptr,
               "hook context");
  RegisterMeta(L, &kFieldsMetaKey, &FieldsIndex, &RefuseFieldsWrite, &FieldsPairs, &FieldsLen,
               "hook fields");
}

void PushContext(lua_State* L) { PushBox(L, &kContextMetaKey); }

}  // namespace consentflow::scripting::lua
