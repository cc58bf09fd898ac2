#include "scripting/lua/lua_script_host.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <shared_mutex>
#include <tuple>

#include "engine/base/log.h"
#include "scripting/hook_file.h"
#include "scripting/lua/hook_api.h"
#include "scripting/lua/limits.h"
#include "scripting/lua/read_hook_file.h"
#include "scripting/lua/sandbox.h"
#include "scripting/lua_hooks.h"
#include "scripting/redact.h"

namespace consentflow::scripting::lua {
namespace {

const char kMainKey = 0;  // registry slot of the compiled top-level chunk

// The message handler of every run: notes where the error was raised (the innermost Lua
// function still on the stack) and leaves the error value as it is. Lua does not call it for
// memory errors.
int MessageHandler(lua_State* L) {
  Runtime& runtime = RuntimeOf(L);
  if (runtime.call != nullptr) {
    std::string where = WhereLua(L, 1, runtime.chunk_name);
    if (!where.empty()) runtime.call->where = std::move(where);
  }
  return 1;
}

int StoreMain(lua_State* L) {
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kMainKey);
  return 0;
}

// Names of the string keys of the table at `index` whose values are functions.
std::vector<std::string> FunctionsIn(lua_State* L, int index) {
  std::vector<std::string> names;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION) {
      std::size_t length = 0;
      const char* key = lua_tolstring(L, -2, &length);
      names.emplace_back(key, length);
    }
    lua_pop(L, 1);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The protected part of a run (see lua_script_host.h for why the chunk runs every time).
int RunProtected(lua_State* L) {
  Runtime& runtime = RuntimeOf(L);
  CallContext& cx = *runtime.call;
  PushFreshEnvironment(L);  // 1
  lua_pushvalue(L, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kCurrentEnvironmentKey);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kMainKey);  // 2
  lua_pushvalue(L, 1);
  lua_setupvalue(L, 2, 1);  // _ENV, shared by every function the chunk defines
  lua_call(L, 0, 0);
  if (cx.call == nullptr) {  // loading: list what the file defines
    cx.defined = FunctionsIn(L, 1);
    return 0;
  }
  lua_pushlstring(L, cx.hook.data(), cx.hook.size());
  if (lua_rawget(L, 1) != LUA_TFUNCTION) {  // 2
    return luaL_error(L, "%s defines no function '%s' (was the hooks file changed without "
                         "checking the flow again?)", runtime.chunk_name.c_str(), cx.hook.c_str());
  }
  lua_Debug ar;
  lua_pushvalue(L, 2);
  lua_getinfo(L, ">S", &ar);
  const int defined_at = ar.linedefined;
  PushContext(L);
  lua_call(L, 1, 1);
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      std::size_t length = 0;
      const char* outcome = lua_tolstring(L, -1, &length);
      cx.result->outcome.assign(outcome, length);
      return 0;
    }
    case LUA_TNIL:
      cx.result->outcome.clear();
      return 0;
    default:
      cx.where = runtime.chunk_name + ":" + std::to_string(defined_at);
      return luaL_error(L, "hook '%s' returned a %s; return a string naming an outcome of the "
                           "call (or nothing, to go on with the next step)",
                        cx.hook.c_str(), luaL_typename(L, -1));
  }
}

// Lua shortens a "=name" chunk name to its first LUA_IDSIZE - 1 bytes in messages; put the whole
// name back.
std::string RestoreChunkName(std::string message, const std::string& chunk_name) {
  constexpr std::size_t kKept = LUA_IDSIZE - 1;
  if (chunk_name.size() > kKept && message.size() > kKept && message[kKept] == ':' &&
      message.compare(0, kKept, chunk_name, 0, kKept) == 0) {
    message.replace(0, kKept, chunk_name);
  }
  return message;
}

}  // namespace

Result<std::shared_ptr<HookModule>> HookModule::Load(const std::string& flow_id, int64_t version,
                                                     std::string_view chunk_name,
                                                     std::string_view source,
                                                     const LuaLimits& limits) {
  const std::string name(chunk_name);
  if (source.size() > limits.max_source_bytes) {
    return Status::InvalidArgument(name + ": hook file is larger than the limit of " +
                                   std::to_string(limits.max_source_bytes) + " bytes");
  }
  std::shared_ptr<HookModule> module(new HookModule());
  Runtime& runtime = module->runtime_;
  runtime.limits = limits;
  runtime.flow_id = flow_id;
  runtime.version = version;
  runtime.chunk_name = name;
  runtime.memory_limit = limits.memory_bytes;
  module->state_ = NewLuaState(&runtime);
  const std::string too_small = name + ": the memory limit of " +
                                std::to_string(limits.memory_bytes) +
                                " bytes is too small for the hook sandbox";
  if (module->state_ == nullptr) return Status::ResourceExhausted(too_small);
  lua_State* L = module->state_.get();

  lua_pushcfunction(L, &OpenSandbox);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) return Status::ResourceExhausted(too_small);

  // Mode "t": precompiled chunks can crash the VM. "=" shows the name as given.
  const std::string lua_name = "=" + name;
  const int loaded = luaL_loadbufferx(L, source.data(), source.size(), lua_name.c_str(), "t");
  if (loaded != LUA_OK) {
    if (loaded == LUA_ERRMEM) return Status::ResourceExhausted(too_small);
    std::string message = RestoreChunkName(lua_tostring(L, -1), name);
    if (!message.starts_with(name + ":")) message = name + ": " + message;
    return Status::InvalidArgument(std::move(message));
  }
  lua_pushcfunction(L, &StoreMain);
  lua_insert(L, -2);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) return Status::ResourceExhausted(too_small);

  CallContext cx;
  cx.now_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  Status ran = module->Run(cx, limits.load_instruction_limit, limits.load_wall_clock);
  if (!ran.ok()) return ran;
  module->functions_ = std::move(cx.defined);
  return module;
}

Result<HookResult> HookModule::Call(const HookCall& call) {
  std::lock_guard lock(mutex_);
  HookResult result;
  CallContext cx;
  cx.call = &call;
  cx.result = &result;
  cx.hook = call.hook;
  cx.now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(call.now.time_since_epoch()).count();
  Status ran = Run(cx, runtime_.limits.instruction_limit, runtime_.limits.wall_clock);
  if (!ran.ok()) return ran;
  return result;
}

Status HookModule::Run(CallContext& cx, uint64_t instruction_limit,
                       std::chrono::milliseconds wall_clock) {
  lua_State* L = state_.get();
  cx.generation = ++runtime_.generation;
  runtime_.call = &cx;
  // Pushing light C functions on an empty stack allocates nothing, so it is safe out here.
  lua_settop(L, 0);
  lua_pushcfunction(L, &MessageHandler);
  lua_pushcfunction(L, &RunProtected);
  StartLimits(L, instruction_limit, wall_clock);
  const int status = lua_pcall(L, 0, 0, 1);
  StopLimits(L);
  Status result = status == LUA_OK ? Status::Ok() : Failure(status, cx);
  // Forget the run's environment: nothing of it may reach the next run, and its memory is free
  // again. Setting existing slots to nil allocates nothing.
  lua_settop(L, 0);
  lua_pushnil(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kCurrentEnvironmentKey);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kMainKey);
  lua_pushnil(L);
  lua_setupvalue(L, -2, 1);
  lua_settop(L, 0);
  // A failed run may have stopped at the memory cap; collect its garbage now rather than let the
  // next call pay for it. (Finalizers cannot be user code: setmetatable refuses __gc.)
  if (status != LUA_OK) lua_gc(L, LUA_GCCOLLECT);
  runtime_.call = nullptr;
  return result;
}

// Reads the error value without converting it: converting a number would allocate, and calling
// __tostring would run the script's code outside any budget.
Status HookModule::Failure(int lua_status, const CallContext& cx) {
  lua_State* L = state_.get();
  const std::string& chunk = runtime_.chunk_name;
  const std::string where = cx.where.empty() ? chunk : cx.where;
  std::string message;
  bool limit = true;
  if (lua_status == LUA_ERRMEM) {
    message = chunk + ": memory limit of " + std::to_string(runtime_.memory_limit) +
              " bytes exceeded";
  } else if (runtime_.stop == Stop::kInstructions) {
    message = where + ": instruction budget of " + std::to_string(runtime_.instruction_limit) +
              " exceeded (an endless loop?)";
  } else if (runtime_.stop == Stop::kWallClock) {
    message = where + ": wall-clock limit of " + std::to_string(runtime_.wall_clock.count()) +
              " ms exceeded";
  } else {
    limit = false;
    switch (lua_type(L, -1)) {
      case LUA_TSTRING:
        // A message located in another chunk (code given to load()) gets the hooks file's line
        // in front too.
        message = RestoreChunkName(lua_tostring(L, -1), chunk);
        if (!message.starts_with(chunk + ":")) message = where + ": " + message;
        break;
      case LUA_TNUMBER: {
        int is_integer = 0;
        const lua_Integer i = lua_tointegerx(L, -1, &is_integer);
        message = where + ": error " +
                  (is_integer ? std::to_string(i) : std::to_string(lua_tonumber(L, -1)));
        break;
      }
      default:
        message = where + ": the hook raised a " + std::string(luaL_typename(L, -1)) +
                  " value as its error; raise errors with a string: error(\"what went wrong\")";
        break;
    }
    if (lua_status == LUA_ERRERR) message = where + ": error while handling an error";
    // The text may come from the script, which may have put personal data in it.
    message = Redact(message, Secrets(cx));
  }
  if (cx.call != nullptr) {
    engine::Log(engine::LogLevel::kWarning, "hook_failed",
                {{"flow", runtime_.flow_id}, {"version", runtime_.version}, {"hook", cx.hook},
                 {"where", where}, {"error", message}});
  }
  return limit ? Status::ResourceExhausted(std::move(message))
               : Status::InvalidArgument(std::move(message));
}

namespace {

using ModuleKey = std::tuple<std::string, int64_t, std::string>;  // flow id, version, hooks file

class LuaScriptHost final : public LuaHooks {
 public:
  explicit LuaScriptHost(LuaLimits limits) : limits_(limits) {}

  Status LoadFlow(const dsl::Program& program) override {
    if (program.hooks_file.empty()) return Status::Ok();
    const std::filesystem::path folder = std::filesystem::path(program.source_name).parent_path();
    return LoadFile(program.flow_id, program.version, program.hooks_file,
                    (folder / program.hooks_file).lexically_normal().string());
  }

  Status LoadFile(const std::string& flow_id, int64_t version, const std::string& hooks_file,
                  const std::string& path) override {
    Result<std::string> text = ReadHookFile(path, limits_.max_source_bytes);
    if (!text) return text.error();
    return LoadSource(flow_id, version, hooks_file, path, *text);
  }

  Status LoadSource(const std::string& flow_id, int64_t version, const std::string& hooks_file,
                    std::string_view chunk_name, std::string_view source) override {
    Result<std::shared_ptr<HookModule>> module =
        HookModule::Load(flow_id, version, chunk_name, source, limits_);
    if (!module) return module.error();
    std::unique_lock lock(mutex_);
    modules_[ModuleKey(flow_id, version, hooks_file)] = std::move(*module);
    return Status::Ok();
  }

  void Unload(const std::string& flow_id, int64_t version) override {
    std::unique_lock lock(mutex_);
    std::erase_if(modules_, [&](const auto& entry) {
      return std::get<0>(entry.first) == flow_id && std::get<1>(entry.first) == version;
    });
  }

  bool Loaded(const HookCall& call) const override { return Find(call) != nullptr; }

  Result<HookResult> Call(const HookCall& call) override {
    // Held by shared_ptr: a reload replaces the module for later calls while this one finishes.
    std::shared_ptr<HookModule> module = Find(call);
    if (module == nullptr) {
      return Status::FailedPrecondition(
          "hooks file \"" + call.hooks_file + "\" of flow " + call.flow_id + " version " +
          std::to_string(call.flow_version) + " is not loaded; load it with the flow (LuaHooks::LoadFlow)");
    }
    return module->Call(call);
  }

 private:
  std::shared_ptr<HookModule> Find(const HookCall& call) const {
    std::shared_lock lock(mutex_);
    const auto it = modules_.find(ModuleKey(call.flow_id, call.flow_version, call.hooks_file));
    return it == modules_.end() ? nullptr : it->second;
  }

  const LuaLimits limits_;
  mutable std::shared_mutex mutex_;
  std::map<ModuleKey, std::shared_ptr<HookModule>> modules_;
};

}  // namespace
}  // namespace consentflow::scripting::lua

namespace consentflow::scripting {

std::unique_ptr<LuaHooks> MakeLuaScriptHost(LuaLimits limits) {
  return std::make_unique<lua::LuaScriptHost>(limits);
}

Result<HookFileInfo> InspectHookFileInSandbox(const std::string& path, const LuaLimits& limits) {
  Result<std::string> text = lua::ReadHookFile(path, limits.max_source_bytes);
  if (!text) return text.error();
  Result<std::shared_ptr<lua::HookModule>> module =
      lua::HookModule::Load("(check)", 0, path, *text, limits);
  if (!module) return module.error();
  return HookFileInfo{.functions = (*module)->functions()};
}

}  // namespace consentflow::scripting
