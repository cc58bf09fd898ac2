// consentflow test PATH... [-q]
//
// Runs scripted conversations (.test files, docs/testing-flows.md) against the engine. PATH is
// a .test file or a folder, whose *.test files run in name order. Prints one line per test, a
// GCC-style `file:line: expected ..., got ...` under each failure, and `N passed, M failed`.
// Exit status: 0 all passed, 1 a test failed or a file could not run.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "dsl/diagnostic.h"
#include "tools/consentflow/commands.h"
#include "tools/consentflow/diagnostic_output.h"
#include "tools/scenario/parser.h"
#include "tools/scenario/runner.h"

namespace consentflow::tools {
namespace {

namespace fs = std::filesystem;

struct TestArgs {
  std::vector<std::string> paths;
  bool quiet = false;
};

struct Tally {
  int passed = 0;
  int failed = 0;
};

std::vector<std::string> TestFiles(const std::string& path) {
  if (!fs::is_directory(path)) return {path};
  std::vector<std::string> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(path)) {
    if (entry.is_regular_file() && entry.path().extension() == ".test") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The flows of `scenario`, or none (with the errors printed) when one does not compile.
std::optional<std::vector<dsl::ProgramPtr>> LoadFlows(const dsl::SourceFile& source,
                                                      const Scenario& scenario) {
  std::vector<dsl::ProgramPtr> programs;
  bool ok = true;
  for (const FlowReference& ref : scenario.flows) {
    const std::string path = (fs::path(source.name).parent_path() / ref.path).string();
    dsl::LoadedFlow flow = dsl::LoadFlow(path, CheckOptionsFor(path));
    if (flow.ok()) {
      programs.push_back(flow.program);
      continue;
    }
    ok = false;
    std::cout << dsl::FormatDiagnostic(source,
                                       dsl::Diagnostic{dsl::Severity::kError,
                                                       {ref.line, ref.column},
                                                       "test-flow",
                                                       "flow '" + ref.path + "' does not compile",
                                                       {}});
    for (const dsl::Diagnostic& d : flow.diagnostics) {
      if (d.severity == dsl::Severity::kError) std::cout << dsl::FormatDiagnostic(flow.source, d);
    }
  }
  if (!ok) return std::nullopt;
  return programs;
}

void RunFile(const std::string& file, bool quiet, Tally& tally) {
  dsl::SourceFile source;
  std::string error;
  if (!dsl::ReadSourceFile(file, source, error)) {
    std::cout << file << ": error: " << error << "\n";
    ++tally.failed;
    return;
  }
  const ParsedScenario parsed = ParseScenario(source);
  const int tests = std::max<int>(1, static_cast<int>(parsed.scenario.tests.size()));
  if (!parsed.ok()) {
    std::cout << dsl::FormatDiagnostics(source, parsed.diagnostics);
    tally.failed += tests;
    return;
  }
  const auto flows = LoadFlows(source, parsed.scenario);
  if (!flows) {
    tally.failed += tests;
    return;
  }
  for (const TestCase& test : parsed.scenario.tests) {
    const TestResult result = RunTest(parsed.scenario, test, *flows);
    const std::string where = file + ":" + std::to_string(test.line) + ": " + test.name;
    if (result.passed) {
      ++tally.passed;
      if (!quiet) std::cout << "PASS  " << where << "\n";
    } else {
      ++tally.failed;
      std::cout << "FAIL  " << where << "\n" << FormatFailure(file, result) << "\n";
    }
  }
}

int RunTests(const TestArgs& args) {
  Tally tally;
  for (const std::string& path : args.paths) {
    const std::vector<std::string> files = TestFiles(path);
    if (files.empty()) {
      std::cout << path << ": error: no .test files in this folder\n";
      ++tally.failed;
    }
    for (const std::string& file : files) RunFile(file, args.quiet, tally);
  }
  std::cout << tally.passed << " passed, " << tally.failed << " failed\n";
  return tally.failed > 0 ? 1 : 0;
}

}  // namespace

void AddTestCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "test", "Run scripted conversations (.test files) against flows (exit status 1 on failures)");
  cmd->add_option("paths", args->paths, ".test files, or folders of them")
      ->required()
      ->check(CLI::ExistingPath);
  cmd->add_flag("-q,--quiet", args->quiet, "Print only failures and the summary");
  cmd->callback([args, &exit_code] { exit_code = RunTests(*args); });
}

}  // namespace consentflow::tools
