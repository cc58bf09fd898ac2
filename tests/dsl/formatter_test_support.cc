#include "tests/dsl/formatter_test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dsl/diagnostic.h"
#include "dsl/source.h"
#include "tests/dsl/contract_example.h"

namespace consentflow::dsl::formatter_test {

FormatResult Format(const std::string& text) { return FormatFlow(SourceFile{"test.flow", text}); }

std::string Formatted(const std::string& text) {
  const FormatResult result = Format(text);
  EXPECT_TRUE(result.ok) << "formatter refused:\n"
                         << FormatDiagnostics(SourceFile{"test.flow", text}, result.diagnostics);
  return result.text;
}

// The complete example of the language contract (shared/flow-language.md), copied verbatim.
const std::string kContractExample(testing::kContractExample);

// Every kind of mess: blank lines at both ends and in runs, tabs, no indentation, too much
// indentation, spaces around commas, no spaces around arrows, spaced parentheses, a duration
// written `2h`, trailing blanks after code and comments, comments at odd indentations.
const std::string kMessy =
    "\n"
    "\n"
    "   # leading comment\t  \n"
    "flow   demo   \"Demo flow\"   # trailing   \n"
    "version  2\n"
    "\tentry keyword \"a\" ,\"b\",   \"c\"\n"
    "hooks \"demo.lua\"\n"
    "purpose offer    \"the offer\"\n"
    "\n"
    "\n"
    "\n"
    "notice privacy   v1\n"
    "text \"\"\"\n"
    "        Hello, {purposes}.\n"
    "\n"
    "          Indented line.\n"
    "        \"\"\"\n"
    "\tgrants offer\n"
    "accept \"OK\"\n"
    "      decline \"No\"\n"
    "field budget number -5..100 for offer keep 2h\n"
    "field name text max 80 for offer keep 30   days\n"
    "field colour choice for offer keep 1 year\n"
    "on timeout 10 min->start\n"
    "on keyword \"agent\",\"human\"->start\n"
    "state start\n"
    "say \"Hi   there\"\n"
    "  consent privacy\n"
    "# about accepted\n"
    "accepted->ask_budget\n"
    "                declined -> bye   # said no\n"
    "state ask_budget\n"
    "ask budget \"How much?\"\n"
    "invalid \"A number, please\"\n"
    "retries 2->bye\n"
    "timeout 1 d -> bye\n"
    "if ( set ( budget ) and budget>=10 ) or not budget == -3.5 -> bye\n"
    "  choose colour \"Colour?\"\n"
    "\"Red\"->bye\n"
    "  \"Blue\"   ->   bye\n"
    "call score writes budget , name\n"
    "\"hot\"->bye\n"
    "->bye\n"
    "state bye\n"
    "handoff sales   priority high note \"x # not a comment\"   \n"
    "end\n"
    "      # trailing comment at the end\n"
    "\n"
    "\n";

const std::string kMessyFormatted =
    "# leading comment\n"
    "flow demo \"Demo flow\"  # trailing\n"
    "version 2\n"
    "entry keyword \"a\", \"b\", \"c\"\n"
    "hooks \"demo.lua\"\n"
    "purpose offer \"the offer\"\n"
    "\n"
    "notice privacy v1\n"
    "  text \"\"\"\n"
    "    Hello, {purposes}.\n"
    "\n"
    "      Indented line.\n"
    "  \"\"\"\n"
    "  grants offer\n"
    "  accept \"OK\"\n"
    "  decline \"No\"\n"
    "field budget number -5..100 for offer keep 2 h\n"
    "field name   text max 80    for offer keep 30 days\n"
    "field colour choice         for offer keep 1 year\n"
    "on timeout 10 min -> start\n"
    "on keyword \"agent\", \"human\" -> start\n"
    "state start\n"
    "  say \"Hi   there\"\n"
    "  consent privacy\n"
    "    # about accepted\n"
    "    accepted -> ask_budget\n"
    "    declined -> bye  # said no\n"
    "state ask_budget\n"
    "  ask budget \"How much?\"\n"
    "    invalid \"A number, please\"\n"
    "    retries 2 -> bye\n"
    "    timeout 1 d -> bye\n"
    "  if (set(budget) and budget >= 10) or not budget == -3.5 -> bye\n"
    "  choose colour \"Colour?\"\n"
    "    \"Red\" -> bye\n"
    "    \"Blue\" -> bye\n"
    "  call score writes budget, name\n"
    "    \"hot\" -> bye\n"
    "  -> bye\n"
    "state bye\n"
    "  handoff sales priority high note \"x # not a comment\"\n"
    "  end\n"
    "# trailing comment at the end\n";

// Windows line endings, tabs for indentation, no newline at the end.
const std::string kCrlfTabs =
    "flow crlf\r\n"
    "\r\n"
    "\r\n"
    "state start\r\n"
    "\tsay \"\"\"\r\n"
    "\t\tone\r\n"
    "\t\t\ttwo\r\n"
    "\t\t\"\"\"\r\n"
    "\t# before the end\r\n"
    "\t\tend";

const std::string kCrlfTabsFormatted =
    "flow crlf\n"
    "\n"
    "state start\n"
    "  say \"\"\"\n"
    "    one\n"
    "    \ttwo\n"
    "  \"\"\"\n"
    "  # before the end\n"
    "  end\n";

// `"""` strings in every shape that string_decode.cc treats specially.
const std::string kTripleStrings =
    "flow strings\n"
    "state start\n"
    // Text right after the opening quotes: that line is never dedented.
    "say \"\"\"First line\n"
    "        second\n"
    "          third\"\"\"\n"
    // A blank line that holds more blanks than the common indentation keeps the extra ones.
    "      say \"\"\"   \n"
    "          para one\n"
    "              \n"
    "            indented\n"
    "\n"
    "          \"\"\"\n"
    // Tabs and spaces mixed: the common indentation counts characters, not columns.
    "  say \"\"\"\n"
    "\t\tfoo\n"
    "    bar\n"
    "  \"\"\"\n"
    // Only blank content: nothing is removed from it, so it is kept as it is.
    "  say \"\"\"\n"
    "   \n"
    "        \"\"\"\n"
    // A single-line `"""` string is copied as written.
    "  say \"\"\"  one line  \"\"\"\n"
    // A branch's string, followed by code on the closing line.
    "  choose \"\"\"\n"
    "        Pick one\n"
    "        \"\"\"\n"
    "    \"\"\"\n"
    "       Yes\"\"\" -> start\n"
    "    \"No\" -> start\n";

const std::string kTripleStringsFormatted =
    "flow strings\n"
    "state start\n"
    "  say \"\"\"First line\n"
    "    second\n"
    "      third\"\"\"\n"
    "  say \"\"\"\n"
    "    para one\n"
    "        \n"
    "      indented\n"
    "\n"
    "  \"\"\"\n"
    "  say \"\"\"\n"
    "    foo\n"
    "      bar\n"
    "  \"\"\"\n"
    "  say \"\"\"\n"
    "   \n"
    "  \"\"\"\n"
    "  say \"\"\"  one line  \"\"\"\n"
    "  choose \"\"\"\n"
    "    Pick one\n"
    "  \"\"\"\n"
    "    \"\"\"\n"
    "      Yes\"\"\" -> start\n"
    "    \"No\" -> start\n";

// The contract example as `fmt` writes it. The example is hand-aligned, but not by any column
// rule: its comments start at columns 32, 33, 33 and its `for` at 33 for `budget`, 32 for the
// other fields. So the canonical form differs in whitespace only: comments 2 spaces after the
// widest code of their run (the `link` line's comment stays where it was), names padded to the
// widest name + 1 space, and the closing `"""` of the privacy text at the indentation of its
// `text` line.
// flows/spring_leads.flow holds exactly this text below its header comment, so the example
// marketers copy is the canonical form and this test keeps the two the same.
std::string ContractExampleFormatted() {
  std::ifstream in(std::string(CF_SOURCE_DIR) + "/flows/spring_leads.flow", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string file = text.str();
  const std::size_t flow_line = file.find("flow spring_leads");
  EXPECT_NE(flow_line, std::string::npos);
  return flow_line == std::string::npos ? std::string() : file.substr(flow_line);
}

// Tables of `field` and `purpose` lines, in blocks that a blank line, a whole-line comment or
// another kind of line ends; written with single spaces, the formatter adds the alignment.
const std::string kTables =
    "flow tables\n"
    "purpose offer \"the offer\"\n"
    "purpose newsletter \"our newsletter\"\n"
    "purpose x \"\"\"\n"
    "    spans\n"
    "      lines\n"
    "    \"\"\"\n"
    "field f phone for newsletter keep 1 month\n"
    "field gg location for offer keep 12 months\n"
    "field amount number -1.5..100000 for offer keep 2 weeks\n"
    "\n"
    "field a text for offer keep 1 d\n"
    "field bb choice for offer keep 1 d\n"
    "# a whole-line comment ends a block too\n"
    "field ccc integer 1..9 for x keep 1 year\n"
    "field dddd yesno for offer keep 1 d\n"
    "on withdraw -> start\n"
    "field e date for offer keep 1 d\n";

const std::string kTablesFormatted =
    "flow tables\n"
    "purpose offer      \"the offer\"\n"
    "purpose newsletter \"our newsletter\"\n"
    "purpose x          \"\"\"\n"
    "  spans\n"
    "    lines\n"
    "\"\"\"\n"
    "field f      phone               for newsletter keep 1 month\n"
    "field gg     location            for offer      keep 12 months\n"
    "field amount number -1.5..100000 for offer      keep 2 weeks\n"
    "\n"
    "field a  text   for offer keep 1 d\n"
    "field bb choice for offer keep 1 d\n"
    "# a whole-line comment ends a block too\n"
    "field ccc  integer 1..9 for x     keep 1 year\n"
    "field dddd yesno        for offer keep 1 d\n"
    "on withdraw -> start\n"
    "field e date for offer keep 1 d\n";

// Trailing comments in runs of consecutive lines, across indentation levels, next to tables,
// after a `"""` string that spans lines, after non-ASCII text.
const std::string kComments =
    "flow comments  # lone: 2 spaces\n"
    "\n"
    "entry keyword \"caf\xC3\xA9\", \"ski\"  # \xC3\xA9 is one column\n"
    "entry ad  # aligned with the line above\n"
    "\n"
    "field name text max 80 for offer keep 30 days  # a table first,\n"
    "field email email for news keep 1 year  # then its comments\n"
    "field note text for offer keep 1 d\n"
    "state start\n"
    "  say \"a\"  # the next line's first physical line has no comment\n"
    "  say \"\"\"\n"
    "    hello\n"
    "    \"\"\"  # aligned with the line below\n"
    "  -> start  # the widest code of its run\n"
    "state s\n"
    "  consent privacy  # a run spans indentation levels\n"
    "    accepted -> next  # yes\n"
    "    declined -> bye  # no\n"
    "  say \"a line without a comment ends a run\"\n"
    "  say \"x\"  # alone\n"
    "\n"
    "  say \"a blank line ends a run\"  # one\n"
    "  # and so does a whole-line comment\n"
    "  end  # two\n";

const std::string kCommentsFormatted =
    "flow comments  # lone: 2 spaces\n"
    "\n"
    "entry keyword \"caf\xC3\xA9\", \"ski\"  # \xC3\xA9 is one column\n"
    "entry ad                     # aligned with the line above\n"
    "\n"
    "field name  text max 80 for offer keep 30 days  # a table first,\n"
    "field email email       for news  keep 1 year   # then its comments\n"
    "field note  text        for offer keep 1 d\n"
    "state start\n"
    "  say \"a\"  # the next line's first physical line has no comment\n"
    "  say \"\"\"\n"
    "    hello\n"
    "  \"\"\"       # aligned with the line below\n"
    "  -> start  # the widest code of its run\n"
    "state s\n"
    "  consent privacy     # a run spans indentation levels\n"
    "    accepted -> next  # yes\n"
    "    declined -> bye   # no\n"
    "  say \"a line without a comment ends a run\"\n"
    "  say \"x\"  # alone\n"
    "\n"
    "  say \"a blank line ends a run\"  # one\n"
    "  # and so does a whole-line comment\n"
    "  end  # two\n";

const std::vector<std::string>& AllInputs() {
  static const std::vector<std::string> inputs = {kContractExample, kMessy, kCrlfTabs,
                                                  kTripleStrings, kTables, kComments};
  return inputs;
}

}  // namespace consentflow::dsl::formatter_test
