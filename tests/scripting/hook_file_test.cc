#include "scripting/hook_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace consentflow::scripting {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kChunk[] = "flows/spring.lua";

// The Status of a Result that must have failed; fails the test if it holds a value.
Status ErrorOf(const Result<HookFileInfo>& result) {
  EXPECT_FALSE(result.has_value()) << "expected an error";
  return result ? Status::Ok() : result.error();
}

// A file under the test's temporary directory, removed at the end of the test.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& contents)
      : path_(std::filesystem::path(::testing::TempDir()) / name) {
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(InspectHookSourceTest, ListsGlobalFunctionsSortedAndUnique) {
  const auto info = InspectHookSource(kChunk, R"lua(
function zeta() end
function alpha(ctx) return ctx end
beta = function() end
function alpha() end          -- redefined: listed once
local function hidden() end   -- local: not a global
local also_hidden = function() end
count = 3                     -- not a function
name = "spring"
M = {}
function M.method() end       -- a field of M, not a global
)lua");
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_THAT(info->functions, ElementsAre("alpha", "beta", "zeta"));
}

TEST(InspectHookSourceTest, EmptyFileDefinesNothing) {
  const auto info = InspectHookSource(kChunk, "");
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_THAT(info->functions, IsEmpty());
}

TEST(InspectHookSourceTest, RunsInAnEnvironmentWithoutStandardLibraries) {
  // Any call of a nil value would fail, so success means every name below reads as nil.
  const auto info = InspectHookSource(kChunk, R"lua(
if print or require or load or loadstring or dofile or pcall or error or setmetatable
   or rawset or _G or string or table or io or os or debug or coroutine or package then
  missing()
end
function on_enter() end
)lua");
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_THAT(info->functions, ElementsAre("on_enter"));
}

TEST(InspectHookSourceTest, StringsHaveNoMethods) {
  const Status status = ErrorOf(InspectHookSource(kChunk, "local n = ('abc'):len()\n"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "flows/spring.lua:1: attempt to index a string value (constant 'abc')");
}

TEST(InspectHookSourceTest, SyntaxErrorNamesChunkAndLine) {
  const Status status = ErrorOf(InspectHookSource(kChunk, "-- spring hooks\n\na, b x\n"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "flows/spring.lua:3: '=' expected near 'x'");
}

TEST(InspectHookSourceTest, LongChunkNameIsNotShortened) {
  // Lua itself keeps only the first 59 bytes of a chunk name in messages.
  const std::string name =
      "/home/someone/projects/consentflow/flows/hooks/seasonal/spring_campaign.lua";
  const Status status = ErrorOf(InspectHookSource(name, "a, b x\n"));
  EXPECT_EQ(status.message(), name + ":1: '=' expected near 'x'");
}

TEST(InspectHookSourceTest, RuntimeErrorAtTopLevelIsReported) {
  const Status status = ErrorOf(InspectHookSource(kChunk, R"lua(function greet() end
local text = string.format("%d", 1)
)lua"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "flows/spring.lua:2: attempt to index a nil value (global 'string')");
}

TEST(InspectHookSourceTest, CallingAMissingFunctionIsReported) {
  const Status status = ErrorOf(InspectHookSource(kChunk, "print('hello')\n"));
  EXPECT_EQ(status.message(), "flows/spring.lua:1: attempt to call a nil value (global 'print')");
}

TEST(InspectHookSourceTest, InfiniteLoopIsStoppedByTheInstructionBudget) {
  const Status status = ErrorOf(InspectHookSource(kChunk, "x = 1\nwhile true do end\n"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "flows/spring.lua:2: hook file exceeded its instruction budget while loading");
}

TEST(InspectHookSourceTest, InstructionBudgetIsConfigurable) {
  const std::string loop = "local n = 0\nfor i = 1, 100000 do n = n + i end\n";
  EXPECT_TRUE(InspectHookSource(kChunk, loop).has_value());

  HookFileLimits limits;
  limits.instruction_limit = 10'000;
  const Status status = ErrorOf(InspectHookSource(kChunk, loop, limits));
  EXPECT_THAT(status.message(), HasSubstr("exceeded its instruction budget"));
}

TEST(InspectHookSourceTest, MemoryBombIsStoppedWithAnError) {
  const Status status =
      ErrorOf(InspectHookSource(kChunk, "local t = {} for i = 1, 1e9 do t[i] = i end\n"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              AnyOf(HasSubstr("not enough memory"), HasSubstr("instruction budget")));
}

TEST(InspectHookSourceTest, MemoryCapIsEnforced) {
  HookFileLimits limits;
  limits.memory_bytes = 1 << 20;
  limits.instruction_limit = 1'000'000'000;
  const Status status =
      ErrorOf(InspectHookSource(kChunk, "local t = {} for i = 1, 1e9 do t[i] = i end\n", limits));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "flows/spring.lua: not enough memory (hook file memory limit is 1048576 bytes)");
}

TEST(InspectHookSourceTest, StringDoublingHitsTheMemoryCapQuickly) {
  const Status status =
      ErrorOf(InspectHookSource(kChunk, "local s = 'x'\nfor i = 1, 64 do s = s .. s end\n"));
  EXPECT_THAT(status.message(), HasSubstr("not enough memory"));
}

TEST(InspectHookSourceTest, MemoryCapTooSmallForAnyStateIsResourceExhausted) {
  HookFileLimits limits;
  limits.memory_bytes = 64;
  const Status status = ErrorOf(InspectHookSource(kChunk, "function f() end", limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), StartsWith("flows/spring.lua: "));
}

TEST(InspectHookSourceTest, BytecodeIsRefused) {
  const std::string bytecode("\x1bLua\x54\x00\x19\x93\r\n\x1a\n", 12);
  const Status status = ErrorOf(InspectHookSource(kChunk, bytecode));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "flows/spring.lua: attempt to load a binary chunk (mode is 't')");
}

TEST(InspectHookSourceTest, SourceOverTheSizeLimitIsRefused) {
  HookFileLimits limits;
  limits.max_source_bytes = 16;
  EXPECT_TRUE(InspectHookSource(kChunk, "function f() end", limits).has_value());  // 16 bytes

  const Status status = ErrorOf(InspectHookSource(kChunk, "function fg() end", limits));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "flows/spring.lua: hook file is larger than the limit of 16 bytes");
}

TEST(InspectHookFileTest, ReadsAndInspectsAFile) {
  const TempFile file("hook_file_test_reads.lua",
                      "function on_start() end\nfunction on_stop() end\n");
  const auto info = InspectHookFile(file.path());
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_THAT(info->functions, ElementsAre("on_start", "on_stop"));
}

TEST(InspectHookFileTest, ErrorsNameThePath) {
  const TempFile file("hook_file_test_error.lua", "function ok() end\nbroken(\n");
  const Status status = ErrorOf(InspectHookFile(file.path()));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), StartsWith(file.path() + ":3: "));
}

TEST(InspectHookFileTest, MissingFileIsNotFoundAndNamesThePath) {
  const std::string path = ::testing::TempDir() + "/hook_file_test_no_such_file.lua";
  const Status status = ErrorOf(InspectHookFile(path));
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), path + ": cannot open hook file: No such file or directory");
}

TEST(InspectHookFileTest, DirectoryIsNotFound) {
  const Status status = ErrorOf(InspectHookFile(::testing::TempDir()));
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_THAT(status.message(), StartsWith(::testing::TempDir()));
}

TEST(InspectHookFileTest, FileOverTheSizeLimitIsRefused) {
  HookFileLimits limits;
  limits.max_source_bytes = 100;
  const TempFile file("hook_file_test_big.lua", std::string(100'000, '\n'));
  const Status status = ErrorOf(InspectHookFile(file.path(), limits));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), file.path() + ": hook file is larger than the limit of 100 bytes");
}

}  // namespace
}  // namespace consentflow::scripting
