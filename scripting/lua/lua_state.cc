#include <cstdlib>

#include "scripting/lua/runtime.h"

namespace consentflow::scripting::lua {
namespace {

// lua_Alloc with a byte cap. When `ptr` is null, `osize` is a type tag, not a size (Lua manual,
// lua_Alloc), so the old size only counts for an existing block. Refusing (returning null) is how
// an allocator reports failure; Lua then runs an emergency collection, retries once and raises
// LUA_ERRMEM, which ends the call (the message handler is not run for memory errors).
void* CappedAlloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) noexcept {
  auto* runtime = static_cast<Runtime*>(ud);
  const std::size_t old_size = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    std::free(ptr);
    runtime->memory_used -= old_size;
    return nullptr;
  }
  if (nsize > old_size && nsize - old_size > runtime->memory_limit - runtime->memory_used) {
    return nullptr;
  }
  void* block = std::realloc(ptr, nsize);
  if (block == nullptr) return nullptr;
  runtime->memory_used = runtime->memory_used - old_size + nsize;
  return block;
}

}  // namespace

LuaStatePtr NewLuaState(Runtime* runtime) {
  LuaStatePtr state(lua_newstate(&CappedAlloc, runtime));
  if (state != nullptr) *static_cast<Runtime**>(lua_getextraspace(state.get())) = runtime;
  return state;
}

std::vector<std::string> Secrets(const CallContext& cx) {
  std::vector<std::string> secrets;
  if (cx.call != nullptr) {
    for (const auto& [name, value] : cx.call->fields) secrets.push_back(value);
  }
  if (cx.result != nullptr) {
    for (const auto& [name, value] : cx.result->writes) secrets.push_back(value);
  }
  return secrets;
}

std::string WhereLua(lua_State* L, int level, const std::string& chunk_name) {
  std::string innermost;
  lua_Debug ar;
  for (int i = level; lua_getstack(L, i, &ar) != 0; ++i) {
    if (lua_getinfo(L, "Sl", &ar) == 0 || ar.currentline <= 0) continue;
    // Chunks are named "=path": the whole path, unlike short_src, which Lua cuts at 60 bytes.
    const bool named = ar.source[0] == '=' || ar.source[0] == '@';
    const std::string line = std::to_string(ar.currentline);
    if (named && chunk_name == ar.source + 1) return chunk_name + ":" + line;
    if (innermost.empty()) innermost = (named ? ar.source + 1 : ar.short_src) + (":" + line);
  }
  return innermost;
}

}  // namespace consentflow::scripting::lua
