#pragma once

// Running the tests of a parsed .test file, each in a fresh Session (tools/session/session.h):
// the customer's and the agent's actions go to the engine, the expectations are checked in
// order, and the first one that fails ends the test.
//
// The bot's replies: each action starts a new round. `bot:` checks the next unchecked reply of
// the round, in order; replies left unchecked when the next action comes are fine (a test checks
// what it cares about; `bot says nothing` asserts there is nothing more). Flow errors (a hook
// that failed, a loop stopped, a message no flow takes) are not skipped: each must be expected
// with `flow error:` before the next action, or the test fails.

#include <cstdint>
#include <string>
#include <vector>

#include "dsl/program.h"
#include "tools/scenario/scenario.h"

namespace consentflow::tools {

struct TestResult {
  std::string name;
  uint32_t line = 0;  // of its `test` line
  bool passed = true;
  uint32_t failure_line = 0;  // the step that failed
  std::string failure;        // "expected bot message "Hi", got "Hello""
};

// Runs `test` with `flows` (loaded from the scenario's `flow` lines) and the file's hooks.
TestResult RunTest(const Scenario& scenario, const TestCase& test,
                   const std::vector<dsl::ProgramPtr>& flows);

// "file:line: message", the GCC shape editors and CI annotate. REQUIRES: !result.passed.
std::string FormatFailure(const std::string& file, const TestResult& result);

}  // namespace consentflow::tools
