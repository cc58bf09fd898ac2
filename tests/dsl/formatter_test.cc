// The formatter's canonical layout, sample by sample, and what it refuses. What formatting must
// never change, over every sample, is in formatter_properties_test.cc.

#include "dsl/formatter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "dsl/diagnostic.h"
#include "dsl/source.h"
#include "tests/dsl/formatter_test_support.h"

namespace consentflow::dsl::formatter_test {
namespace {

std::string WithoutWhitespace(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(),
                         [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }),
          s.end());
  return s;
}

TEST(FormatterTest, MessyInputGetsCanonicalLayout) {
  EXPECT_EQ(Formatted(kMessy), kMessyFormatted);
}

TEST(FormatterTest, CrlfAndTabsBecomeNewlinesAndSpaces) {
  EXPECT_EQ(Formatted(kCrlfTabs), kCrlfTabsFormatted);
}

TEST(FormatterTest, TripleQuotedStringsAreReindented) {
  EXPECT_EQ(Formatted(kTripleStrings), kTripleStringsFormatted);
}

TEST(FormatterTest, FieldAndPurposeTablesAreAligned) {
  EXPECT_EQ(Formatted(kTables), kTablesFormatted);
}

TEST(FormatterTest, TrailingCommentsAreAlignedInRuns) {
  EXPECT_EQ(Formatted(kComments), kCommentsFormatted);
}

// Alignment comes from the tokens alone: hand alignment, good or bad, is replaced.
TEST(FormatterTest, HandAlignmentIsReplaced) {
  EXPECT_EQ(Formatted("purpose a                \"x\"\n"
                      "purpose bbb \"y\"   # c\n"
                      "purpose cc\t\t\"z\"          # d\n"),
            "purpose a   \"x\"\n"
            "purpose bbb \"y\"  # c\n"
            "purpose cc  \"z\"  # d\n");
}

// The contract's example is hand-aligned, but its columns are not aligned (see
// ContractExampleFormatted()), so no column rule gives it back unchanged: the canonical form keeps
// its words and order and differs in whitespace only, and is itself a fixed point.
TEST(FormatterTest, ContractExampleChangesOnlyInWhitespace) {
  const std::string expected = ContractExampleFormatted();
  const std::string out = Formatted(kContractExample);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(WithoutWhitespace(out), WithoutWhitespace(kContractExample));
  EXPECT_EQ(Formatted(expected), expected);
}

TEST(FormatterTest, FileWithSyntaxErrorIsRefused) {
  const std::string text =
      "flow broken\n"
      "state start\n"
      "  say \"no closing quote\n"
      "  end\n";
  const FormatResult result = Format(text);
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.text.empty());
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].code, "syntax");
  // At the end of the line, where the closing quote is missing.
  EXPECT_EQ(result.diagnostics[0].location, (Location{3, 24}));
  EXPECT_EQ(FormatDiagnostic(SourceFile{"test.flow", text}, result.diagnostics[0]),
            "test.flow:3:24: error: this string has no closing '\"' on its line; use \"\"\" for "
            "text that spans lines\n"
            "   3 |   say \"no closing quote\n"
            "     |                        ^\n");
}

TEST(FormatterTest, RefusalReportsEverySyntaxErrorAndNothingElse) {
  const FormatResult result = Format(
      "flow broKen\n"  // a capital: a naming error, not a syntax error
      "state start\n"
      "  sya \"hello\"\n"  // unknown word
      "  end end\n");      // two steps on one line
  EXPECT_FALSE(result.ok);
  ASSERT_EQ(result.diagnostics.size(), 2u);
  for (const Diagnostic& d : result.diagnostics) EXPECT_EQ(d.code, "syntax");
  EXPECT_EQ(result.diagnostics[0].location.line, 3u);
  EXPECT_EQ(result.diagnostics[1].location.line, 4u);
}

TEST(FormatterTest, CheckErrorsDoNotStopTheFormatter) {
  // No `flow` line and a branch with no step above it: the checker's business, not ours.
  const FormatResult result = Format("state start\naccepted->start\n");
  EXPECT_TRUE(result.ok);
  EXPECT_TRUE(result.diagnostics.empty());
  EXPECT_EQ(result.text, "state start\n    accepted -> start\n");
}

TEST(FormatterTest, EmptyAndBlankFilesStayEmpty) {
  EXPECT_EQ(Formatted(""), "");
  EXPECT_EQ(Formatted("\n  \n\t\n"), "");
}

TEST(FormatterTest, ByteOrderMarkIsKept) {
  EXPECT_EQ(Formatted("\xEF\xBB\xBF  flow bom\n"),
            "\xEF\xBB\xBF"
            "flow bom\n");
}

TEST(FormatterTest, ExpressionSpacing) {
  EXPECT_EQ(Formatted("state s\nif not(a<1)or set( b )and c!=\"x\" -> s\n"),
            "state s\n  if not (a < 1) or set(b) and c != \"x\" -> s\n");
  EXPECT_EQ(Formatted("state s\nif ((true)) -> s\n"), "state s\n  if ((true)) -> s\n");
}

}  // namespace
}  // namespace consentflow::dsl::formatter_test
