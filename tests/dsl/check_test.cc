// One test per kind of error and warning the compiler reports: each changes one thing in a
// flow that compiles clean and expects that diagnostic, at that place.

#include "dsl/check.h"

#include <gtest/gtest.h>

#include "tests/dsl/test_flows.h"

namespace consentflow::dsl {
namespace {

using testing::CompileText;
using testing::Dump;
using testing::Find;
using testing::kBaseFlow;
using testing::Replace;

struct Case {
  const char* code;      // the diagnostic expected
  const char* from;      // replaced in kBaseFlow ...
  const char* to;        // ... by this
  uint32_t line;
  uint32_t column;
  Severity severity = Severity::kError;
  const char* message_part = "";  // a piece of the message that must be there
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.code; }

class DiagnosticKind : public ::testing::TestWithParam<Case> {};

TEST_P(DiagnosticKind, IsReportedWhereTheProblemIs) {
  const Case& c = GetParam();
  const LoadedFlow flow = CompileText(Replace(kBaseFlow, c.from, c.to));
  const Diagnostic* d = Find(flow.diagnostics, c.code);
  ASSERT_NE(d, nullptr) << "no '" << c.code << "' in:\n" << Dump(flow);
  EXPECT_EQ(d->severity, c.severity) << Dump(flow);
  EXPECT_EQ(d->location, (Location{c.line, c.column})) << Dump(flow);
  EXPECT_NE(d->message.find(c.message_part), std::string::npos) << d->message;
  EXPECT_EQ(flow.ok(), c.severity != Severity::kError) << Dump(flow);
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.code;
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

constexpr const char* kField = "field name text max 80 for offer keep 30 days";

INSTANTIATE_TEST_SUITE_P(
    Errors, DiagnosticKind,
    ::testing::Values(
        Case{"unknown-state", "declined -> bye", "declined -> byee", 12, 17, Severity::kError,
             "did you mean 'bye'?"},
        Case{"unknown-field", "ask name", "ask nmae", 14, 7, Severity::kError, "did you mean 'name'?"},
        Case{"unknown-purpose", "grants offer", "grants ofer", 5, 10},
        Case{"unknown-notice", "consent privacy", "consent privacyy", 10, 11},
        Case{"duplicate-name", "state bye\n  say \"Bye\"\n  end\n",
             "state bye\n  say \"Bye\"\n  end\nstate bye\n  end\n", 20, 7},
        Case{"reserved-name", "state bye\n  say \"Bye\"\n  end\n",
             "state bye\n  say \"Bye\"\n  end\nstate end\n  end\n", 20, 7},
        Case{"missing-start", "state start", "state begin", 1, 6},
        Case{"incomplete-notice", "  accept \"I agree\"\n", "", 3, 8, Severity::kError,
             "missing 'accept"},
        Case{"duplicate-title", "decline \"No thanks\"", "decline \"i agree\"", 7, 11},
        Case{"bad-range", kField, "field name text max 80 for offer keep 30 days\n"
                                  "field age integer 10..5 for offer keep 1 day", 9, 19},
        Case{"bad-duration", "keep 30 days", "keep 0 days", 8, 39},
        Case{"duplicate-entry", "flow t \"Test\"\n", "flow t \"Test\"\nentry default\nentry default\n",
             3, 1},
        Case{"bad-link-code", "flow t \"Test\"\n", "flow t \"Test\"\nentry link \"SPRING 24\"\n", 2, 12},
        Case{"empty-word", "flow t \"Test\"\n", "flow t \"Test\"\nentry keyword \"\"\n", 2, 15},
        Case{"duplicate-handler", "flow t \"Test\"\n",
             "flow t \"Test\"\non timeout 1 hour -> bye\non timeout 2 hours -> bye\n", 3, 1},
        Case{"withdrawal-word", "flow t \"Test\"\n", "flow t \"Test\"\non keyword \"Stop\" -> bye\n",
             2, 12},
        Case{"duplicate-keyword", "flow t \"Test\"\n",
             "flow t \"Test\"\non keyword \"help\", \"HELP\" -> bye\n", 2, 20},
        Case{"missing-hooks", "  say \"Bye\"", "  call notify", 18, 8, Severity::kError,
             "hooks \"t.lua\""},
        Case{"consent-branches", "    declined -> bye\n", "", 10, 3},
        Case{"condition-type", "  say \"Thanks {name}\"", "  if name > 3 -> bye", 15, 6},
        Case{"store-type", kField, "field name choice for offer keep 30 days", 14, 7},
        Case{"misplaced-purposes", "say \"Bye\"", "say \"Bye {purposes}\"", 18, 12},
        Case{"empty-text", "say \"Bye\"", "say \"\"", 18, 7},
        Case{"title-too-long", "accept \"I agree\"", "accept \"I agree to all of this\"", 6, 10,
             Severity::kError, "is 22 characters long; WhatsApp allows at most 20"},
        Case{"option-count", "  say \"Bye\"\n  end", "  choose \"Again?\"\n    \"Yes\" -> start", 18, 3},
        Case{"too-many-buttons", "    declined -> bye\n",
             "    declined -> bye\n    \"Why?\" -> bye\n    \"Later\" -> bye\n", 10, 3},
        Case{"empty-state", "state bye\n  say \"Bye\"\n  end\n", "state bye\n", 17, 7},
        Case{"falls-off-end", "  say \"Thanks {name}\"\n  end\n", "  say \"Thanks {name}\"\n", 15, 3},
        Case{"consent-before-capture", "declined -> bye", "declined -> details", 14, 7,
             Severity::kError, "none is accepted on the path start (privacy declined) -> details"},
        Case{"purpose-never-granted", kField,
             "field name text max 80 for offer keep 30 days\npurpose extra \"more\"\n"
             "field more text for extra keep 1 day",
             10, 21},
        Case{"unknown-escape", "say \"Bye\"", "say \"B\\ye\"", 18, 9},
        Case{"bad-reference", "say \"Bye\"", "say \"Bye {\"", 18, 12},
        Case{"reference-not-allowed", "accept \"I agree\"", "accept \"I {name}\"", 6, 13},
        Case{"uppercase-name", "state bye", "state bYe", 17, 7, Severity::kError, "write 'bye'"},
        Case{"misplaced-branch", "  say \"Bye\"", "  say \"Bye\"\n    accepted -> start", 19, 5},
        Case{"duplicate-branch", "    declined -> bye\n", "    declined -> bye\n    declined -> bye\n",
             13, 5},
        Case{"step-outside-state", "purpose offer", "say \"hi\"\npurpose offer", 2, 1},
        Case{"misplaced-line", "  say \"Bye\"", "  grants offer\n  say \"Bye\"", 18, 3},
        Case{"duplicate-flow", "purpose offer", "flow u\npurpose offer", 2, 1},
        Case{"bad-number", "notice privacy v1", "notice privacy v0", 3, 16},
        Case{"number-too-large", "keep 30 days", "keep 99999999999999999999 days", 8, 39},
        Case{"invalid-utf8", "say \"Bye\"", "say \"B\xE9\"", 18, 9},
        Case{"duplicate-version", "purpose offer", "version 2\nversion 3\npurpose offer", 3, 1},
        Case{"duplicate-hooks", "purpose offer", "hooks \"a.lua\"\nhooks \"b.lua\"\npurpose offer", 3, 1},
        Case{"duplicate-detail", "  grants offer", "  grants offer\n  text \"again\"", 6, 3}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    Warnings, DiagnosticKind,
    ::testing::Values(
        Case{"duplicate-grant", "grants offer", "grants offer, offer", 5, 17, Severity::kWarning},
        Case{"unreachable-step", "  say \"Bye\"\n  end", "  say \"Bye\"\n  end\n  say \"Never\"", 20, 3,
             Severity::kWarning},
        Case{"unreachable-state", "state bye\n  say \"Bye\"\n  end\n",
             "state bye\n  say \"Bye\"\n  end\nstate orphan\n  end\n", 20, 7, Severity::kWarning},
        Case{"maybe-unset", "say \"Bye\"", "say \"Bye {name}\"", 18, 12, Severity::kWarning,
             "on the path start (privacy declined) -> bye"},
        Case{"unused-field", kField,
             "field name text max 80 for offer keep 30 days\nfield age integer for offer keep 1 day",
             9, 7, Severity::kWarning},
        Case{"unused-purpose", "purpose offer \"send you the offer\"",
             "purpose offer \"send you the offer\"\npurpose spare \"nothing\"", 3, 9,
             Severity::kWarning},
        Case{"unused-notice", "field name",
             "notice other v1\n  text \"x\"\n  grants offer\n  accept \"Yes\"\n  decline \"No\"\n"
             "field name",
             8, 8, Severity::kWarning},
        Case{"long-link-code", "flow t \"Test\"\n",
             "flow t \"Test\"\nentry link \"SPRING-SKI-OFFER-2024\"\n", 2, 12, Severity::kWarning,
             "is 21 characters long"}),
    CaseName);

// unknown-choice needs two changes to the base flow.
TEST(DiagnosticKind, ComparingAChoiceWithATitleNoOptionHasWarns) {
  std::string text = Replace(kBaseFlow, kField,
                             "field name text max 80 for offer keep 30 days\n"
                             "field pick choice for offer keep 1 day");
  text = Replace(text, "  say \"Thanks {name}\"\n  end\n",
                 "  choose pick \"Which?\"\n    \"Skiing\" -> done\n    \"Hiking\" -> done\n"
                 "state done\n  if pick == \"Skying\" -> bye\n  end\n");
  const LoadedFlow flow = CompileText(text);
  const Diagnostic* d = Find(flow.diagnostics, "unknown-choice");
  ASSERT_NE(d, nullptr) << Dump(flow);
  EXPECT_EQ(d->location, (Location{20, 14}));
  EXPECT_NE(d->message.find("did you mean 'Skiing'?"), std::string::npos) << d->message;
}

TEST(Check, TheBaseFlowIsClean) {
  const LoadedFlow flow = CompileText(kBaseFlow);
  EXPECT_TRUE(flow.ok());
  EXPECT_TRUE(flow.diagnostics.empty()) << Dump(flow);
}

TEST(Check, ReportsEveryErrorOfAFileInOneRun) {
  std::string text = Replace(kBaseFlow, "declined -> bye", "declined -> byee");
  text = Replace(text, "ask name", "ask nmae");
  text = Replace(text, "say \"Bye\"", "say \"\"");
  const LoadedFlow flow = CompileText(text);
  EXPECT_NE(Find(flow.diagnostics, "unknown-state"), nullptr);
  EXPECT_NE(Find(flow.diagnostics, "unknown-field"), nullptr);
  EXPECT_NE(Find(flow.diagnostics, "empty-text"), nullptr);
}

HookResolver FakeHooks(HookFunctions result) {
  return [result](const std::string&) { return result; };
}

TEST(CheckHooks, AHookFileThatDoesNotLoadIsAnError) {
  std::string text = Replace(kBaseFlow, "purpose offer", "hooks \"t.lua\"\npurpose offer");
  text = Replace(text, "  say \"Bye\"", "  call notify");
  const LoadedFlow flow = CompileText(text, CheckOptions{FakeHooks({false, "t.lua:1: boom", {}})});
  const Diagnostic* d = Find(flow.diagnostics, "bad-hooks-file");
  ASSERT_NE(d, nullptr) << Dump(flow);
  EXPECT_EQ(d->location, (Location{2, 7}));
  EXPECT_NE(d->message.find("t.lua:1: boom"), std::string::npos);
}

TEST(CheckHooks, CallingAFunctionTheFileDoesNotDefineIsAnError) {
  std::string text = Replace(kBaseFlow, "purpose offer", "hooks \"t.lua\"\npurpose offer");
  text = Replace(text, "  say \"Bye\"", "  call notfy");
  const LoadedFlow flow = CompileText(text, CheckOptions{FakeHooks({true, "", {"notify", "score"}})});
  const Diagnostic* d = Find(flow.diagnostics, "unknown-hook");
  ASSERT_NE(d, nullptr) << Dump(flow);
  EXPECT_EQ(d->location, (Location{19, 8}));
  EXPECT_NE(d->message.find("did you mean 'notify'?"), std::string::npos) << d->message;
}

TEST(CheckHooks, ADefinedFunctionCompiles) {
  std::string text = Replace(kBaseFlow, "purpose offer", "hooks \"t.lua\"\npurpose offer");
  text = Replace(text, "  say \"Bye\"", "  call notify");
  const LoadedFlow flow = CompileText(text, CheckOptions{FakeHooks({true, "", {"notify"}})});
  EXPECT_TRUE(flow.ok()) << Dump(flow);
}

TEST(CheckLimits, CountsInterpolationsAtTheirDeclaredMaximum) {
  // 1000 characters of text plus {name} at 80 exceeds the 1024 of a message with buttons.
  const std::string question = "ask ok \"" + std::string(1000, 'x') + " {name}\"";
  std::string text = Replace(kBaseFlow, kField,
                             "field name text max 80 for offer keep 30 days\n"
                             "field ok yesno for offer keep 1 day");
  text = Replace(text, "  say \"Thanks {name}\"", "  " + question);
  const LoadedFlow flow = CompileText(text);
  const Diagnostic* d = Find(flow.diagnostics, "text-too-long");
  ASSERT_NE(d, nullptr) << Dump(flow);
  EXPECT_NE(d->message.find("can be 1081 characters long (counting {name} as 80)"),
            std::string::npos)
      << d->message;
  // As a plain text question (not yes/no) the same text fits in 4096.
  const LoadedFlow plain = CompileText(Replace(text, "field ok yesno", "field ok text"));
  EXPECT_EQ(Find(plain.diagnostics, "text-too-long"), nullptr) << Dump(plain);
}

TEST(CheckLimits, AnEmojiCountsTwice) {
  EXPECT_EQ(WhatsAppLength("abc"), 3u);
  EXPECT_EQ(WhatsAppLength("é"), 1u);
  EXPECT_EQ(WhatsAppLength("👍"), 2u);
  // 19 letters and an emoji: 21 UTF-16 units, over the 20 of a button title.
  const LoadedFlow flow =
      CompileText(Replace(kBaseFlow, "accept \"I agree\"", "accept \"Yes I agree with it 👍\""));
  EXPECT_NE(Find(flow.diagnostics, "title-too-long"), nullptr) << Dump(flow);
}

TEST(CheckLimits, ListTitlesMayBeLongerThanButtonTitles) {
  // 4 options make a list, whose titles may have 24 characters; 3 make buttons (20).
  const std::string options4 =
      "  choose \"Which?\"\n    \"A title of 22 letters\" -> bye\n    \"B\" -> bye\n    \"C\" -> bye\n"
      "    \"D\" -> bye\n";
  const LoadedFlow list = CompileText(Replace(kBaseFlow, "  say \"Thanks {name}\"\n  end\n", options4));
  EXPECT_EQ(Find(list.diagnostics, "title-too-long"), nullptr) << Dump(list);
  const std::string options3 =
      "  choose \"Which?\"\n    \"A title of 22 letters\" -> bye\n    \"B\" -> bye\n    \"C\" -> bye\n";
  const LoadedFlow buttons = CompileText(Replace(kBaseFlow, "  say \"Thanks {name}\"\n  end\n", options3));
  EXPECT_NE(Find(buttons.diagnostics, "title-too-long"), nullptr) << Dump(buttons);
}

TEST(CheckLimits, LinkCodesUpTo16CharactersAndInvalidCodesGetNoLengthWarning) {
  auto with_code = [](const std::string& code) {
    return CompileText(Replace(kBaseFlow, "flow t \"Test\"\n",
                               "flow t \"Test\"\nentry link \"" + code + "\"\n"));
  };
  const LoadedFlow sixteen = with_code("SPRING-SKI-2024X");
  EXPECT_TRUE(sixteen.diagnostics.empty()) << Dump(sixteen);
  // Over 32 characters, or with a space, the code is invalid: the error alone says so.
  for (const std::string& code : {std::string(33, 'A'), std::string("SPRING SKI OFFER 2024")}) {
    const LoadedFlow bad = with_code(code);
    EXPECT_NE(Find(bad.diagnostics, "bad-link-code"), nullptr) << Dump(bad);
    EXPECT_EQ(Find(bad.diagnostics, "long-link-code"), nullptr) << Dump(bad);
  }
}

}  // namespace
}  // namespace consentflow::dsl
