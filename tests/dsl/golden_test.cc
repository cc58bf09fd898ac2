// Golden tests: every flow under testdata/flows/bad has a .expected file holding the full
// diagnostic output, verbatim; every flow under testdata/flows/good and under flows/ (the
// examples marketers copy) compiles with no error and no warning.
// UPDATE_GOLDEN=1 rewrites the .expected files: review the diff before committing.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/formatter.h"
#include "dsl/loader.h"
#include "dsl/program_json.h"
#include "scripting/hook_resolver.h"

namespace consentflow::dsl {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> FlowsIn(const fs::path& dir) {
  std::vector<fs::path> flows;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".flow") flows.push_back(entry.path());
  }
  std::sort(flows.begin(), flows.end());
  return flows;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Compiles `path`, naming it `shown_name` in diagnostics so the output is the same on any machine.
LoadedFlow CompileFile(const fs::path& path, const std::string& shown_name) {
  CheckOptions options;
  options.resolve_hooks = scripting::MakeHookResolver(path.parent_path().string());
  return LoadFlowSource(SourceFile{shown_name, ReadAll(path)}, options);
}

TEST(Golden, BadFlowsReportExactlyTheExpectedDiagnostics) {
  const fs::path dir = fs::path(CF_TESTDATA_DIR) / "flows" / "bad";
  const bool update = std::getenv("UPDATE_GOLDEN") != nullptr;
  const auto flows = FlowsIn(dir);
  ASSERT_GE(flows.size(), 5u);
  for (const fs::path& flow_path : flows) {
    const LoadedFlow flow = CompileFile(flow_path, "bad/" + flow_path.filename().string());
    EXPECT_FALSE(flow.ok()) << flow_path << " should not compile";
    const std::string actual = FormatDiagnostics(flow.source, flow.diagnostics);
    fs::path expected_path = flow_path;
    expected_path.replace_extension(".expected");
    if (update) {
      std::ofstream(expected_path, std::ios::binary) << actual;
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_path)) << expected_path << " is missing; run with UPDATE_GOLDEN=1";
    EXPECT_EQ(actual, ReadAll(expected_path)) << "for " << flow_path;
  }
}

void ExpectAllClean(const fs::path& dir, std::size_t at_least) {
  const auto flows = FlowsIn(dir);
  ASSERT_GE(flows.size(), at_least) << dir;
  for (const fs::path& flow_path : flows) {
    const LoadedFlow flow = CompileFile(flow_path, flow_path.filename().string());
    EXPECT_TRUE(flow.ok()) << FormatDiagnostics(flow.source, flow.diagnostics);
    EXPECT_TRUE(flow.diagnostics.empty()) << FormatDiagnostics(flow.source, flow.diagnostics);
  }
}

TEST(Golden, GoodFlowsCompileClean) { ExpectAllClean(fs::path(CF_TESTDATA_DIR) / "flows" / "good", 2); }

TEST(Golden, EveryExampleFlowCompilesClean) { ExpectAllClean(fs::path(CF_SOURCE_DIR) / "flows", 4); }

// `consentflow fmt` must never change what a flow does: the compiled machine of the formatted
// file equals the original's (line numbers aside, since formatting may move lines).
TEST(Golden, FormattingNeverChangesTheCompiledMachine) {
  std::vector<fs::path> flows = FlowsIn(fs::path(CF_SOURCE_DIR) / "flows");
  const auto good = FlowsIn(fs::path(CF_TESTDATA_DIR) / "flows" / "good");
  flows.insert(flows.end(), good.begin(), good.end());
  for (const fs::path& flow_path : flows) {
    const LoadedFlow original = CompileFile(flow_path, flow_path.filename().string());
    ASSERT_TRUE(original.ok()) << flow_path;
    // Indent every line further first, so the formatter has real work to do (inside a """
    // string this is harmless: the common indentation is removed).
    std::string messy = "    ";
    for (char c : original.source.text) messy += c == '\n' ? std::string("\n    ") : std::string(1, c);
    const FormatResult formatted = FormatFlow(SourceFile{"x.flow", messy});
    ASSERT_TRUE(formatted.ok) << flow_path;
    CheckOptions options;
    options.resolve_hooks = scripting::MakeHookResolver(flow_path.parent_path().string());
    const LoadedFlow again = LoadFlowSource(SourceFile{flow_path.filename().string(), formatted.text}, options);
    ASSERT_TRUE(again.ok()) << FormatDiagnostics(again.source, again.diagnostics);
    const ProgramJsonOptions no_lines{false, 2};
    EXPECT_EQ(ProgramToJson(*again.program, no_lines), ProgramToJson(*original.program, no_lines))
        << flow_path;
  }
}

}  // namespace
}  // namespace consentflow::dsl
