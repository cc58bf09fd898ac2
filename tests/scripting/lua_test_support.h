#pragma once

// Shared by the Lua hook tests: a host with one module, calls with a known context, and the
// engine's log captured.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/log.h"
#include "scripting/lua_hooks.h"

namespace consentflow::scripting::testing {

class CapturedLog : public engine::LogSink {
 public:
  void Write(std::string_view line) override {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  std::string all() const {
    std::string out;
    for (const std::string& line : lines()) out += line + "\n";
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

inline constexpr char kChunk[] = "flows/leads.lua";
// 2026-01-01 09:30:00 UTC, a Thursday.
inline constexpr int64_t kNow = 1'767'225'600 + 9 * 3600 + 30 * 60;

class LuaHooksTest : public ::testing::Test {
 protected:
  void SetUp() override { engine::SetLogSink(&log_); }
  void TearDown() override { engine::SetLogSink(nullptr); }

  // Loads `source` as the hooks file of flow "leads" version 1.
  Status Load(std::string_view source, LuaLimits limits = {}) {
    host_ = MakeLuaScriptHost(limits);
    return host_->LoadSource("leads", 1, "leads.lua", kChunk, source);
  }

  HookCall CallOf(std::string hook) const {
    HookCall call;
    call.flow_id = "leads";
    call.flow_version = 1;
    call.hooks_file = "leads.lua";
    call.hook = std::move(hook);
    call.fields = {{"name", "Lena"}, {"email", "lena@example.com"}, {"budget", "9000"}};
    call.writable = {"score"};
    call.state = "ski";
    call.language = "de";
    call.now = FromUnixSeconds(kNow);
    return call;
  }

  Result<HookResult> Run(const std::string& hook) { return host_->Call(CallOf(hook)); }

  // The outcome of a call that must succeed.
  std::string Outcome(const std::string& hook) {
    Result<HookResult> result = Run(hook);
    EXPECT_TRUE(result.has_value()) << hook << ": " << result.error().message();
    return result ? result->outcome : "<failed>";
  }

  // The message of a call that must fail.
  std::string Error(const std::string& hook) {
    Result<HookResult> result = Run(hook);
    EXPECT_FALSE(result.has_value()) << hook << " returned '" << result->outcome << "'";
    return result ? "" : result.error().message();
  }

  std::unique_ptr<LuaHooks> host_;
  CapturedLog log_;
};

}  // namespace consentflow::scripting::testing
