#include "tools/scenario/parser.h"

#include <algorithm>
#include <map>

#include "dsl/edit_distance.h"
#include "tools/scenario/line_cursor.h"
#include "tools/scenario/step_parser.h"

namespace consentflow::tools {
namespace {

// The file's structure: `flow` lines, `hook` lines before the first test, `test` lines and the
// steps under them. step_parser.cc reads each step.
class Parser {
 public:
  explicit Parser(const dsl::SourceFile& source) : source_(source) {}

  ParsedScenario Run() {
    uint32_t number = 0;
    std::string_view rest = source_.text;
    while (!rest.empty()) {
      const std::size_t nl = rest.find('\n');
      Line(++number, rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    Finish();
    return std::move(out_);
  }

 private:
  void Line(uint32_t number, std::string_view text) {
    line_ = number;
    LineCursor c(text);
    if (c.AtEnd()) return;  // blank or comment
    ++lines_in_test_;
    Step step;
    step.line = number;
    step.column = c.column();
    const std::size_t start = c.position();
    const std::string_view first = c.Word(":\"");
    if (first == "test") return TestLine(c, step.column);
    if (first == "flow" && !c.Eat("error:")) return FlowLine(c);
    c.Reset(start);
    c.Word(":\"");
    if (std::find(StepWords().begin(), StepWords().end(), first) == StepWords().end()) {
      std::vector<std::string> words = StepWords();
      words.push_back("test");
      Error(step.column, "unknown step '" + std::string(first) + "'" +
                             dsl::DidYouMean(first, words) +
                             " (see docs/testing-flows.md for the steps)");
      return;
    }
    if (auto error = ParseStep(first, c, step))
      return Error(error->column, std::move(error->message));
    if (!EndOfLine(c)) return;
    if (step.kind == StepKind::kHook && !InTest()) {
      out_.scenario.hooks.push_back(std::move(step));
    } else if (InTest()) {
      out_.scenario.tests.back().steps.push_back(std::move(step));
    } else {
      Error(step.column, "this step belongs inside a test: start one with test \"NAME\"");
    }
  }

  bool EndOfLine(LineCursor& c) {
    if (c.AtEnd()) return true;
    const uint32_t column = c.column();
    Error(column, "unexpected '" + std::string(c.Rest()) + "' at the end of the step");
    return false;
  }

  // flow PATH
  void FlowLine(LineCursor& c) {
    c.SkipSpaces();
    FlowReference ref{"", line_, c.column()};
    if (InTest()) {
      return Error(ref.column,
                   "'flow' lines go before the first test (they name the flows every "
                   "test runs)");
    }
    std::string error;
    if (auto q = c.Quoted(error)) {
      ref.path = std::move(*q);
    } else if (!error.empty()) {
      return Error(c.column(), error);
    } else {
      ref.path = std::string(c.Word());
    }
    if (ref.path.empty())
      return Error(ref.column, "expected the path of a .flow file, relative to this file");
    if (EndOfLine(c)) out_.scenario.flows.push_back(std::move(ref));
  }

  // test "NAME"
  void TestLine(LineCursor& c, uint32_t column) {
    std::string error;
    c.SkipSpaces();
    const uint32_t name_column = c.column();
    auto name = c.Quoted(error);
    if (!name) {
      return Error(c.column(), error.empty() ? "expected the test's name in quotes" : error);
    }
    if (name->empty()) return Error(name_column, "a test needs a name");
    if (!EndOfLine(c)) return;
    if (const auto [it, fresh] = names_.emplace(*name, line_); !fresh) {
      return Error(name_column, "a test named \"" + *name + "\" is already defined on line " +
                                    std::to_string(it->second));
    }
    CheckNotEmpty(lines_in_test_ - 1);  // not counting this `test` line
    out_.scenario.tests.push_back(TestCase{std::move(*name), line_, {}});
    test_column_ = column;
    lines_in_test_ = 0;
  }

  bool InTest() const { return !out_.scenario.tests.empty(); }

  // `lines`: the statement lines the current test has, valid or not.
  void CheckNotEmpty(int lines) {
    if (!InTest() || lines > 0) return;
    const TestCase& test = out_.scenario.tests.back();
    out_.diagnostics.push_back(dsl::Diagnostic{dsl::Severity::kError,
                                               {test.line, test_column_},
                                               "test-syntax",
                                               "test \"" + test.name + "\" has no steps",
                                               {}});
  }

  void Finish() {
    CheckNotEmpty(lines_in_test_);
    if (out_.scenario.flows.empty()) {
      Error(0, "no 'flow' line: name the flow files to test, e.g. flow newsletter.flow");
    }
    if (out_.scenario.tests.empty()) Error(0, "no tests: start one with test \"NAME\"");
    dsl::SortByLocation(out_.diagnostics);
    // Problems of the whole file come last, after the ones a line can be blamed for.
    for (dsl::Diagnostic& d : file_errors_) out_.diagnostics.push_back(std::move(d));
  }

  // An error at `column` of the current line; column 0: about the whole file.
  void Error(uint32_t column, std::string message) {
    dsl::Diagnostic d{dsl::Severity::kError, {}, "test-syntax", std::move(message), {}};
    if (column == 0) return file_errors_.push_back(std::move(d));
    d.location = dsl::Location{line_, column};
    out_.diagnostics.push_back(std::move(d));
  }

  const dsl::SourceFile& source_;
  ParsedScenario out_;
  uint32_t line_ = 0;
  uint32_t test_column_ = 0;
  int lines_in_test_ = 0;  // statement lines since the last `test` line, valid or not
  std::map<std::string, uint32_t> names_;
  dsl::Diagnostics file_errors_;
};

}  // namespace

const char* ConsentExpectationName(ConsentExpectation expectation) {
  switch (expectation) {
    case ConsentExpectation::kGranted:
      return "granted";
    case ConsentExpectation::kDeclined:
      return "declined";
    case ConsentExpectation::kWithdrawn:
      return "withdrawn";
    case ConsentExpectation::kNotGiven:
      return "not given";
  }
  return "granted";
}

ParsedScenario ParseScenario(const dsl::SourceFile& source) { return Parser(source).Run(); }

}  // namespace consentflow::tools
