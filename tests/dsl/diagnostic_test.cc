#include "dsl/diagnostic.h"

#include <gtest/gtest.h>

#include "dsl/edit_distance.h"

namespace consentflow::dsl {
namespace {

TEST(Diagnostic, FormatsWithNotesAndAGutterWideEnoughForTheLineNumber) {
  SourceFile source{"a.flow", "one\ntwo words\n"};
  Diagnostic d{Severity::kWarning, {2, 5}, "x", "something", {}};
  d.notes.push_back(Diagnostic{Severity::kNote, {1, 1}, "", "see here", {}});
  EXPECT_EQ(FormatDiagnostic(source, d),
            "a.flow:2:5: warning: something\n"
            "   2 | two words\n"
            "     |     ^\n"
            "a.flow:1:1: note: see here\n"
            "   1 | one\n"
            "     | ^\n");
}

TEST(Diagnostic, WithoutALocationNamesOnlyTheFile) {
  SourceFile source{"a.flow", ""};
  EXPECT_EQ(FormatDiagnostic(source, Diagnostic{Severity::kError, {}, "x", "cannot open", {}}),
            "a.flow: error: cannot open\n");
}

TEST(Diagnostic, DisplayColumnCountsCodePoints) {
  EXPECT_EQ(DisplayColumn("abc", 3), 3u);
  EXPECT_EQ(DisplayColumn("é x", 4), 3u);     // é is 2 bytes
  EXPECT_EQ(DisplayColumn("👍 x", 6), 3u);    // 4-byte emoji
}

TEST(EditDistance, SuggestsOnlyCloseNames) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("strat", "start"), 1u);  // a swap is one edit
  EXPECT_EQ(ClosestMatch("strat", {"start", "stop"}), "start");
  EXPECT_EQ(ClosestMatch("completely_else", {"start", "stop"}), "");
  EXPECT_EQ(DidYouMean("nmae", {"name"}), "; did you mean 'name'?");
}

}  // namespace
}  // namespace consentflow::dsl
