#include "dsl/formatter.h"

#include "tests/dsl/contract_example.h"

#include <gtest/gtest.h>


#include <algorithm>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dsl/ast.h"
#include "dsl/parser.h"

namespace consentflow::dsl {
namespace {

// ---------------------------------------------------------------- helpers

FormatResult Format(const std::string& text) { return FormatFlow(SourceFile{"test.flow", text}); }

// The formatted text; fails the test when the formatter refuses.
std::string Formatted(const std::string& text) {
  const FormatResult result = Format(text);
  EXPECT_TRUE(result.ok) << "formatter refused:\n"
                         << FormatDiagnostics(SourceFile{"test.flow", text}, result.diagnostics);
  return result.text;
}

// A structural dump of the tree, field by field, without locations: two files with the same
// dump mean the same thing.
class TreeDump {
 public:
  std::string Of(const ast::Flow& flow) {
    Line("flow " + flow.id.name);
    if (flow.title) Line("title " + Quote(flow.title->value));
    Line("version " + std::to_string(flow.version));
    for (const ast::Entry& e : flow.entries) {
      Line("entry " + std::to_string(static_cast<int>(e.kind)) + Literals(e.values));
    }
    if (flow.hooks) Line("hooks " + Quote(flow.hooks->value));
    for (const ast::Purpose& p : flow.purposes) {
      Line("purpose " + p.id.name + " " + Quote(p.description.value));
    }
    for (const ast::Notice& n : flow.notices) {
      Line("notice " + n.id.name + " v" + std::to_string(n.version));
      if (n.text) Line("  text " + Quote(n.text->Spelled()) + References(*n.text));
      Line("  grants" + Names(n.grants));
      if (n.accept) Line("  accept " + Quote(n.accept->value));
      if (n.decline) Line("  decline " + Quote(n.decline->value));
    }
    for (const ast::Field& f : flow.fields) {
      std::string s = "field " + f.id.name + " " + ast::FieldTypeName(f.type);
      if (f.max_length) s += " max " + Num(*f.max_length);
      if (f.min) s += " min " + Num(*f.min);
      if (f.max) s += " max " + Num(*f.max);
      s += " for " + f.purpose.name + " keep " + std::to_string(f.keep.seconds) + "s";
      Line(s);
    }
    for (const ast::Handler& h : flow.handlers) {
      Line("on " + std::to_string(static_cast<int>(h.kind)) + Literals(h.words) + " timeout " +
           std::to_string(h.timeout.seconds) + "s -> " + h.target.name);
    }
    for (const ast::State& s : flow.states) {
      Line("state " + s.id.name);
      for (const ast::Step& step : s.steps) StepLines(step);
    }
    return out_.str();
  }

 private:
  void Line(const std::string& s) { out_ << s << "\n"; }
  static std::string Quote(const std::string& s) { return "<" + s + ">"; }
  static std::string Num(const ast::Number& n) {
    std::ostringstream o;
    o << n.spelled << "=" << n.value;
    return o.str();
  }
  static std::string Literals(const std::vector<ast::Literal>& values) {
    std::string s;
    for (const ast::Literal& v : values) s += " " + Quote(v.value);
    return s;
  }
  static std::string Names(const std::vector<ast::Identifier>& names) {
    std::string s;
    for (const ast::Identifier& n : names) s += " " + n.name;
    return s;
  }
  static std::string Opt(const std::optional<ast::Identifier>& id) { return id ? id->name : "-"; }
  // Which parts are references: "\{name}" and "{name}" spell the same.
  static std::string References(const ast::Text& text) {
    std::string s = " refs";
    for (const ast::TextPart& p : text.parts) {
      if (p.is_reference) s += " " + p.value;
    }
    return s;
  }
  static std::string Expr(const ast::Expr& e) {
    std::ostringstream o;
    o << "(" << static_cast<int>(e.kind);
    switch (e.kind) {
      case ast::ExprKind::kField:
      case ast::ExprKind::kSet:
        o << " " << e.name;
        break;
      case ast::ExprKind::kString:
        o << " " << Quote(e.name);
        break;
      case ast::ExprKind::kNumber:
        o << " " << e.number;
        break;
      case ast::ExprKind::kBool:
        o << " " << e.boolean;
        break;
      case ast::ExprKind::kCompare:
        o << " " << ast::CompareOpSpelling(e.op);
        break;
      default:
        break;
    }
    for (const ast::Expr& operand : e.operands) o << " " << Expr(operand);
    o << ")";
    return o.str();
  }
  void StepLines(const ast::Step& s) {
    Line(std::string("  ") + ast::StepKindName(s.kind));
    Line("    text " + Quote(s.text.Spelled()) + References(s.text) +
         (s.has_text ? " has_text" : ""));
    Line("    field " + Opt(s.field));
    if (s.invalid) Line("    invalid " + Quote(s.invalid->Spelled()) + References(*s.invalid));
    if (s.retries)
      Line("    retries " + std::to_string(*s.retries) + " -> " + Opt(s.retries_target));
    if (s.timeout) {
      Line("    timeout " + std::to_string(s.timeout->seconds) + "s -> " + Opt(s.timeout_target));
    }
    Line("    notice " + s.notice.name + " accepted " + Opt(s.accepted) + " declined " +
         Opt(s.declined));
    Line("    hook " + s.hook.name + " writes" + Names(s.writes));
    for (const ast::Option& o : s.options)
      Line("    option " + Quote(o.title.value) + " -> " + o.target.name);
    if (s.kind == ast::StepKind::kIf) Line("    condition " + Expr(s.condition));
    Line("    target " + s.target.name + " queue " + s.queue.name + " priority " +
         ast::PriorityName(s.priority));
  }

  std::ostringstream out_;
};

std::string Dump(const std::string& text) {
  const ParseResult parsed = Parse(SourceFile{"test.flow", text});
  EXPECT_TRUE(parsed.flow.has_value());
  if (!parsed.flow) return "";
  return TreeDump().Of(*parsed.flow);
}

// Every comment of the file, in order, without trailing blanks.
std::vector<std::string> Comments(const std::string& text) {
  std::vector<std::string> comments;
  for (const LineLayout& line : Parse(SourceFile{"test.flow", text}).layout) {
    if (line.comment.empty()) continue;
    comments.push_back(line.comment.substr(0, line.comment.find_last_not_of(" \t") + 1));
  }
  return comments;
}

std::string WithoutWhitespace(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(),
                         [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }),
          s.end());
  return s;
}

// Spoils the whitespace of a canonical file without changing its meaning: random blanks (spaces
// and tabs) for indentation and between tokens, trailing blanks, "\r\n" line endings, more
// blank lines where there is one, at the start and at the end. Strings and comments are left
// alone (their blanks are text).
std::string SpoilWhitespace(const std::string& text, std::mt19937& random) {
  auto blanks = [&](int min, int max) {
    std::string s(std::uniform_int_distribution<int>(min, max)(random), ' ');
    for (char& c : s) c = random() % 3 == 0 ? '\t' : ' ';
    return s;
  };
  auto line_break = [&] { return std::string(blanks(0, 2)) + (random() % 2 ? "\r\n" : "\n"); };
  std::string out = random() % 2 ? line_break() : "";
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (line_start && c == ' ') continue;  // old indentation; new one written below
    if (line_start) {
      out += blanks(0, 6);
      line_start = false;
    }
    if (c == '\n') {
      out += line_break();
      if (i + 1 < text.size() && text[i + 1] == '\n') out += line_break();
      line_start = true;
    } else if (c == ' ') {
      out += blanks(1, 3);
    } else if (c == '#') {  // a comment runs to the end of the line
      const std::size_t end = text.find('\n', i);
      out += text.substr(i, end - i) + blanks(0, 2);
      i = end - 1;
    } else if (c == '"') {  // a string, copied as written
      const bool triple = text.compare(i, 3, "\"\"\"") == 0;
      const std::string quote = triple ? "\"\"\"" : "\"";
      std::size_t end = i + quote.size();
      while (text.compare(end, quote.size(), quote) != 0) end += text[end] == '\\' ? 2 : 1;
      end += quote.size();
      out += text.substr(i, end - i);
      i = end - 1;
    } else {
      out += c;
    }
  }
  return out + (random() % 2 ? line_break() : "");
}

// ---------------------------------------------------------------- inputs

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

// ---------------------------------------------------------------- tests

TEST(FormatterTest, MessyInputGetsCanonicalLayout) {
  EXPECT_EQ(Formatted(kMessy), kMessyFormatted);
}

TEST(FormatterTest, CrlfAndTabsBecomeNewlinesAndSpaces) {
  EXPECT_EQ(Formatted(kCrlfTabs), kCrlfTabsFormatted);
}

TEST(FormatterTest, TripleQuotedStringsAreReindented) {
  EXPECT_EQ(Formatted(kTripleStrings), kTripleStringsFormatted);
}

TEST(FormatterTest, TripleQuotedStringsKeepTheirDecodedText) {
  const ParseResult before = Parse(SourceFile{"a.flow", kTripleStrings});
  const ParseResult after = Parse(SourceFile{"b.flow", Formatted(kTripleStrings)});
  ASSERT_TRUE(before.flow && after.flow);
  const std::vector<ast::Step>& a = before.flow->states.at(0).steps;
  const std::vector<ast::Step>& b = after.flow->states.at(0).steps;
  ASSERT_EQ(a.size(), 6u);
  ASSERT_EQ(b.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].text.Spelled(), b[i].text.Spelled()) << "step " << i;
  }
  // Spelled out, so a change in string_decode.cc shows up here and not as a formatter bug.
  EXPECT_EQ(a[0].text.Spelled(), "First line\nsecond\n  third");
  EXPECT_EQ(a[1].text.Spelled(), "para one\n    \n  indented\n");
  EXPECT_EQ(a[2].text.Spelled(), "foo\n  bar");
  EXPECT_EQ(a[3].text.Spelled(), "   ");
  EXPECT_EQ(a[4].text.Spelled(), "  one line  ");
  EXPECT_EQ(a[5].text.Spelled(), "Pick one");
  ASSERT_EQ(b[5].options.size(), 2u);
  EXPECT_EQ(b[5].options[0].title.value, "Yes");
}

TEST(FormatterTest, FormattingIsIdempotent) {
  for (const std::string& input : AllInputs()) {
    const std::string once = Formatted(input);
    EXPECT_EQ(Formatted(once), once) << "input:\n" << input;
  }
}

TEST(FormatterTest, FormattingNeverChangesTheTree) {
  for (const std::string& input : AllInputs()) {
    const std::string dump = Dump(input);
    EXPECT_FALSE(dump.empty());
    EXPECT_EQ(Dump(Formatted(input)), dump) << "input:\n" << input;
  }
}

TEST(FormatterTest, CommentsArePreserved) {
  for (const std::string& input : AllInputs()) {
    EXPECT_EQ(Comments(Formatted(input)), Comments(input)) << "input:\n" << input;
  }
  EXPECT_EQ(Comments(kMessy).size(), 5u);
}

TEST(FormatterTest, OutputHasOneTrailingNewlineAndNoEdgeBlankLines) {
  for (const std::string& input : AllInputs()) {
    const std::string out = Formatted(input);
    ASSERT_GE(out.size(), 2u);
    EXPECT_NE(out.front(), '\n');
    EXPECT_EQ(out.back(), '\n');
    EXPECT_NE(out[out.size() - 2], '\n');
    EXPECT_EQ(out.find('\r'), std::string::npos);
    EXPECT_EQ(out.find("\n\n\n"), std::string::npos);
  }
}

// The canonical form depends on the tokens and comments only: however the blanks around them
// are spoiled, the formatter writes the same text.
TEST(FormatterTest, SpoiledWhitespaceFormatsToTheSameText) {
  std::mt19937 random(20240314);
  for (const std::string& input : AllInputs()) {
    const std::string canonical = Formatted(input);
    for (int round = 0; round < 50; ++round) {
      const std::string spoiled = SpoilWhitespace(canonical, random);
      ASSERT_EQ(Formatted(spoiled), canonical) << "spoiled:\n" << spoiled;
    }
  }
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
}  // namespace consentflow::dsl
