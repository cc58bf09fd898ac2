// The hook API (ctx, ctx:set, log, outcomes, errors) and the host (load, reload, fresh state).

#include <filesystem>
#include <fstream>
#include <string>

#include "scripting/redact.h"
#include "tests/scripting/lua_test_support.h"

namespace consentflow::scripting::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST_F(LuaHooksTest, AReturnedStringIsTheOutcome) {
  ASSERT_TRUE(Load(R"lua(
function score_lead(ctx)
  if tonumber(ctx.fields.budget) >= 5000 then return "hot" end
  return "cold"
end
function nothing(ctx) end
)lua").ok());
  EXPECT_EQ(Outcome("score_lead"), "hot");
  EXPECT_EQ(Outcome("nothing"), "");  // no outcome: the flow goes on with the next step
}

TEST_F(LuaHooksTest, CtxShowsTheCallsFlowStateLanguageAndFields) {
  ASSERT_TRUE(Load(R"lua(
function describe(ctx)
  local names = {}
  for name, value in pairs(ctx.fields) do names[#names + 1] = name .. "=" .. value end
  return table.concat({ctx.flow, ctx.version, ctx.state, ctx.hook, ctx.language, #ctx.fields,
                       table.concat(names, ",")}, "|")
end
)lua").ok());
  EXPECT_EQ(Outcome("describe"),
            "leads|1|ski|describe|de|3|budget=9000,email=lena@example.com,name=Lena");
}

TEST_F(LuaHooksTest, AFieldWithoutValueIsNil) {
  ASSERT_TRUE(Load("function f(ctx) return tostring(ctx.fields.phone) end").ok());
  EXPECT_EQ(Outcome("f"), "nil");
}

TEST_F(LuaHooksTest, CtxIsReadOnly) {
  ASSERT_TRUE(Load(R"lua(
function set_state(ctx) ctx.state = "hot_lead" end
function set_field(ctx) ctx.fields.budget = "1" end
function typo(ctx) return ctx.budget end
)lua").ok());
  EXPECT_THAT(Error("set_state"), HasSubstr("ctx is read-only: write a field with ctx:set"));
  EXPECT_THAT(Error("set_field"), HasSubstr("ctx.fields is read-only"));
  EXPECT_THAT(Error("typo"), HasSubstr("ctx has no member 'budget'"));
}

TEST_F(LuaHooksTest, SetWritesTheFieldsListedAfterWrites) {
  ASSERT_TRUE(Load(R"lua(
function text(ctx) ctx:set("score", "97") return "done" end
function number(ctx) ctx:set("score", 42) end
function float(ctx) ctx:set("score", 2.5) end
function boolean(ctx) ctx:set("score", true) end
function table_value(ctx) ctx:set("score", {}) end
)lua").ok());
  Result<HookResult> r = Run("text");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, "done");
  EXPECT_THAT(r->writes, ElementsAre(Pair("score", "97")));
  EXPECT_THAT(Run("number")->writes, ElementsAre(Pair("score", "42")));
  EXPECT_THAT(Run("float")->writes, ElementsAre(Pair("score", "2.5")));
  EXPECT_THAT(Run("boolean")->writes, ElementsAre(Pair("score", "yes")));
  EXPECT_THAT(Error("table_value"), HasSubstr("the value must be a string, number or boolean, not table"));
}

TEST_F(LuaHooksTest, AFailedCallWritesNothing) {
  ASSERT_TRUE(Load("function f(ctx)\n  ctx:set('score', 1)\n  error('later')\nend").ok());
  EXPECT_EQ(Error("f"), "flows/leads.lua:3: later");
}

TEST_F(LuaHooksTest, ReturningSomethingOtherThanAStringIsAnError) {
  ASSERT_TRUE(Load(R"lua(
function number() return 1 end
function table_value() return {} end
function boolean() return true end
)lua").ok());
  EXPECT_EQ(Error("number"),
            "flows/leads.lua:2: hook 'number' returned a number; return a string naming an "
            "outcome of the call (or nothing, to go on with the next step)");
  EXPECT_THAT(Error("table_value"), HasSubstr("flows/leads.lua:3: hook 'table_value' returned a table"));
  EXPECT_THAT(Error("boolean"), HasSubstr("returned a boolean"));
}

TEST_F(LuaHooksTest, ErrorsNameTheFileAndLine) {
  ASSERT_TRUE(Load(R"lua(
local function helper(x)
  return x.missing.field
end
function runtime(ctx) return helper({}) end
function raised(ctx) error("voucher service says no") end
function raised_without_position(ctx)
  error("no position", 0)
end
function number_error(ctx)
  error(42)
end
function in_c_function(ctx)
  return ("x"):rep(-1, {})
end
)lua").ok());
  EXPECT_EQ(Error("runtime"), "flows/leads.lua:3: attempt to index a nil value (field 'missing')");
  EXPECT_EQ(Error("raised"), "flows/leads.lua:6: voucher service says no");
  EXPECT_EQ(Error("raised_without_position"), "flows/leads.lua:8: no position");
  EXPECT_EQ(Error("number_error"), "flows/leads.lua:11: error 42");
  EXPECT_THAT(Error("in_c_function"), HasSubstr("flows/leads.lua:14: bad argument #2 to 'rep' (string expected, got table)"));
  EXPECT_THAT(Error("no_such_hook"), HasSubstr("flows/leads.lua defines no function 'no_such_hook'"));
}

TEST_F(LuaHooksTest, AFailureIsLoggedWithHookAndLineButNoPersonalData) {
  ASSERT_TRUE(Load("function f(ctx)\n  error('bad email ' .. ctx.fields.email .. ' of ' .. ctx.fields.name)\nend").ok());
  EXPECT_EQ(Error("f"), "flows/leads.lua:2: bad email [redacted] of [redacted]");
  const std::string log = log_.all();
  EXPECT_THAT(log, HasSubstr("\"event\":\"hook_failed\""));
  EXPECT_THAT(log, HasSubstr("\"hook\":\"f\""));
  EXPECT_THAT(log, HasSubstr("\"where\":\"flows/leads.lua:2\""));
  EXPECT_THAT(log, Not(HasSubstr("lena")));
  EXPECT_THAT(log, Not(HasSubstr("Lena")));
}

TEST_F(LuaHooksTest, LogWritesToTheEngineLogWithPersonalDataRedacted) {
  ASSERT_TRUE(Load(R"lua(
function f(ctx)
  log("lead", ctx.fields.name, "<" .. ctx.fields.email:upper() .. ">", "budget", 9000,
      "call +49 151 2345 6789 or mail x.y@shop.example", nil, true)
end
)lua").ok());
  EXPECT_EQ(Outcome("f"), "");
  const std::vector<std::string> lines = log_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("\"event\":\"hook_log\""));
  EXPECT_THAT(lines[0], HasSubstr("\"flow\":\"leads\",\"version\":1,\"hook\":\"f\",\"where\":\"flows/leads.lua:3\""));
  EXPECT_THAT(lines[0], HasSubstr("\"message\":\"lead [redacted] <[redacted]> budget [redacted] call "
                                  "[redacted] or mail [redacted] nil true\""));
}

TEST_F(LuaHooksTest, OsTimeAndOsDateUseTheEnginesClockInUtc) {
  ASSERT_TRUE(Load(R"lua(
function now(ctx)
  local t = os.date("*t")
  return table.concat({os.time(), os.date("%Y-%m-%d %H:%M"), os.date("!%H"), t.wday, t.hour,
                       os.time({year = 2026, month = 1, day = 1, hour = 0})}, " ")
end
)lua").ok());
  EXPECT_EQ(Outcome("now"), std::to_string(kNow) + " 2026-01-01 09:30 09 5 9 1767225600");
}

TEST_F(LuaHooksTest, EveryCallRunsTheTopLevelAgainInAFreshEnvironment) {
  ASSERT_TRUE(Load(R"lua(
local calls = 0
counter = 0
function count(ctx)
  calls = calls + 1
  counter = counter + 1
  x = (x or 0) + 1
  return calls .. counter .. x
end
)lua").ok());
  EXPECT_EQ(Outcome("count"), "111");
  EXPECT_EQ(Outcome("count"), "111");
}

TEST_F(LuaHooksTest, TopLevelTablesAndHelpersWork) {
  ASSERT_TRUE(Load(R"lua(
local THRESHOLDS <const> = {hot = 5000, warm = 2000}
local fmt = string.format
local function band(budget)
  if budget >= THRESHOLDS.hot then return "hot" end
  if budget >= THRESHOLDS.warm then return "warm" end
  return "cold"
end
function score(ctx) return band(tonumber(ctx.fields.budget)) .. fmt("%03d", 7) end
)lua").ok());
  EXPECT_EQ(Outcome("score"), "hot007");
}

TEST_F(LuaHooksTest, LoadRunsTextInTheCallsEnvironment) {
  ASSERT_TRUE(Load(R"lua(
function run(ctx)
  local f = assert(load("made_by_load = string.upper('a') return made_by_load"))
  local empty = assert(load("return string", "=(empty)", "t", {}))
  return f() .. tostring(made_by_load) .. tostring(empty())
end
function later(ctx) return tostring(made_by_load) end
)lua").ok());
  EXPECT_EQ(Outcome("run"), "AAnil");
  EXPECT_EQ(Outcome("later"), "nil");
}

TEST_F(LuaHooksTest, ACallOfAFlowWhoseHooksAreNotLoadedSaysWhatToDo) {
  host_ = MakeLuaScriptHost();
  const Result<HookResult> r = host_->Call(CallOf("score"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.error().message(),
              HasSubstr("hooks file \"leads.lua\" of flow leads version 1 is not loaded"));
}

TEST_F(LuaHooksTest, EachFlowVersionHasItsOwnModule) {
  ASSERT_TRUE(Load("function v() return 'one' end").ok());
  ASSERT_TRUE(host_->LoadSource("leads", 2, "leads.lua", kChunk, "function v() return 'two' end").ok());
  EXPECT_EQ(Outcome("v"), "one");
  HookCall call = CallOf("v");
  call.flow_version = 2;
  EXPECT_EQ(host_->Call(call)->outcome, "two");
  host_->Unload("leads", 2);
  EXPECT_FALSE(host_->Loaded(call));
  EXPECT_EQ(Outcome("v"), "one");
}

TEST_F(LuaHooksTest, AReloadReplacesTheModuleAndAFailedReloadKeepsTheOldOne) {
  ASSERT_TRUE(Load("function v() return 'one' end").ok());
  ASSERT_TRUE(host_->LoadSource("leads", 1, "leads.lua", kChunk, "function v() return 'new' end").ok());
  EXPECT_EQ(Outcome("v"), "new");
  const Status broken = host_->LoadSource("leads", 1, "leads.lua", kChunk, "function v( return");
  EXPECT_EQ(broken.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(broken.message(), HasSubstr("flows/leads.lua:1:"));
  EXPECT_EQ(Outcome("v"), "new");
}

TEST_F(LuaHooksTest, LoadFlowResolvesTheHooksFileBesideTheFlow) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "lua_hooks_flow";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "shop.lua") << "function pick(ctx) return 'picked in ' .. ctx.state end\n";
  dsl::Program program;
  program.flow_id = "shop";
  program.version = 3;
  program.source_name = (dir / "shop.flow").string();
  program.hooks_file = "shop.lua";
  host_ = MakeLuaScriptHost();
  ASSERT_TRUE(host_->LoadFlow(program).ok());
  HookCall call = CallOf("pick");
  call.flow_id = "shop";
  call.flow_version = 3;
  call.hooks_file = "shop.lua";
  EXPECT_EQ(host_->Call(call)->outcome, "picked in ski");

  program.hooks_file = "missing.lua";
  const Status missing = host_->LoadFlow(program);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("missing.lua: cannot open hook file"));
  std::filesystem::remove_all(dir);
}

TEST_F(LuaHooksTest, TheCheckerLoadsHooksFilesInTheSameSandbox) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "lua_hooks_check";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "ok.lua") << "local fmt = string.format\nfunction b() end\nfunction a() end\n";
  std::ofstream(dir / "bad.lua") << "local t = io.open('x')\n";
  const Result<HookFileInfo> ok = InspectHookFileInSandbox((dir / "ok.lua").string());
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_THAT(ok->functions, ElementsAre("a", "b"));
  const Result<HookFileInfo> bad = InspectHookFileInSandbox((dir / "bad.lua").string());
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("bad.lua:1: attempt to index a nil value (global 'io')"));
  std::filesystem::remove_all(dir);
}

TEST(RedactTest, ReplacesFieldValuesEmailsAndPhoneNumbers) {
  EXPECT_EQ(Redact("Lena (LENA@example.com) wants 9000", {"Lena", "lena@example.com", "9000"}),
            "[redacted] ([redacted]) wants [redacted]");
  EXPECT_EQ(Redact("mail bob.smith+x@mail.shop.co.uk now", {}), "mail [redacted] now");
  EXPECT_EQ(Redact("call +49 (151) 2345-6789, ok", {}), "call [redacted], ok");
  EXPECT_EQ(Redact("15550001111", {}), "[redacted]");
  EXPECT_EQ(Redact("room 101 at 09:30, 2 @ 3", {}), "room 101 at 09:30, 2 @ 3");
  EXPECT_EQ(Redact("empty values are skipped", {""}), "empty values are skipped");
}

}  // namespace
}  // namespace consentflow::scripting::testing
