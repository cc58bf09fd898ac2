// Escape and abuse attempts against the Lua hook sandbox, one test each. Every attempt must end
// in a clean error (a Status naming the hooks file and line, never a crash or a hang) and the
// same module must then still serve a well-behaved call with untouched libraries.

#include <chrono>
#include <string>

#include "tests/scripting/lua_test_support.h"

namespace consentflow::scripting::testing {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Checks the shared library is intact and the call's own data is there.
constexpr std::string_view kWellBehaved = R"lua(
function ok(ctx)
  assert(string.upper("a") == "A" and ("b"):upper() == "B" and math.floor(2.5) == 2)
  assert(table.concat({"a", "b"}) == "ab" and type(os.time()) == "number")
  assert(stolen == nil and seen == nil)
  return "fine:" .. ctx.fields.name
end
)lua";

class SandboxEscapeTest : public LuaHooksTest {
 protected:
  // Loads `source` (which defines `attack`) beside a well-behaved hook, runs the attack and
  // returns its error; then checks that the well-behaved hook still works, twice.
  std::string Attack(std::string_view source, LuaLimits limits = {}) {
    const Status loaded = Load(std::string(source) + std::string(kWellBehaved), limits);
    EXPECT_TRUE(loaded.ok()) << loaded.message();
    const std::string error = Error("attack");
    EXPECT_THAT(error, StartsWith(std::string(kChunk) + ":")) << "the error names the file";
    EXPECT_EQ(Outcome("ok"), "fine:Lena");
    EXPECT_EQ(Outcome("ok"), "fine:Lena");
    return error;
  }
};

TEST_F(SandboxEscapeTest, ReadingAFileWithIo) {
  EXPECT_THAT(Attack("function attack() return io.open('/etc/passwd'):read('a') end"),
              HasSubstr("attempt to index a nil value (global 'io')"));
}

TEST_F(SandboxEscapeTest, RunningACommandWithOsExecute) {
  EXPECT_THAT(Attack("function attack() return os.execute('id') end"),
              HasSubstr("attempt to call a nil value (field 'execute')"));
}

TEST_F(SandboxEscapeTest, OpeningAProcessWithIoPopen) {
  EXPECT_THAT(Attack("function attack() return io.popen('id'):read('a') end"),
              HasSubstr("global 'io'"));
}

TEST_F(SandboxEscapeTest, ReadingTheServersEnvironmentWithOsGetenv) {
  EXPECT_THAT(Attack("function attack() return os.getenv('HOME') end"),
              HasSubstr("attempt to call a nil value (field 'getenv')"));
}

TEST_F(SandboxEscapeTest, StoppingTheProcessWithOsExit) {
  EXPECT_THAT(Attack("function attack() os.exit(1) end"),
              HasSubstr("attempt to call a nil value (field 'exit')"));
}

TEST_F(SandboxEscapeTest, DeletingAFileWithOsRemove) {
  EXPECT_THAT(Attack("function attack() os.remove('/tmp/x') end"), HasSubstr("field 'remove'"));
}

TEST_F(SandboxEscapeTest, RunningAFileWithDofileOrLoadfile) {
  EXPECT_THAT(Attack("function attack() return (dofile or loadfile)('/etc/passwd') end"),
              HasSubstr("attempt to call a nil value"));
}

TEST_F(SandboxEscapeTest, LoadingANativeModuleWithRequire) {
  EXPECT_THAT(Attack("function attack() return require('socket') end"),
              HasSubstr("attempt to call a nil value (global 'require')"));
}

TEST_F(SandboxEscapeTest, ReachingCLoadersThroughPackage) {
  EXPECT_THAT(Attack("function attack() return package.loadlib('libc.so.6', 'system') end"),
              HasSubstr("global 'package'"));
}

TEST_F(SandboxEscapeTest, LoadingHandWrittenBytecode) {
  // A binary chunk header; real bytecode could be crafted to corrupt the VM.
  EXPECT_THAT(Attack(R"lua(function attack()
  return assert(load("\27Lua\84\0\25\147\13\10\26\10"))()
end)lua"),
              HasSubstr("attempt to load a binary chunk"));
}

TEST_F(SandboxEscapeTest, AskingLoadForBinaryMode) {
  EXPECT_THAT(Attack("function attack() return load('return 1', 'x', 'b') end"),
              HasSubstr("only source text may be loaded"));
}

TEST_F(SandboxEscapeTest, DumpingAFunctionWithStringDump) {
  EXPECT_THAT(Attack("function attack() return string.dump(attack) end"),
              HasSubstr("attempt to call a nil value (field 'dump')"));
}

TEST_F(SandboxEscapeTest, LoadedCodeSeesTheSandboxNotTheRealGlobals) {
  EXPECT_THAT(Attack("function attack() return load('return io.open')()('/etc/passwd') end"),
              HasSubstr("flows/leads.lua:1: (load):1: attempt to index a nil value (global 'io')"));
}

TEST_F(SandboxEscapeTest, ReachingTheRegistryThroughDebug) {
  EXPECT_THAT(Attack("function attack() return debug.getregistry() end"),
              HasSubstr("global 'debug'"));
}

TEST_F(SandboxEscapeTest, ChangingTheStringMetatableForOtherCalls) {
  EXPECT_THAT(Attack(R"lua(function attack()
  getmetatable("").__index.upper = function() return "pwned" end
end)lua"),
              HasSubstr("attempt to index a boolean value"));
}

TEST_F(SandboxEscapeTest, ReplacingALibraryFunctionForOtherCalls) {
  EXPECT_THAT(Attack("function attack() string.upper = function() return 'pwned' end end"),
              HasSubstr("cannot change the read-only table 'string'"));
}

TEST_F(SandboxEscapeTest, GettingTheRealLibraryTableFromPairs) {
  EXPECT_THAT(Attack(R"lua(function attack()
  local iterate, real = pairs(math)
  real.floor = function() return 0 end
end)lua"),
              HasSubstr("cannot change the read-only table 'math'"));
}

TEST_F(SandboxEscapeTest, ReplacingTheMetatableOfTheEnvironment) {
  EXPECT_THAT(Attack("function attack() setmetatable(_ENV, {__index = function() end}) end"),
              HasSubstr("cannot change a protected metatable"));
}

TEST_F(SandboxEscapeTest, WritingAroundTheProxyWithRawset) {
  EXPECT_THAT(Attack("function attack() rawset(string, 'upper', print) end"),
              HasSubstr("attempt to call a nil value (global 'rawset')"));
}

TEST_F(SandboxEscapeTest, LeakingAGlobalToTheNextConversation) {
  const Status loaded = Load(std::string(R"lua(
function remember(ctx) stolen = ctx.fields.email end
function attack() return "got " .. stolen end
)lua") + std::string(kWellBehaved));
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(Outcome("remember"), "");
  EXPECT_THAT(Error("attack"), HasSubstr("attempt to concatenate a nil value (global 'stolen')"));
  EXPECT_EQ(Outcome("ok"), "fine:Lena");
}

TEST_F(SandboxEscapeTest, LeakingThroughATopLevelLocalTable) {
  const Status loaded = Load(std::string(R"lua(
local seen_emails = {}
function remember(ctx) seen_emails[#seen_emails + 1] = ctx.fields.email end
function attack() return "got " .. seen_emails[1] end
)lua") + std::string(kWellBehaved));
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(Outcome("remember"), "");
  EXPECT_THAT(Error("attack"), HasSubstr("flows/leads.lua:4: attempt to concatenate a nil value"));
  EXPECT_EQ(Outcome("ok"), "fine:Lena");
}

TEST_F(SandboxEscapeTest, LeakingThroughATopLevelUpvalue) {
  const Status loaded = Load(std::string(R"lua(
local last
function remember(ctx) last = ctx.fields.email end
function attack() return "got " .. last end
)lua") + std::string(kWellBehaved));
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(Outcome("remember"), "");
  EXPECT_THAT(Error("attack"), HasSubstr("attempt to concatenate a nil value (upvalue 'last')"));
  EXPECT_EQ(Outcome("ok"), "fine:Lena");
}

TEST_F(SandboxEscapeTest, ChangingAFieldThroughCtxFields) {
  EXPECT_THAT(Attack(R"lua(function attack(ctx)
  _G.kept = ctx
  kept.fields.email = "x"
end)lua"),
              HasSubstr("ctx.fields is read-only"));
}

TEST_F(SandboxEscapeTest, InfiniteLoop) {
  EXPECT_THAT(Attack("function attack()\n  while true do end\nend"),
              AllOf(HasSubstr("flows/leads.lua:2: instruction budget of 1000000 exceeded")));
}

TEST_F(SandboxEscapeTest, InfiniteLoopThatCatchesTheBudgetErrorWithPcall) {
  EXPECT_THAT(Attack(R"lua(function attack()
  while true do
    pcall(function() while true do end end)
  end
end)lua"),
              HasSubstr("instruction budget"));
}

TEST_F(SandboxEscapeTest, InfiniteLoopInsideACoroutine) {
  EXPECT_THAT(Attack(R"lua(function attack()
  local co = coroutine.wrap(function() while true do end end)
  co()
end)lua"),
              HasSubstr("instruction budget"));
}

TEST_F(SandboxEscapeTest, SlowCodeStoppedByTheWallClock) {
  LuaLimits limits;
  limits.instruction_limit = uint64_t{1} << 60;
  limits.wall_clock = std::chrono::milliseconds(20);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(Attack("function attack() while true do local s = ('x'):rep(100) end end", limits),
              HasSubstr("wall-clock limit of 20 ms exceeded"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(SandboxEscapeTest, DeepRecursion) {
  EXPECT_THAT(Attack("local function down(n) return down(n + 1) + 1 end\n"
                     "function attack() return down(1) end"),
              AnyOf(HasSubstr("stack overflow"), HasSubstr("memory limit")));
}

TEST_F(SandboxEscapeTest, DeepRecursionThroughCMetamethods) {
  EXPECT_THAT(Attack(R"lua(function attack()
  local t = setmetatable({}, {})
  getmetatable(t).__index = function(self, k) return self[k .. "x"] end
  return t.a
end)lua"),
              AnyOf(HasSubstr("stack overflow"), HasSubstr("memory limit")));
}

TEST_F(SandboxEscapeTest, HugeString) {
  EXPECT_THAT(Attack("function attack() return string.rep('x', 1 << 30) end"),
              HasSubstr("memory limit of 16777216 bytes exceeded"));
}

TEST_F(SandboxEscapeTest, StringDoubling) {
  EXPECT_THAT(Attack("function attack() local s = 'x' for i = 1, 64 do s = s .. s end end"),
              HasSubstr("memory limit"));
}

TEST_F(SandboxEscapeTest, HugeTable) {
  LuaLimits limits;
  limits.instruction_limit = uint64_t{1} << 40;
  limits.wall_clock = std::chrono::seconds(30);
  EXPECT_THAT(Attack("function attack() local t = {} for i = 1, 1e9 do t[i] = i end end", limits),
              HasSubstr("memory limit"));
}

TEST_F(SandboxEscapeTest, EatingTheMemoryThatTheNextCallNeeds) {
  // The failed call's memory is freed before the next call runs.
  const Status loaded = Load(std::string(R"lua(
function attack() hoard = {} for i = 1, 1e9 do hoard[i] = ("x"):rep(64) .. i end end
function big() local t = {} for i = 1, 100000 do t[i] = i end return "built " .. #t end
)lua") + std::string(kWellBehaved));
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_THAT(Error("attack"), AnyOf(HasSubstr("memory limit"), HasSubstr("instruction budget"),
                                     HasSubstr("wall-clock limit")));
  EXPECT_EQ(Outcome("big"), "built 100000");
  EXPECT_EQ(Outcome("ok"), "fine:Lena");
}

TEST_F(SandboxEscapeTest, RepeatingAnEmptyStringForever) {
  // string.rep("", n) would loop n times in C, where no instruction is counted.
  const Status loaded = Load(std::string(R"lua(
function attack() return "len " .. #string.rep("", math.maxinteger) .. #(""):rep(1 << 62, "") end
)lua") + std::string(kWellBehaved));
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(Outcome("attack"), "len 00");
  EXPECT_EQ(Outcome("ok"), "fine:Lena");
}

TEST_F(SandboxEscapeTest, CatastrophicPatternBacktracking) {
  EXPECT_THAT(Attack(R"lua(function attack()
  return (("a"):rep(5000)):find(".-.-.-.-.-.-.-.-b")
end)lua"),
              HasSubstr("string.find: the pattern could take more than 100 million steps"));
}

TEST_F(SandboxEscapeTest, TableMoveOverMissingElements) {
  EXPECT_THAT(Attack("function attack() table.move({}, 1, math.maxinteger - 1, 2) end"),
              HasSubstr("table.move: at most 2^20 elements at a time in a hook"));
}

TEST_F(SandboxEscapeTest, TableInsertWithALyingLength) {
  EXPECT_THAT(Attack(R"lua(function attack()
  local t = setmetatable({}, {__len = function() return math.maxinteger - 1 end})
  table.insert(t, 1, "x")
end)lua"),
              HasSubstr("table.insert: tables with a __len metamethod are not accepted"));
}

TEST_F(SandboxEscapeTest, CoroutineYieldingAcrossTheCBoundary) {
  EXPECT_THAT(Attack(R"lua(function attack()
  local co = coroutine.wrap(function()
    table.sort({3, 2, 1}, function(a, b) coroutine.yield() return a < b end)
  end)
  co()
end)lua"),
              HasSubstr("attempt to yield across a C-call boundary"));
}

TEST_F(SandboxEscapeTest, YieldingOutOfTheHookItself) {
  EXPECT_THAT(Attack("function attack() coroutine.yield('hot') end"),
              HasSubstr("attempt to yield from outside a coroutine"));
}

TEST_F(SandboxEscapeTest, ErrorWithATableValue) {
  EXPECT_THAT(Attack("function attack()\n  error({code = 42})\nend"),
              HasSubstr("flows/leads.lua:2: the hook raised a table value as its error"));
}

TEST_F(SandboxEscapeTest, ErrorWithATostringThatNeverReturns) {
  // The host never calls __tostring on an error value, which would run outside any budget.
  EXPECT_THAT(Attack(R"lua(function attack()
  error(setmetatable({}, {__tostring = function() while true do end end}))
end)lua"),
              HasSubstr("raised a table value"));
}

TEST_F(SandboxEscapeTest, ErrorWithNil) {
  EXPECT_THAT(Attack("function attack() error(nil) end"), HasSubstr("raised a nil value"));
}

TEST_F(SandboxEscapeTest, ErrorWithACoroutine) {
  EXPECT_THAT(Attack("function attack() error(coroutine.create(print or type)) end"),
              HasSubstr("raised a thread value"));
}

TEST_F(SandboxEscapeTest, FinalizerThatRunsDuringAnotherCall) {
  EXPECT_THAT(Attack(R"lua(function attack()
  setmetatable({}, {__gc = function() while true do end end})
end)lua"),
              HasSubstr("__gc metamethods are not allowed"));
}

TEST_F(SandboxEscapeTest, ControllingTheCollector) {
  EXPECT_THAT(Attack("function attack() collectgarbage('stop') end"),
              HasSubstr("global 'collectgarbage'"));
}

TEST_F(SandboxEscapeTest, WritingToTheServersStdout) {
  EXPECT_THAT(Attack("function attack() print('hello') end"), HasSubstr("global 'print'"));
}

TEST_F(SandboxEscapeTest, BadStrftimeConversion) {
  EXPECT_THAT(Attack("function attack() return os.date('%Ez %Q') end"),
              HasSubstr("invalid conversion"));
}

TEST_F(SandboxEscapeTest, FloodingTheLog) {
  const Status loaded = Load(std::string(R"lua(
function attack() for i = 1, 10000 do log("line", i) end error("done") end
)lua") + std::string(kWellBehaved));
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_THAT(Error("attack"), HasSubstr("done"));
  int hook_lines = 0;
  for (const std::string& line : log_.lines()) hook_lines += line.find("\"hook_log\"") != std::string::npos;
  EXPECT_EQ(hook_lines, 20);
  EXPECT_THAT(log_.all(), HasSubstr("further log lines of this hook call are dropped"));
  EXPECT_EQ(Outcome("ok"), "fine:Lena");
}

TEST_F(SandboxEscapeTest, WritingAFieldTheCallDoesNotList) {
  EXPECT_THAT(Attack("function attack(ctx) ctx:set('name', 'Mallory') end"),
              HasSubstr("ctx:set('name'): this call may not write 'name' (it writes 'score')"));
}

TEST_F(SandboxEscapeTest, ATopLevelThatNeverEndsFailsTheLoadNotTheHost) {
  host_ = MakeLuaScriptHost();
  const Status bad = host_->LoadSource("other", 1, "other.lua", "flows/other.lua",
                                       "function f() end\nwhile true do end\n");
  EXPECT_EQ(bad.code(), StatusCode::kResourceExhausted);
  // 10 million instructions take about 50 ms; a slow machine (a sanitizer build) may reach the
  // load's 2 s wall clock first.
  EXPECT_THAT(bad.message(), AnyOf(HasSubstr("flows/other.lua:2: instruction budget of 10000000 exceeded"),
                                   HasSubstr("flows/other.lua:2: wall-clock limit of 2000 ms exceeded")));
  ASSERT_TRUE(host_->LoadSource("leads", 1, "leads.lua", kChunk, kWellBehaved).ok());
  EXPECT_EQ(Outcome("ok"), "fine:Lena");
}

TEST_F(SandboxEscapeTest, AHooksFileOfBytecode) {
  host_ = MakeLuaScriptHost();
  const Status bad = host_->LoadSource("other", 1, "other.lua", "flows/other.lua",
                                       std::string("\x1bLua\x54\x00\x19\x93\r\n\x1a\n", 12));
  EXPECT_EQ(bad.message(), "flows/other.lua: attempt to load a binary chunk (mode is 't')");
}

}  // namespace
}  // namespace consentflow::scripting::testing
