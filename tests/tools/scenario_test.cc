#include <gtest/gtest.h>

#include "dsl/loader.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/parser.h"
#include "tools/scenario/runner.h"
#include "tools/scenario/text_pattern.h"

namespace consentflow::tools {
namespace {

ParsedScenario Parse(std::string text) {
  return ParseScenario(dsl::SourceFile{"t.test", std::move(text)});
}

// The first line of the first error: "t.test:3:5: error: ...".
std::string FirstError(std::string text) {
  const dsl::SourceFile source{"t.test", std::move(text)};
  const ParsedScenario parsed = ParseScenario(source);
  if (parsed.ok()) return "(no error)";
  const std::string all = dsl::FormatDiagnostic(source, parsed.diagnostics.front());
  return all.substr(0, all.find('\n'));
}

// `steps` as the body of one test in a file that names a flow.
std::string InTest(std::string_view steps) {
  return "flow a.flow\ntest \"t\"\n" + std::string(steps);
}

TEST(ScenarioParser, ReadsHeaderTestsAndEveryStep) {
  const ParsedScenario parsed = Parse(R"(# a comment
flow ../flows/a.flow   # trailing comment
flow "b c.flow"
hook score returns "hot" writes budget = 9000, note = "two words"

test "First"
  customer: Hi # not a comment
  bot: Hi there!
  bot: Before we start...
  bot shows: I agree | No thanks
  customer taps: I agree
  customer shares location: 52.52, 13.40
  customer sends a photo
  customer sends a photo: my receipt
  wait 3 hours
  bot says nothing
  field name = Lena
  field budget is unset
  field email is set
  consent privacy is not given
  chat is in queue sales priority high
  chat is with the bot
  chat is at state details
  conversation has ended
  handoff note: ...budget 9000
  agent hands back to start
  agent closes
  ledger verifies
  ledger has 1 entry
  no privacy incidents
  privacy incident on field name
  flow error: hook 'score' failed...
  hook score returns ""

test "Second"
  customer: "  1  "
)");
  ASSERT_TRUE(parsed.ok()) << dsl::FormatDiagnostics(dsl::SourceFile{"t.test", ""},
                                                     parsed.diagnostics);
  const Scenario& s = parsed.scenario;
  ASSERT_EQ(s.flows.size(), 2u);
  EXPECT_EQ(s.flows[0].path, "../flows/a.flow");
  EXPECT_EQ(s.flows[0].line, 2u);
  EXPECT_EQ(s.flows[1].path, "b c.flow");
  ASSERT_EQ(s.hooks.size(), 1u);
  EXPECT_EQ(s.hooks[0].name, "score");
  EXPECT_EQ(s.hooks[0].hook.outcome, "hot");
  EXPECT_EQ(s.hooks[0].hook.writes.at("budget"), "9000");
  EXPECT_EQ(s.hooks[0].hook.writes.at("note"), "two words");

  ASSERT_EQ(s.tests.size(), 2u);
  EXPECT_EQ(s.tests[0].name, "First");
  EXPECT_EQ(s.tests[0].line, 6u);
  const std::vector<Step>& steps = s.tests[0].steps;
  ASSERT_EQ(steps.size(), 27u);
  EXPECT_EQ(steps[0].kind, StepKind::kSay);
  EXPECT_EQ(steps[0].text, "Hi # not a comment");
  EXPECT_EQ(steps[0].line, 7u);
  EXPECT_EQ(steps[0].column, 3u);
  EXPECT_EQ(steps[1].pattern.kind(), TextPattern::Kind::kWhole);
  EXPECT_EQ(steps[2].pattern.kind(), TextPattern::Kind::kPrefix);
  EXPECT_EQ(steps[2].pattern.text(), "Before we start");
  EXPECT_EQ(steps[3].choices, (std::vector<std::string>{"I agree", "No thanks"}));
  EXPECT_EQ(steps[4].kind, StepKind::kTap);
  EXPECT_EQ(steps[5].latitude, 52.52);
  EXPECT_EQ(steps[5].longitude, 13.40);
  EXPECT_EQ(steps[6].text, "");
  EXPECT_EQ(steps[7].text, "my receipt");
  EXPECT_EQ(steps[8].duration, std::chrono::hours(3));
  EXPECT_EQ(steps[9].kind, StepKind::kBotSilent);
  EXPECT_EQ(steps[10].kind, StepKind::kFieldEquals);
  EXPECT_EQ(steps[10].text, "Lena");
  EXPECT_EQ(steps[11].kind, StepKind::kFieldUnset);
  EXPECT_EQ(steps[12].kind, StepKind::kFieldSet);
  EXPECT_EQ(steps[13].consent, ConsentExpectation::kNotGiven);
  EXPECT_EQ(steps[14].name, "sales");
  EXPECT_EQ(steps[14].priority, "high");
  EXPECT_EQ(steps[15].kind, StepKind::kWithBot);
  EXPECT_EQ(steps[16].name, "details");
  EXPECT_EQ(steps[17].kind, StepKind::kEnded);
  EXPECT_EQ(steps[18].pattern.kind(), TextPattern::Kind::kSuffix);
  EXPECT_EQ(steps[19].name, "start");
  EXPECT_EQ(steps[20].kind, StepKind::kClose);
  EXPECT_EQ(steps[21].kind, StepKind::kLedgerVerifies);
  EXPECT_EQ(steps[22].count, 1);
  EXPECT_EQ(steps[23].kind, StepKind::kNoIncidents);
  EXPECT_EQ(steps[24].name, "name");
  EXPECT_EQ(steps[25].kind, StepKind::kFlowError);
  EXPECT_EQ(steps[26].kind, StepKind::kHook);
  EXPECT_EQ(steps[26].hook.outcome, "");
  EXPECT_EQ(s.tests[1].steps.at(0).text, "  1  ");
}

TEST(ScenarioParser, ReportsEachErrorAtItsLineAndColumn) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::vector<Case> cases = {
      {InTest("  costumer: hi\n"),
       "t.test:3:3: error: unknown step 'costumer'; did you mean 'customer'? (see "
       "docs/testing-flows.md for the steps)"},
      {InTest("  customer taps I agree\n"),
       "t.test:3:17: error: expected ':' after 'customer taps'"},
      {InTest("  customer shout: hi\n"),
       "t.test:3:12: error: expected ':', 'taps:', 'shares location:' or 'sends a photo' after "
       "'customer'"},
      {InTest("  customer:\n"),
       "t.test:3:12: error: expected what the customer writes after 'customer:'"},
      {InTest("  customer: \"hi\n"),
       "t.test:3:13: error: unterminated string: the closing '\"' is missing"},
      {InTest("  bot: \"a\\qb\"\n"),
       "t.test:3:10: error: unknown escape in a string: use \\\" \\\\ \\n or \\t"},
      {InTest("  bot says nothing at all\n"),
       "t.test:3:20: error: unexpected 'at all' at the end of the step"},
      {InTest("  bot shows: Yes |\n"), "t.test:3:19: error: expected a button or list row title"},
      {InTest("  wait 3 fortnights\n"),
       "t.test:3:8: error: expected how long to wait: a number and a unit, e.g. 30s, 10 min, 3h, "
       "2 days, 1 week"},
      {InTest("  consent privacy is maybe\n"),
       "t.test:3:22: error: expected 'granted', 'declined', 'withdrawn' or 'not given'"},
      {InTest("  field Name = x\n"),
       "t.test:3:9: error: expected a field name (lower-case letters, digits and '_')"},
      {InTest("  field name is sett\n"),
       "t.test:3:14: error: expected '= VALUE', 'is set' or 'is unset' after the field name"},
      {InTest("  chat is in queue sales priority top\n"),
       "t.test:3:35: error: expected 'low', 'normal', 'high' or 'urgent'"},
      {InTest("  customer shares location: 95, 13\n"),
       "t.test:3:29: error: expected the latitude, a number from -90 to 90"},
      {InTest("  ledger has many entries\n"), "t.test:3:14: error: expected a number of entries"},
      {InTest("  hook score returns hot\n"),
       "t.test:3:22: error: expected the outcome in quotes, e.g. \"hot\""},
      {"flow a.flow\n  customer: hi\ntest \"t\"\n  bot: x\n",
       "t.test:2:3: error: this step belongs inside a test: start one with test \"NAME\""},
      {InTest("  bot: x\nflow b.flow\n"),
       "t.test:4:6: error: 'flow' lines go before the first test (they name the flows every test "
       "runs)"},
      {InTest("  bot: x\ntest \"t\"\n  bot: y\n"),
       "t.test:4:6: error: a test named \"t\" is already defined on line 2"},
      {"flow a.flow\ntest unquoted\n", "t.test:2:6: error: expected the test's name in quotes"},
      {InTest("test \"u\"\n  bot: y\n"), "t.test:2:1: error: test \"t\" has no steps"},
      {"test \"t\"\n  bot: y\n",
       "t.test: error: no 'flow' line: name the flow files to test, e.g. flow newsletter.flow"},
      {"flow a.flow\n", "t.test: error: no tests: start one with test \"NAME\""},
  };
  for (const Case& c : cases) EXPECT_EQ(FirstError(c.text), c.error) << c.text;
}

TEST(ScenarioParser, ReportsEveryErrorNotJustTheFirst) {
  const ParsedScenario parsed = Parse(InTest("  bot shout\n  wait forever\n  bot: fine\n"));
  ASSERT_EQ(parsed.diagnostics.size(), 2u);
  EXPECT_EQ(parsed.diagnostics[0].location, (dsl::Location{3, 7}));
  EXPECT_EQ(parsed.diagnostics[1].location, (dsl::Location{4, 8}));
}

TEST(TextPattern, MatchesWholePrefixSuffixContainsAndExact) {
  EXPECT_TRUE(TextPattern::FromPlain("Hi there").Matches("Hi\n  there"));
  EXPECT_FALSE(TextPattern::FromPlain("Hi there").Matches("Hi there!"));
  EXPECT_TRUE(TextPattern::FromPlain("Hi...").Matches("Hi there!"));
  EXPECT_TRUE(TextPattern::FromPlain("Hi\xE2\x80\xA6").Matches("Hi there!"));
  EXPECT_TRUE(TextPattern::FromPlain("...there!").Matches("Hi there!"));
  EXPECT_FALSE(TextPattern::FromPlain("...there").Matches("Hi there!"));
  EXPECT_TRUE(TextPattern::FromPlain("...i th...").Matches("Hi there!"));
  EXPECT_TRUE(TextPattern::FromPlain("...").Matches("anything"));
  EXPECT_TRUE(TextPattern(TextPattern::Kind::kExact, "a\nb").Matches("a\nb"));
  EXPECT_FALSE(TextPattern(TextPattern::Kind::kExact, "a b").Matches("a\nb"));
  EXPECT_EQ(TextPattern::FromPlain("Hi...").Describe(), "\"Hi...\"");
  EXPECT_EQ(Quote("a \"b\"\nc"), "\"a \\\"b\\\"\\nc\"");
}

TEST(Duration, ReadsTheLanguagesUnitsWithOrWithoutASpace) {
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  EXPECT_EQ(ParseDuration("30s"), Duration(seconds(30)));
  EXPECT_EQ(ParseDuration("10 min"), Duration(minutes(10)));
  EXPECT_EQ(ParseDuration("3h"), Duration(hours(3)));
  EXPECT_EQ(ParseDuration("2 days"), Duration(hours(48)));
  EXPECT_EQ(ParseDuration("1 Day"), Duration(hours(24)));
  EXPECT_EQ(ParseDuration("2 months"), Duration(hours(24 * 60)));
  EXPECT_EQ(ParseDuration("1 year"), Duration(hours(24 * 365)));
  EXPECT_EQ(ParseDuration("3"), std::nullopt);
  EXPECT_EQ(ParseDuration("h"), std::nullopt);
  EXPECT_EQ(ParseDuration("3 fortnights"), std::nullopt);
  EXPECT_EQ(ParseDuration("99999999999999 years"), std::nullopt);
}

// A small flow to run scenarios against.
constexpr std::string_view kMiniFlow = R"(flow mini
entry default
hooks "mini.lua"
purpose contact "reply to you"
notice privacy v1
  text "May we keep your name to {purposes}?"
  grants contact
  accept "Sure"
  decline "Rather not"
field name text max 20 for contact keep 7 days
on timeout 1 hour -> reminder
state start
  say "Hi there!"
  consent privacy
    accepted -> ask
    declined -> bye
state ask
  ask name "Your name?"
  call greet
    "vip" -> vip
  say "Thanks {name}."
  end
state vip
  handoff vip_desk priority urgent note "VIP {name}"
state reminder
  say "Still there?"
  end
state bye
  say "Bye."
  end
)";

class ScenarioRun : public ::testing::Test {
 protected:
  void SetUp() override {
    const dsl::LoadedFlow flow =
        dsl::LoadFlowSource(dsl::SourceFile{"mini.flow", std::string(kMiniFlow)});
    ASSERT_TRUE(flow.ok()) << dsl::FormatDiagnostics(flow.source, flow.diagnostics);
    flows_.push_back(flow.program);
  }

  // Runs the only test of `text` (a header naming mini.flow is added).
  TestResult Run(std::string_view text) {
    const ParsedScenario parsed =
        ParseScenario(dsl::SourceFile{"t.test", "flow mini.flow\n" + std::string(text)});
    EXPECT_TRUE(parsed.ok()) << dsl::FormatDiagnostics(dsl::SourceFile{"t.test", ""},
                                                       parsed.diagnostics);
    if (!parsed.ok() || parsed.scenario.tests.empty()) return TestResult{};
    return RunTest(parsed.scenario, parsed.scenario.tests[0], flows_);
  }

  std::vector<dsl::ProgramPtr> flows_;
};

TEST_F(ScenarioRun, APassingConversation) {
  const TestResult r = Run(R"(hook greet returns "vip"
test "vip"
  customer: hello
  bot: Hi there!
  bot: May we keep your name...
  bot shows: Sure | Rather not
  bot says nothing
  consent privacy is not given
  customer taps: sure
  consent privacy is granted
  bot: Your name?
  customer: Ada
  field name = Ada
  bot says nothing
  chat is in queue vip_desk priority urgent
  chat is at state vip
  handoff note: VIP Ada
  agent hands back to ask
  bot: Your name?
  chat is with the bot
  wait 1 hour
  bot: Still there?
  conversation has ended
  ledger has 1 entry
  ledger verifies
  no privacy incidents
)");
  EXPECT_TRUE(r.passed) << r.failure_line << ": " << r.failure;
}

TEST_F(ScenarioRun, RepliesLeftUncheckedAreSkippedAtTheNextAction) {
  const TestResult r =
      Run("test \"t\"\n  customer: hi\n  bot: Hi there!\n  customer: sure\n  bot: Your name?\n");
  EXPECT_TRUE(r.passed) << r.failure;
}

TEST_F(ScenarioRun, AWrongBotMessageNamesBothTexts) {
  const TestResult r = Run("test \"t\"\n  customer: hi\n  bot: Hello!\n");
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.failure_line, 4u);
  EXPECT_EQ(r.failure, "expected bot message \"Hello!\", got \"Hi there!\"");
  EXPECT_EQ(FormatFailure("t.test", r),
            "t.test:4: expected bot message \"Hello!\", got \"Hi there!\"");
}

TEST_F(ScenarioRun, MessagesAreCheckedInOrder) {
  const TestResult r = Run("test \"t\"\n  customer: hi\n  bot: May we keep...\n");
  EXPECT_EQ(r.failure, "expected bot message \"May we keep...\", got \"Hi there!\"");
  const TestResult past_end =
      Run("test \"t\"\n  customer: hi\n  bot: ...\n  bot: ...\n  bot: ...\n");
  EXPECT_EQ(past_end.failure, "expected bot message \"...\", got no further reply");
  EXPECT_EQ(past_end.failure_line, 6u);
}

TEST_F(ScenarioRun, SaysNothingFailsOnAnUncheckedReply) {
  const TestResult r = Run("test \"t\"\n  customer: hi\n  bot: Hi there!\n  bot says nothing\n");
  EXPECT_EQ(r.failure,
            "expected no further bot message, got \"May we keep your name to reply to you?\"");
}

TEST_F(ScenarioRun, TappingAMissingChoiceListsTheChoices) {
  const TestResult r = Run("test \"t\"\n  customer: hi\n  customer taps: Yes\n");
  EXPECT_EQ(r.failure_line, 4u);
  EXPECT_EQ(r.failure,
            "no choice titled \"Yes\" on the bot's latest buttons or list; its choices are: Sure, "
            "Rather not");
}

TEST_F(ScenarioRun, ChoicesAndStateExpectationsSayWhatTheyGot) {
  EXPECT_EQ(
      Run("test \"t\"\n  customer: hi\n  bot: ...\n  bot: ...\n  bot shows: Yes | No\n").failure,
      "expected choices Yes | No, got Sure | Rather not");
  EXPECT_EQ(Run("test \"t\"\n  customer: hi\n  bot: Hi there!\n  bot shows: Yes\n").failure,
            "expected choices Yes, got a message without buttons: \"Hi there!\"");
  EXPECT_EQ(
      Run("test \"t\"\n  customer: hi\n  customer: sure\n  customer: Ada\n  field name = Bob\n")
          .failure,
      "expected field name = \"Bob\", got \"Ada\"");
  EXPECT_EQ(Run("test \"t\"\n  customer: hi\n  field name is set\n").failure,
            "expected field name set, got unset");
  EXPECT_EQ(
      Run("test \"t\"\n  customer: hi\n  customer: rather not\n  consent privacy is granted\n")
          .failure,
      "expected consent privacy granted, got declined");
  EXPECT_EQ(Run("test \"t\"\n  customer: hi\n  chat is in queue vip_desk\n").failure,
            "expected the chat in queue 'vip_desk', got the chat with the bot at state 'start'");
  EXPECT_EQ(Run("test \"t\"\n  customer: hi\n  conversation has ended\n").failure,
            "expected the conversation to have ended, got the chat with the bot at state 'start'");
  EXPECT_EQ(Run("test \"t\"\n  customer: hi\n  ledger has 2 entries\n").failure,
            "expected 2 ledger entries, got 0");
}

TEST_F(ScenarioRun, UnknownNamesFailWithASuggestion) {
  EXPECT_EQ(Run("test \"t\"\n  field nmae is unset\n").failure,
            "no flow declares a field 'nmae'; did you mean 'name'?");
  EXPECT_EQ(Run("test \"t\"\n  consent newsletter is granted\n").failure,
            "no flow declares a notice 'newsletter'");
  EXPECT_EQ(Run("test \"t\"\n  chat is at state strat\n").failure,
            "no flow declares a state 'strat'; did you mean 'start'?");
}

TEST_F(ScenarioRun, AnUnexpectedFlowErrorFailsAtTheActionThatCausedIt) {
  const TestResult r =
      Run("test \"t\"\n  customer: hi\n  customer: sure\n  customer: Ada\n  bot: Thanks Ada.\n  "
          "customer: again\n");
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.failure_line, 5u);
  EXPECT_EQ(r.failure,
            "expected no flow error, got \"hook 'greet' failed: mini.lua: cannot open hook file: "
            "No such file or directory\"");
  const TestResult expected =
      Run("test \"t\"\n  customer: hi\n  customer: sure\n  customer: Ada\n"
          "  flow error: hook 'greet' failed...\n  bot: Thanks Ada.\n");
  EXPECT_TRUE(expected.passed) << expected.failure;
}

TEST_F(ScenarioRun, HandingBackAChatThatIsNotHandedOffFails) {
  const TestResult r = Run("test \"t\"\n  customer: hi\n  agent closes\n");
  EXPECT_EQ(r.failure, "the chat is not waiting for an agent: nothing to close");
}

}  // namespace
}  // namespace consentflow::tools
