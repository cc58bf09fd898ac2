// What formatting must never change, over every sample of formatter_test_support.h: the tree,
// the comments, the decoded text of `"""` strings; and that the canonical form is a fixed point
// that depends on the tokens and comments alone.

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/formatter.h"
#include "dsl/parser.h"
#include "tests/dsl/formatter_test_support.h"

namespace consentflow::dsl::formatter_test {
namespace {

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

}  // namespace
}  // namespace consentflow::dsl::formatter_test
