#include "scripting/hook_file.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <utility>

#include <lua.hpp>

#include "scripting/lua/read_hook_file.h"

// This is the C++ build of Lua (liblua5.4-c++): a Lua error unwinds as a C++ exception, and Lua
// catches it with catch (...). Two consequences shape this file:
//  - nothing here wraps Lua calls in try/catch; lua_pcall is the only way errors are caught;
//  - any Lua API call that may allocate (and so may raise "not enough memory") runs inside
//    lua_pcall. An error outside every protected call has nowhere to go and Lua calls abort().
//    That is why the environment table is created inside RunChunk rather than before the call.

namespace consentflow::scripting {
namespace {

// The allocator's `ud`. It also carries the instruction count so the count hook needs no global
// state: the hook finds it again with lua_getallocf. It must outlive the lua_State.
struct LoadBudget {
  std::size_t memory_limit = 0;
  std::size_t memory_used = 0;
  uint64_t instruction_limit = 0;
  uint64_t instructions_run = 0;
};

// How often the count hook runs, in VM instructions: rare enough to cost nothing measurable,
// frequent enough that the budget is overshot by at most this much.
constexpr uint64_t kHookInterval = 1000;

constexpr char kInstructionBudgetMessage[] =
    "hook file exceeded its instruction budget while loading";

// lua_Alloc with a byte cap. When `ptr` is null, `osize` is a type tag, not a size (Lua manual,
// lua_Alloc), so the old size only counts for an existing block. Refusing (returning null) is how
// an allocator reports failure; Lua then runs a full GC, retries once and raises LUA_ERRMEM.
void* CappedAlloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) noexcept {
  auto* budget = static_cast<LoadBudget*>(ud);
  const std::size_t old_size = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    std::free(ptr);
    budget->memory_used -= old_size;
    return nullptr;
  }
  if (nsize > old_size && nsize - old_size > budget->memory_limit - budget->memory_used) {
    return nullptr;
  }
  void* block = std::realloc(ptr, nsize);
  if (block == nullptr) return nullptr;
  budget->memory_used = budget->memory_used - old_size + nsize;
  return block;
}

// The count hook. Raising an error from a hook is allowed (Lua manual, lua_Hook); it unwinds to
// the lua_pcall in InspectHookSource. Not noexcept: lua_error throws.
void CountHook(lua_State* L, lua_Debug* /*ar*/) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  auto* budget = static_cast<LoadBudget*>(ud);
  budget->instructions_run += static_cast<uint64_t>(lua_gethookcount(L));
  if (budget->instructions_run <= budget->instruction_limit) return;
  // Level 0 is the Lua function that was running (a hook has no frame of its own), so the
  // message points at the line of the loop: "flows/x.lua:3: hook file exceeded ...".
  luaL_where(L, 0);
  lua_pushstring(L, kInstructionBudgetMessage);
  lua_concat(L, 2);
  lua_error(L);
}

// Protected part of the load, called through lua_pcall with the compiled chunk as its argument.
// Gives the chunk a fresh, empty table as _ENV (its first and only upvalue), runs it and returns
// that table.
int RunChunk(lua_State* L) {
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_setupvalue(L, 1, 1);
  lua_pushvalue(L, 1);
  lua_call(L, 0, 0);
  return 1;
}

struct LuaStateCloser {
  void operator()(lua_State* L) const { lua_close(L); }
};
using LuaStatePtr = std::unique_ptr<lua_State, LuaStateCloser>;

// Lua shortens a "=name" chunk name to its first LUA_IDSIZE - 1 bytes in messages. Put the whole
// name back, so a deep path reads the same as a short one.
std::string RestoreChunkName(std::string message, std::string_view chunk_name) {
  constexpr std::size_t kKept = LUA_IDSIZE - 1;
  if (chunk_name.size() > kKept && message.size() > kKept && message[kKept] == ':' &&
      std::string_view(message).substr(0, kKept) == chunk_name.substr(0, kKept)) {
    message.replace(0, kKept, chunk_name);
  }
  return message;
}

// Turns the error object on top of the stack into the Status InspectHookSource reports. Reads the
// object without converting it (lua_tolstring on a number would allocate, outside protection).
Status LoadError(lua_State* L, int lua_status, std::string_view chunk_name,
                 const HookFileLimits& limits) {
  const std::string name(chunk_name);
  if (lua_status == LUA_ERRMEM) {
    return Status::InvalidArgument(name + ": not enough memory (hook file memory limit is " +
                                   std::to_string(limits.memory_bytes) + " bytes)");
  }
  if (lua_type(L, -1) != LUA_TSTRING) {
    return Status::InvalidArgument(name + ": error object is a " + luaL_typename(L, -1) + " value");
  }
  std::string message = RestoreChunkName(lua_tostring(L, -1), chunk_name);
  // Messages from the loader itself ("attempt to load a binary chunk") carry no location.
  if (!message.starts_with(name + ":")) message = name + ": " + message;
  return Status::InvalidArgument(std::move(message));
}

// Names of the string keys of the table on top of the stack whose values are functions. Uses only
// API calls that neither allocate nor raise, so it is safe outside lua_pcall.
std::vector<std::string> GlobalFunctions(lua_State* L) {
  std::vector<std::string> names;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION) {
      std::size_t length = 0;
      const char* key = lua_tolstring(L, -2, &length);
      names.emplace_back(key, length);
    }
    lua_pop(L, 1);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace

Result<HookFileInfo> InspectHookSource(std::string_view chunk_name, std::string_view text,
                                       const HookFileLimits& limits) {
  const std::string name(chunk_name);
  if (text.size() > limits.max_source_bytes) {
    return Status::InvalidArgument(name + ": hook file is larger than the limit of " +
                                   std::to_string(limits.max_source_bytes) + " bytes");
  }
  // Declared before `state` so that it is destroyed after lua_close, which still frees memory.
  LoadBudget budget{.memory_limit = limits.memory_bytes,
                    .instruction_limit = limits.instruction_limit};
  LuaStatePtr state(lua_newstate(&CappedAlloc, &budget));
  if (state == nullptr) {
    return Status::ResourceExhausted(name + ": cannot create a Lua state within " +
                                     std::to_string(limits.memory_bytes) + " bytes");
  }
  lua_State* L = state.get();

  // No luaL_openlibs: the file sees no library at all. Mode "t" refuses precompiled chunks, which
  // can crash the VM. "=" makes Lua print the name as given, without "[string ...]".
  const std::string lua_chunk_name = "=" + name;
  int status = luaL_loadbufferx(L, text.data(), text.size(), lua_chunk_name.c_str(), "t");
  if (status != LUA_OK) return LoadError(L, status, chunk_name, limits);

  const auto interval =
      static_cast<int>(std::clamp<uint64_t>(limits.instruction_limit, uint64_t{1}, kHookInterval));
  lua_sethook(L, &CountHook, LUA_MASKCOUNT, interval);
  lua_pushcfunction(L, &RunChunk);
  lua_insert(L, -2);
  status = lua_pcall(L, 1, 1, 0);
  if (status != LUA_OK) return LoadError(L, status, chunk_name, limits);

  return HookFileInfo{.functions = GlobalFunctions(L)};
}

Result<HookFileInfo> InspectHookFile(const std::string& path, const HookFileLimits& limits) {
  Result<std::string> text = lua::ReadHookFile(path, limits.max_source_bytes);
  if (!text) return text.error();
  return InspectHookSource(path, *text, limits);
}

}  // namespace consentflow::scripting
