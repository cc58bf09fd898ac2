#include "dsl/compile.h"

#include "tests/dsl/contract_example.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "dsl/diagnostic.h"
#include "dsl/parser.h"
#include "dsl/program.h"
#include "dsl/program_json.h"
#include "dsl/source.h"

namespace consentflow::dsl {
namespace {

using ast::CompareOp;
using ast::ExprKind;
using ast::StepKind;

// The complete example of the language contract (docs: flow-language.md), verbatim.
using testing::kContractExample;

// A notice granting two purposes, mixed-case keywords, `-> end`, a nested condition, a choose
// that stores nothing, an extra consent button, an ask timeout and `on withdraw`.
constexpr std::string_view kTwoPurposes = R"flow(flow two_purposes
purpose offer "send you the offer"
purpose news "send you news"
notice privacy v4
  text "We use your data to {purposes}. Say {purposes}? \{ok}"
  grants news, offer
  accept "Yes"
  decline "No"
field email email for offer keep 7 days
field note text for news keep 1 day
field age integer 0..120 for offer keep 1 year
on keyword "Agent", "HUMAN" -> agent
on withdraw -> bye
state start
  consent privacy
    accepted -> ask_things
    declined -> end
    "Tell me more" -> more
state ask_things
  ask email "Your email?"
    timeout 10 minutes -> end
  ask note "A note for {email}?"
  if set(email) and not (age >= 18 or note == "vip") -> bye
  -> end
state more
  choose "Which?"
    "Offers" -> start
    "Nothing" -> end
state agent
  handoff support priority urgent
state bye
  say "Bye"
  end
)flow";

struct Compiled {
  SourceFile source;
  ProgramPtr program;
};

// Parses and compiles `text`; the program is null (and the test has failed) on a syntax error.
Compiled CompileText(std::string_view text) {
  Compiled out{SourceFile{"test.flow", std::string(text)}, nullptr};
  const ParseResult parsed = Parse(out.source);
  EXPECT_FALSE(HasErrors(parsed.diagnostics)) << FormatDiagnostics(out.source, parsed.diagnostics);
  if (parsed.flow && !HasErrors(parsed.diagnostics)) {
    out.program = Compile(*parsed.flow, out.source.name);
  }
  return out;
}

// The 1-based line of the first occurrence of `needle`.
uint32_t LineOf(std::string_view text, std::string_view needle) {
  const std::size_t at = text.find(needle);
  EXPECT_NE(at, std::string_view::npos) << needle;
  return 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + at, '\n'));
}

std::string Literal(const Template& text) {
  EXPECT_EQ(text.parts.size(), 1u);
  if (text.parts.empty()) return "";
  EXPECT_EQ(text.parts[0].kind, TemplatePart::Kind::kLiteral);
  return text.parts[0].literal;
}

class ContractExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    compiled_ = CompileText(kContractExample);
    ASSERT_NE(compiled_.program, nullptr);
  }
  const Program& program() const { return *compiled_.program; }
  const ProgramState& state(std::string_view id) const {
    return program().states.at(program().FindState(id).value());
  }

  Compiled compiled_;
};

TEST_F(ContractExampleTest, KeepsTheFlowHeader) {
  EXPECT_EQ(program().flow_id, "spring_leads");
  EXPECT_EQ(program().title, "Spring campaign: ski and hiking offers");
  EXPECT_EQ(program().version, 3);
  EXPECT_EQ(program().source_name, "test.flow");
  EXPECT_EQ(program().hooks_file, "spring_leads.lua");
  ASSERT_EQ(program().entries.size(), 3u);
  EXPECT_EQ(program().entries[0].kind, ast::EntryKind::kLink);
  EXPECT_EQ(program().entries[0].values, std::vector<std::string>{"SPRING24"});
  EXPECT_EQ(program().entries[1].kind, ast::EntryKind::kAd);
  EXPECT_TRUE(program().entries[1].values.empty());
  EXPECT_EQ(program().entries[2].kind, ast::EntryKind::kKeyword);
  EXPECT_EQ(program().entries[2].values, (std::vector<std::string>{"ski", "hiking"}));
}

TEST_F(ContractExampleTest, StatesKeepDeclarationOrder) {
  const std::vector<std::string> expected = {"start", "details",  "ski",           "hot_lead",
                                             "hike",  "newsletter_offer", "thanks", "talk_to_human",
                                             "nudge", "bye"};
  ASSERT_EQ(program().states.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(program().states[i].id, expected[i]);
    EXPECT_EQ(program().FindState(expected[i]), static_cast<StateId>(i));
  }
  EXPECT_EQ(program().start, 0u);
  EXPECT_EQ(program().FindState("end"), std::nullopt);
  EXPECT_EQ(program().FindState("nowhere"), std::nullopt);
}

TEST_F(ContractExampleTest, FieldsResolveWithTheirConstraints) {
  ASSERT_EQ(program().fields.size(), 4u);
  EXPECT_EQ(program().FindField("name"), 0u);
  EXPECT_EQ(program().FindField("budget"), 3u);
  EXPECT_EQ(program().FindField("phone"), std::nullopt);
  const ProgramField& name = program().fields[0];
  EXPECT_EQ(name.type, ast::FieldType::kText);
  EXPECT_EQ(name.max_length, 80);
  EXPECT_EQ(name.purpose, 0u);
  EXPECT_EQ(name.keep_seconds, 30 * 86400);
  EXPECT_EQ(program().fields[1].type, ast::FieldType::kEmail);
  EXPECT_EQ(program().fields[2].type, ast::FieldType::kChoice);
  const ProgramField& budget = program().fields[3];
  EXPECT_EQ(budget.type, ast::FieldType::kNumber);
  EXPECT_EQ(budget.min, 0.0);
  EXPECT_EQ(budget.max, 100000.0);
  EXPECT_EQ(program().fields[1].min, std::nullopt);
}

TEST_F(ContractExampleTest, NoticeTextGetsThePurposeDescription) {
  ASSERT_EQ(program().notices.size(), 2u);
  const ProgramNotice& privacy = program().notices[0];
  EXPECT_EQ(privacy.id, "privacy");
  EXPECT_EQ(privacy.version, 2);
  EXPECT_EQ(privacy.grants, std::vector<PurposeId>{0});
  EXPECT_EQ(Literal(privacy.text),
            "Hi! Before we start: we store your name and email only to send you the offer you "
            "asked for,\nand delete them after 30 days. Details: https://altitude.example/privacy");
  EXPECT_EQ(privacy.accept, "I agree");
  EXPECT_EQ(privacy.decline, "No thanks");
  EXPECT_EQ(program().notices[1].grants, std::vector<PurposeId>{1});
}

TEST_F(ContractExampleTest, HandlersResolve) {
  ASSERT_EQ(program().keyword_handlers.size(), 1u);
  EXPECT_EQ(program().keyword_handlers[0].words, (std::vector<std::string>{"agent", "human"}));
  EXPECT_EQ(program().keyword_handlers[0].target, program().FindState("talk_to_human"));
  EXPECT_EQ(program().timeout_seconds, 2 * 3600);
  EXPECT_EQ(program().timeout_target, program().FindState("nudge"));
  EXPECT_EQ(program().withdraw_target, std::nullopt);
}

TEST_F(ContractExampleTest, ConsentBranchesResolve) {
  const ProgramState& start = state("start");
  ASSERT_EQ(start.steps.size(), 2u);
  EXPECT_EQ(start.steps[0].kind, StepKind::kSay);
  EXPECT_EQ(Literal(start.steps[0].text), "Hi, welcome to Altitude Adventure Holidays!");
  const Step& consent = start.steps[1];
  EXPECT_EQ(consent.kind, StepKind::kConsent);
  EXPECT_EQ(consent.notice, 0u);
  EXPECT_EQ(consent.accepted, 1u);
  EXPECT_EQ(consent.declined, 9u);
  EXPECT_TRUE(consent.options.empty());
  EXPECT_EQ(consent.line, LineOf(kContractExample, "consent privacy"));
}

TEST_F(ContractExampleTest, AskGetsDefaultOrGivenRetries) {
  const ProgramState& details = state("details");
  ASSERT_EQ(details.steps.size(), 3u);
  const Step& ask_name = details.steps[0];
  EXPECT_EQ(ask_name.kind, StepKind::kAsk);
  EXPECT_EQ(ask_name.field, 0u);
  EXPECT_EQ(ask_name.retries, 3);
  EXPECT_EQ(ask_name.retries_target, kEndConversation);
  EXPECT_TRUE(ask_name.invalid.empty());
  EXPECT_EQ(ask_name.timeout_seconds, 0);

  const Step& ask_email = details.steps[1];
  EXPECT_EQ(ask_email.field, 1u);
  EXPECT_EQ(ask_email.retries, 2);
  EXPECT_EQ(ask_email.retries_target, program().FindState("bye"));
  EXPECT_EQ(Literal(ask_email.invalid),
            "Hmm, that doesn't look like an email address. Could you check it?");
  ASSERT_EQ(ask_email.text.parts.size(), 3u);
  EXPECT_EQ(ask_email.text.parts[0].literal, "Thanks ");
  EXPECT_EQ(ask_email.text.parts[1].kind, TemplatePart::Kind::kField);
  EXPECT_EQ(ask_email.text.parts[1].field, 0u);
  EXPECT_EQ(ask_email.text.parts[2].literal, "! Where should we send the offer?");
}

TEST_F(ContractExampleTest, ChooseOptionsResolve) {
  const Step& choose = state("details").steps[2];
  EXPECT_EQ(choose.kind, StepKind::kChoose);
  EXPECT_EQ(choose.field, 2u);
  ASSERT_EQ(choose.options.size(), 2u);
  EXPECT_EQ(choose.options[0].title, "Skiing");
  EXPECT_EQ(choose.options[0].target, program().FindState("ski"));
  EXPECT_EQ(choose.options[1].title, "Hiking");
  EXPECT_EQ(choose.options[1].target, program().FindState("hike"));
}

TEST_F(ContractExampleTest, CallWritesAndOutcomesResolve) {
  const ProgramState& ski = state("ski");
  ASSERT_EQ(ski.steps.size(), 3u);
  const Step& call = ski.steps[1];
  EXPECT_EQ(call.kind, StepKind::kCall);
  EXPECT_EQ(call.hook, "score_lead");
  EXPECT_EQ(call.writes, std::vector<FieldId>{3});
  ASSERT_EQ(call.options.size(), 2u);
  EXPECT_EQ(call.options[0].title, "hot");
  EXPECT_EQ(call.options[0].target, 3u);
  EXPECT_EQ(call.options[1].target, 5u);
  EXPECT_EQ(ski.steps[2].kind, StepKind::kGoto);
  EXPECT_EQ(ski.steps[2].target, 5u);
}

TEST_F(ContractExampleTest, IfConditionResolves) {
  const Step& step = state("hike").steps[1];
  EXPECT_EQ(step.kind, StepKind::kIf);
  EXPECT_EQ(step.target, program().FindState("hot_lead"));
  const Condition& condition = step.condition;
  EXPECT_EQ(condition.kind, ExprKind::kCompare);
  EXPECT_EQ(condition.op, CompareOp::kGt);
  ASSERT_EQ(condition.operands.size(), 2u);
  EXPECT_EQ(condition.operands[0].kind, ExprKind::kField);
  EXPECT_EQ(condition.operands[0].field, 3u);
  EXPECT_EQ(condition.operands[1].kind, ExprKind::kNumber);
  EXPECT_EQ(condition.operands[1].number, 5000.0);
}

TEST_F(ContractExampleTest, HandoffKeepsQueuePriorityAndNote) {
  const Step& hot = state("hot_lead").steps.at(0);
  EXPECT_EQ(hot.kind, StepKind::kHandoff);
  EXPECT_EQ(hot.queue, "sales");
  EXPECT_EQ(hot.priority, ast::Priority::kHigh);
  ASSERT_EQ(hot.text.parts.size(), 4u);
  EXPECT_EQ(hot.text.parts[0].literal, "Hot ski lead: ");
  EXPECT_EQ(hot.text.parts[1].field, 0u);
  EXPECT_EQ(hot.text.parts[2].literal, ", budget ");
  EXPECT_EQ(hot.text.parts[3].field, 3u);
  const Step& human = state("talk_to_human").steps.at(0);
  EXPECT_EQ(human.priority, ast::Priority::kNormal);
  EXPECT_EQ(Literal(human.text), "Asked for a person");
  EXPECT_EQ(state("thanks").steps.at(1).kind, StepKind::kEnd);
}

TEST_F(ContractExampleTest, StepsRecordTheirLines) {
  EXPECT_EQ(state("start").steps[0].line, LineOf(kContractExample, "say \"Hi, welcome"));
  EXPECT_EQ(state("bye").steps[1].line, LineOf(kContractExample, "state bye") + 2);
}

class TwoPurposesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    compiled_ = CompileText(kTwoPurposes);
    ASSERT_NE(compiled_.program, nullptr);
  }
  const Program& program() const { return *compiled_.program; }
  const ProgramState& state(std::string_view id) const {
    return program().states.at(program().FindState(id).value());
  }

  Compiled compiled_;
};

TEST_F(TwoPurposesTest, PurposesPlaceholderJoinsGrantedDescriptionsInGrantsOrder) {
  const ProgramNotice& notice = program().notices.at(0);
  EXPECT_EQ(notice.grants, (std::vector<PurposeId>{1, 0}));
  // Every {purposes} is replaced and the pieces around it merge into one literal; an escaped
  // brace stays text.
  EXPECT_EQ(Literal(notice.text),
            "We use your data to send you news and send you the offer. Say send you news and "
            "send you the offer? {ok}");
}

TEST_F(TwoPurposesTest, KeywordHandlerWordsAreLowerCased) {
  ASSERT_EQ(program().keyword_handlers.size(), 1u);
  EXPECT_EQ(program().keyword_handlers[0].words, (std::vector<std::string>{"agent", "human"}));
  EXPECT_EQ(program().keyword_handlers[0].target, program().FindState("agent"));
  EXPECT_EQ(program().withdraw_target, program().FindState("bye"));
  EXPECT_EQ(program().timeout_seconds, 0);
}

TEST_F(TwoPurposesTest, EndTargetsAreEndConversation) {
  const Step& consent = state("start").steps.at(0);
  EXPECT_EQ(consent.accepted, program().FindState("ask_things"));
  EXPECT_EQ(consent.declined, kEndConversation);
  ASSERT_EQ(consent.options.size(), 1u);
  EXPECT_EQ(consent.options[0].title, "Tell me more");
  EXPECT_EQ(consent.options[0].target, program().FindState("more"));
  EXPECT_EQ(state("ask_things").steps.at(3).kind, StepKind::kGoto);
  EXPECT_EQ(state("ask_things").steps.at(3).target, kEndConversation);
  EXPECT_EQ(state("more").steps.at(0).options.at(1).target, kEndConversation);
}

TEST_F(TwoPurposesTest, AskTimeoutAndFieldDefaults) {
  const Step& ask = state("ask_things").steps.at(0);
  EXPECT_EQ(ask.timeout_seconds, 600);
  EXPECT_EQ(ask.timeout_target, kEndConversation);
  EXPECT_EQ(ask.retries, 3);
  EXPECT_EQ(program().fields.at(1).max_length, 1000);  // text without `max`
  EXPECT_EQ(program().fields.at(2).min, 0.0);
  EXPECT_EQ(program().fields.at(2).max, 120.0);
  EXPECT_EQ(program().fields.at(2).keep_seconds, 365 * 86400);
}

TEST_F(TwoPurposesTest, ChooseWithoutFieldStoresNothing) {
  const Step& choose = state("more").steps.at(0);
  EXPECT_EQ(choose.kind, StepKind::kChoose);
  EXPECT_EQ(choose.field, kNoField);
  EXPECT_EQ(choose.options.at(0).target, program().start);
}

TEST_F(TwoPurposesTest, NestedConditionResolvesEveryField) {
  // set(email) and not (age >= 18 or note == "vip")
  const Step& step = state("ask_things").steps.at(2);
  EXPECT_EQ(step.target, program().FindState("bye"));
  const Condition& all = step.condition;
  ASSERT_EQ(all.kind, ExprKind::kAnd);
  ASSERT_EQ(all.operands.size(), 2u);
  EXPECT_EQ(all.operands[0].kind, ExprKind::kSet);
  EXPECT_EQ(all.operands[0].field, 0u);
  const Condition& negated = all.operands[1];
  ASSERT_EQ(negated.kind, ExprKind::kNot);
  ASSERT_EQ(negated.operands.size(), 1u);
  const Condition& either = negated.operands[0];
  ASSERT_EQ(either.kind, ExprKind::kOr);
  ASSERT_EQ(either.operands.size(), 2u);
  const Condition& adult = either.operands[0];
  EXPECT_EQ(adult.op, CompareOp::kGe);
  EXPECT_EQ(adult.operands.at(0).field, 2u);
  EXPECT_EQ(adult.operands.at(1).number, 18.0);
  const Condition& vip = either.operands[1];
  EXPECT_EQ(vip.op, CompareOp::kEq);
  EXPECT_EQ(vip.operands.at(0).kind, ExprKind::kField);
  EXPECT_EQ(vip.operands.at(0).field, 1u);
  EXPECT_EQ(vip.operands.at(1).kind, ExprKind::kString);
  EXPECT_EQ(vip.operands.at(1).text, "vip");
}

TEST(JoinPurposesTest, ReadsLikeAList) {
  EXPECT_EQ(JoinPurposes({}), "");
  EXPECT_EQ(JoinPurposes({"a"}), "a");
  EXPECT_EQ(JoinPurposes({"a", "b"}), "a and b");
  EXPECT_EQ(JoinPurposes({"a", "b", "c"}), "a, b and c");
  EXPECT_EQ(JoinPurposes({"a", "b", "c", "d"}), "a, b, c and d");
}

// ---------------------------------------------------------------- JSON

nlohmann::json ParseJson(const std::string& text) {
  return nlohmann::json::parse(text);  // throws, failing the test, on malformed output
}

bool HasMemberAnywhere(const nlohmann::json& json, const std::string& key) {
  if (json.is_object()) {
    if (json.contains(key)) return true;
    for (const auto& item : json.items()) {
      if (HasMemberAnywhere(item.value(), key)) return true;
    }
  } else if (json.is_array()) {
    for (const auto& item : json) {
      if (HasMemberAnywhere(item, key)) return true;
    }
  }
  return false;
}

TEST_F(ContractExampleTest, JsonNamesEverythingByName) {
  const nlohmann::json json = ParseJson(ProgramToJson(program()));
  EXPECT_EQ(json.at("format_version"), Program::kFormatVersion);
  EXPECT_EQ(json.at("flow"), "spring_leads");
  EXPECT_EQ(json.at("version"), 3);
  EXPECT_EQ(json.at("hooks"), "spring_leads.lua");
  EXPECT_EQ(json.at("start"), "start");
  EXPECT_EQ(json.at("entries").at(0).at("kind"), "link");
  EXPECT_EQ(json.at("purposes").at(1).at("id"), "news");
  EXPECT_EQ(json.at("notices").at(0).at("grants"), nlohmann::json::array({"offer"}));
  EXPECT_EQ(json.at("fields").at(0).at("type"), "text");
  EXPECT_EQ(json.at("fields").at(0).at("max_length"), 80);
  EXPECT_EQ(json.at("fields").at(0).at("purpose"), "offer");
  EXPECT_EQ(json.at("fields").at(3).at("max"), 100000.0);
  EXPECT_FALSE(json.at("fields").at(1).contains("max_length"));
  EXPECT_EQ(json.at("handlers").at("keywords").at(0).at("target"), "talk_to_human");
  EXPECT_EQ(json.at("handlers").at("timeout").at("seconds"), 7200);
  EXPECT_EQ(json.at("handlers").at("timeout").at("target"), "nudge");
  EXPECT_TRUE(json.at("handlers").at("withdraw").is_null());

  const nlohmann::json& start = json.at("states").at(0);
  EXPECT_EQ(start.at("id"), "start");
  const nlohmann::json& consent = start.at("steps").at(1);
  EXPECT_EQ(consent.at("kind"), "consent");
  EXPECT_EQ(consent.at("notice"), "privacy");
  EXPECT_EQ(consent.at("accepted"), "details");
  EXPECT_EQ(consent.at("declined"), "bye");
  EXPECT_EQ(consent.at("line"), LineOf(kContractExample, "consent privacy"));

  const nlohmann::json& ask = json.at("states").at(1).at("steps").at(0);
  EXPECT_EQ(ask.at("kind"), "ask");
  EXPECT_EQ(ask.at("field"), "name");
  EXPECT_EQ(ask.at("retries"), 3);
  EXPECT_EQ(ask.at("retries_target"), "end");
  const nlohmann::json email_text = json.at("states").at(1).at("steps").at(1).at("text");
  EXPECT_EQ(email_text, nlohmann::json::parse(
                            R"([{"text": "Thanks "}, {"field": "name"},
                                {"text": "! Where should we send the offer?"}])"));

  const nlohmann::json& condition = json.at("states").at(4).at("steps").at(1).at("condition");
  EXPECT_EQ(condition, nlohmann::json::parse(R"({"kind": "compare", "op": "gt", "operands": [
                           {"kind": "field", "field": "budget"},
                           {"kind": "number", "value": 5000.0}]})"));
  EXPECT_EQ(json.at("states").at(2).at("steps").at(2).at("kind"), "goto");
  EXPECT_EQ(json.at("states").at(3).at("steps").at(0).at("priority"), "high");
}

TEST_F(TwoPurposesTest, JsonWritesEndTargetsAndNulls) {
  const nlohmann::json json = ParseJson(ProgramToJson(program()));
  EXPECT_TRUE(json.at("hooks").is_null());
  EXPECT_TRUE(json.at("handlers").at("timeout").is_null());
  EXPECT_EQ(json.at("handlers").at("withdraw"), "bye");
  EXPECT_EQ(json.at("handlers").at("keywords").at(0).at("words"),
            nlohmann::json::array({"agent", "human"}));
  const nlohmann::json& consent = json.at("states").at(0).at("steps").at(0);
  EXPECT_EQ(consent.at("declined"), "end");
  EXPECT_EQ(consent.at("options").at(0).at("target"), "more");
  EXPECT_EQ(json.at("states").at(2).at("steps").at(0).at("field"), nullptr);
  const nlohmann::json& ask = json.at("states").at(1).at("steps").at(0);
  EXPECT_EQ(ask.at("timeout").at("seconds"), 600);
  EXPECT_EQ(ask.at("timeout").at("target"), "end");
  EXPECT_TRUE(ask.at("invalid").is_null());
  EXPECT_EQ(json.at("states").at(1).at("steps").at(2).at("condition").at("kind"), "and");
}

TEST_F(ContractExampleTest, JsonIsStable) {
  const std::string first = ProgramToJson(program());
  EXPECT_EQ(first, ProgramToJson(program()));
  // A second, independent compilation of the same text gives the same bytes.
  const Compiled again = CompileText(kContractExample);
  ASSERT_NE(again.program, nullptr);
  EXPECT_EQ(first, ProgramToJson(*again.program));
}

TEST_F(ContractExampleTest, JsonWithoutLinesHasNoLineMember) {
  const std::string with_lines = ProgramToJson(program());
  const std::string without = ProgramToJson(program(), {.include_lines = false});
  EXPECT_NE(with_lines.find("\"line\""), std::string::npos);
  EXPECT_EQ(without.find("\"line\""), std::string::npos);
  EXPECT_FALSE(HasMemberAnywhere(ParseJson(without), "line"));
  EXPECT_TRUE(HasMemberAnywhere(ParseJson(with_lines), "line"));
}

TEST(ProgramJsonTest, LayoutChangesOnlyChangeLines) {
  // The same flow with other indentation, blank lines and comments.
  std::string moved = "# a comment first\n\n";
  for (const char c : kTwoPurposes) {
    moved += c;
    if (c == '\n') moved += "      ";
  }
  const Compiled a = CompileText(kTwoPurposes);
  const Compiled b = CompileText(moved);
  ASSERT_NE(a.program, nullptr);
  ASSERT_NE(b.program, nullptr);
  const ProgramJsonOptions no_lines{.include_lines = false};
  EXPECT_EQ(ProgramToJson(*a.program, no_lines), ProgramToJson(*b.program, no_lines));
  EXPECT_NE(ProgramToJson(*a.program), ProgramToJson(*b.program));
}

TEST(ProgramJsonTest, NegativeIndentWritesOneLine) {
  const Compiled compiled = CompileText(kTwoPurposes);
  ASSERT_NE(compiled.program, nullptr);
  const std::string compact = ProgramToJson(*compiled.program, {.indent = -1});
  EXPECT_EQ(compact.find('\n'), std::string::npos);
  EXPECT_EQ(ParseJson(compact), ParseJson(ProgramToJson(*compiled.program)));
}

TEST(ProgramJsonTest, InvalidUtf8IsReplacedNotThrown) {
  // Neither Parse() nor Check() rejects invalid UTF-8 today, so the writer must not throw.
  Program program;
  program.flow_id = "broken";
  program.title = "caf\xe9 \xff";
  std::string json;
  ASSERT_NO_THROW(json = ProgramToJson(program));
  EXPECT_EQ(ParseJson(json).at("title"), "caf\xef\xbf\xbd \xef\xbf\xbd");
}

}  // namespace
}  // namespace consentflow::dsl
