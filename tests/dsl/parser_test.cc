#include "dsl/parser.h"

#include <gtest/gtest.h>

namespace consentflow::dsl {
namespace {

ParseResult ParseText(std::string_view text) { return Parse(SourceFile{"p.flow", std::string(text)}); }

std::string Formatted(std::string_view text) {
  const SourceFile source{"p.flow", std::string(text)};
  return FormatDiagnostics(source, Parse(source).diagnostics);
}

TEST(Parser, SyntaxErrorsSayWhatWasExpectedWithTheLineAndACaret) {
  EXPECT_EQ(Formatted("flow t\nstate start\n  say \"hi\" there\n  end\n"),
            "p.flow:3:12: error: unexpected 'there' after the end of the line; write one "
            "declaration or step per line\n"
            "   3 |   say \"hi\" there\n"
            "     |            ^\n");
}

TEST(Parser, MisspelledKeywordsGetASuggestion) {
  EXPECT_EQ(Formatted("flow t\nstat start\n"),
            "p.flow:2:1: error: unknown word 'stat'; did you mean 'state'?\n"
            "   2 | stat start\n"
            "     | ^\n");
}

TEST(Parser, MissingPiecesAreNamed) {
  const struct {
    const char* line;
    const char* message;
  } cases[] = {
      {"field email email keep 30 days",
       "expected 'for PURPOSE' after the field's type: every field needs a purpose"},
      {"field email email for offer",
       "expected 'keep DURATION' after the purpose: every field needs a retention period, e.g. "
       "'keep 30 days'"},
      {"field age integer 0..", "expected the upper bound of the range after '..'"},
      {"on timeout 2 fortnights -> x",
       "expected a time unit after the number: seconds, minutes, hours, days, weeks, months or "
       "years"},
      {"  ask name", "expected the quoted question"},
      {"  if (a > 1 -> x", "expected ')'"},
      {"  say \"unterminated",
       "this string has no closing '\"' on its line; use \"\"\" for text that spans lines"},
      {"  handoff sales priority soon", "expected low, normal, high or urgent after 'priority'"},
      {"    accepted x", "expected '->' and a state name"},
      {"state Start", "expected the state's name after 'state'; names use lower-case letters, "
                      "digits and '_'"},
  };
  for (const auto& c : cases) {
    const ParseResult r = ParseText(std::string("flow t\n") + c.line + "\n");
    ASSERT_EQ(r.diagnostics.size(), 1u) << c.line;
    EXPECT_EQ(r.diagnostics[0].message, c.message) << c.line;
    EXPECT_EQ(r.diagnostics[0].location.line, 2u);
    EXPECT_FALSE(r.flow.has_value());
  }
}

TEST(Parser, RecoversAtTheNextLineToReportEverySyntaxError) {
  const ParseResult r = ParseText("flow t\nstat start\n  say hi\n  end\nfield x for\n");
  ASSERT_EQ(r.diagnostics.size(), 3u);
  EXPECT_EQ(r.diagnostics[0].location, (Location{2, 1}));
  EXPECT_EQ(r.diagnostics[1].location, (Location{3, 7}));
  EXPECT_EQ(r.diagnostics[2].location, (Location{5, 9}));
}

TEST(Parser, ColumnsAreShownInCharactersNotBytes) {
  // "é" is two bytes: the caret must still sit under the first character of 'oops'.
  const std::string out = Formatted("flow t\nstate start\n  say \"café\" oops\n");
  EXPECT_NE(out.find("p.flow:3:14: error"), std::string::npos) << out;
  EXPECT_NE(out.find("     |              ^\n"), std::string::npos) << out;
}

TEST(Parser, DecodesEscapesAndReferences) {
  const ParseResult r = ParseText("flow t\nstate start\n  say \"a \\\"b\\\" \\\\ \\{x} {name}!\\n\"\n  end\n");
  ASSERT_TRUE(r.flow) << r.diagnostics.size();
  const ast::Text& text = r.flow->states[0].steps[0].text;
  ASSERT_EQ(text.parts.size(), 3u);
  EXPECT_EQ(text.parts[0].value, "a \"b\" \\ {x} ");
  EXPECT_TRUE(text.parts[1].is_reference);
  EXPECT_EQ(text.parts[1].value, "name");
  EXPECT_EQ(text.parts[1].location, (Location{3, 24}));
  EXPECT_EQ(text.parts[2].value, "!\n");
}

TEST(Parser, TripleQuotedTextLosesItsCommonIndentation) {
  const ParseResult r = ParseText(
      "flow t\nstate start\n  say \"\"\"\n      Hello {name},\n        indented\n\n      bye\n"
      "      \"\"\"\n  end\n");
  ASSERT_TRUE(r.flow);
  const ast::Text& text = r.flow->states[0].steps[0].text;
  EXPECT_EQ(text.Spelled(), "Hello {name},\n  indented\n\nbye");
  // The reference keeps its place in the file, after the removed indentation.
  EXPECT_EQ(text.parts[1].location, (Location{4, 13}));
}

TEST(Parser, ConditionsFollowPrecedenceNotBeforeAndBeforeOr) {
  const ParseResult r = ParseText("flow t\nstate start\n  if not a or b and c > 2 -> x\n  end\n");
  ASSERT_TRUE(r.flow);
  const ast::Expr& e = r.flow->states[0].steps[0].condition;
  ASSERT_EQ(e.kind, ast::ExprKind::kOr);
  EXPECT_EQ(e.operands[0].kind, ast::ExprKind::kNot);
  ASSERT_EQ(e.operands[1].kind, ast::ExprKind::kAnd);
  const ast::Expr& compare = e.operands[1].operands[1];
  EXPECT_EQ(compare.kind, ast::ExprKind::kCompare);
  EXPECT_EQ(compare.op, ast::CompareOp::kGt);
  EXPECT_EQ(compare.operands[1].number, 2);
}

TEST(Parser, DeepNestingIsRefusedNotAStackOverflow) {
  const std::string deep = "flow t\nstate start\n  if " + std::string(100000, '(') + "a -> x\n";
  const ParseResult r = ParseText(deep);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_NE(r.diagnostics[0].message.find("nested too deeply"), std::string::npos);
}

TEST(Parser, DurationsInEveryUnit) {
  const ParseResult r = ParseText(
      "flow t\nfield a text for p keep 2 hours\nfield b text for p keep 1 day\n"
      "field c text for p keep 3 weeks\nfield d text for p keep 2 months\n"
      "field e text for p keep 1 year\nfield f text for p keep 90 min\nfield g text for p keep 5d\n");
  ASSERT_TRUE(r.flow);
  const auto& f = r.flow->fields;
  EXPECT_EQ(f[0].keep.seconds, 2 * 3600);
  EXPECT_EQ(f[1].keep.seconds, 86400);
  EXPECT_EQ(f[2].keep.seconds, 21 * 86400);
  EXPECT_EQ(f[3].keep.seconds, 60 * 86400);
  EXPECT_EQ(f[4].keep.seconds, 365 * 86400);
  EXPECT_EQ(f[5].keep.seconds, 90 * 60);
  EXPECT_EQ(f[6].keep.seconds, 5 * 86400);
}

TEST(Parser, BranchesBelongToTheNearestStepThatTakesBranches) {
  const ParseResult r = ParseText(
      "flow t\nstate start\n  consent privacy\n    accepted -> a\n    declined -> b\n"
      "    \"More\" -> c\n  choose \"Q\"\n    \"X\" -> a\n    \"Y\" -> b\n");
  ASSERT_TRUE(r.flow);
  const auto& steps = r.flow->states[0].steps;
  EXPECT_EQ(steps[0].accepted->name, "a");
  EXPECT_EQ(steps[0].declined->name, "b");
  ASSERT_EQ(steps[0].options.size(), 1u);
  EXPECT_EQ(steps[1].options.size(), 2u);
}

// Found by the fuzzer: a branch line below steps that do not take branches still belongs to the
// step above them, even after those steps have made the state's step list grow (and move).
TEST(Parser, ABranchAfterManyPlainStepsStillFindsItsStep) {
  std::string text = "flow t\nstate start\n  choose \"Q\"\n    \"X\" -> start\n";
  for (int i = 0; i < 40; ++i) text += "  say \"line " + std::to_string(i) + "\"\n";
  text += "    \"Y\" -> start\n";
  const ParseResult r = ParseText(text);
  ASSERT_TRUE(r.flow);
  const auto& steps = r.flow->states[0].steps;
  ASSERT_EQ(steps.size(), 41u);
  ASSERT_EQ(steps[0].options.size(), 2u);
  EXPECT_EQ(steps[0].options[1].title.value, "Y");
}

TEST(Parser, LayoutRecordsEveryLogicalLine) {
  const ParseResult r = ParseText("# head\nflow t\n\nstate start  # s\n  say \"\"\"\n  x\n  \"\"\"\n");
  ASSERT_EQ(r.layout.size(), 5u);
  EXPECT_EQ(r.layout[0].kind, LineKind::kComment);
  EXPECT_EQ(r.layout[1].kind, LineKind::kDeclaration);
  EXPECT_EQ(r.layout[2].kind, LineKind::kBlank);
  EXPECT_EQ(r.layout[3].kind, LineKind::kState);
  EXPECT_EQ(r.layout[3].comment, "# s");
  EXPECT_EQ(r.layout[4].kind, LineKind::kStep);
  EXPECT_EQ(r.layout[4].first_line, 5u);
  EXPECT_EQ(r.layout[4].last_line, 7u);
}

TEST(Parser, AcceptsCrLfAndABom) {
  const ParseResult r = ParseText("\xEF\xBB\xBF" "flow t\r\nstate start\r\n  end\r\n");
  ASSERT_TRUE(r.flow);
  EXPECT_EQ(r.flow->id.name, "t");
  EXPECT_EQ(r.flow->states.size(), 1u);
}

}  // namespace
}  // namespace consentflow::dsl
