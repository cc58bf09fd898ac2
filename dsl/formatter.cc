#include "dsl/formatter.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "dsl/grammar.h"
#include "dsl/parser.h"
#include "dsl/string_decode.h"

namespace consentflow::dsl {
namespace {

namespace pg = tao::pegtl;
namespace g = grammar;

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// ---------------------------------------------------------------- tokens
// The parser has already accepted the file, so a line's code is a sequence of the grammar's own
// tokens separated by blanks. Re-reading it with the grammar's token rules (rather than a
// hand-written scanner) keeps strings, numbers and ranges exactly as the parser sees them.
enum class TokenKind { kString, kArrow, kDots, kNumber, kWord, kOperator, kComma, kOpen, kClose };

struct Token {
  TokenKind kind;
  std::string_view text;
};

namespace tokens {
// clang-format off
struct string_token : g::string_literal {};
struct arrow_token : g::arrow {};
struct dots_token : g::range_dots {};
struct number_token : g::number {};
struct word_token : g::identifier {};
struct operator_token : g::compare_op {};
struct comma_token : g::comma {};
struct open_token : pg::one<'('> {};
struct close_token : g::close_paren {};
// No two alternatives match at the same place (`-` starts a number only before a digit), so the
// order is free; `0..100` reads as number, dots, number because a number needs a digit after '.'.
struct token : pg::sor<string_token, arrow_token, dots_token, number_token, word_token,
                       operator_token, comma_token, open_token, close_token> {};
struct code : pg::seq<g::sp, pg::star<token, g::sp>, pg::eof> {};
// clang-format on

template <typename Rule>
struct action : pg::nothing<Rule> {};

template <TokenKind K>
struct add {
  template <typename Input>
  static void apply(const Input& in, std::vector<Token>& out) {
    out.push_back(Token{K, std::string_view(in.begin(), in.size())});
  }
};
// clang-format off
template <> struct action<string_token> : add<TokenKind::kString> {};
template <> struct action<arrow_token> : add<TokenKind::kArrow> {};
template <> struct action<dots_token> : add<TokenKind::kDots> {};
template <> struct action<number_token> : add<TokenKind::kNumber> {};
template <> struct action<word_token> : add<TokenKind::kWord> {};
template <> struct action<operator_token> : add<TokenKind::kOperator> {};
template <> struct action<comma_token> : add<TokenKind::kComma> {};
template <> struct action<open_token> : add<TokenKind::kOpen> {};
template <> struct action<close_token> : add<TokenKind::kClose> {};
// clang-format on
}  // namespace tokens

// Splits `code` into tokens; false when something in it is not a token (cannot happen for code
// the parser accepted, but then the caller copies the code as written rather than guess).
bool Tokenize(std::string_view code, std::vector<Token>& out) {
  pg::memory_input<pg::tracking_mode::lazy> in(code.data(), code.data() + code.size(), "");
  try {
    return pg::parse<tokens::code, tokens::action>(in, out);
  } catch (const pg::parse_error&) {
    return false;
  }
}

bool SpaceBetween(const Token& a, const Token& b) {
  if (b.kind == TokenKind::kComma || b.kind == TokenKind::kClose) return false;
  if (a.kind == TokenKind::kOpen) return false;
  // A range allows no blanks at all: `0..100`.
  if (a.kind == TokenKind::kDots || b.kind == TokenKind::kDots) return false;
  // `(` after the word `set` can only be the `set(FIELD)` test.
  if (a.kind == TokenKind::kWord && a.text == "set" && b.kind == TokenKind::kOpen) return false;
  return true;
}

// ---------------------------------------------------------------- text helpers
bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

std::string_view TrimRight(std::string_view s) {
  const auto end = s.find_last_not_of(" \t");
  return end == std::string_view::npos ? std::string_view() : s.substr(0, end + 1);
}

std::string WithoutCarriageReturns(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
    out += s[i];
  }
  return out;
}

// Physical lines of a string's content, without their line endings (as string_decode.cc does:
// a '\r' before the line break is not part of the line).
std::vector<std::string_view> SplitContent(std::string_view content) {
  std::vector<std::string_view> lines;
  while (true) {
    const auto nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    content.remove_prefix(nl + 1);
  }
  return lines;
}

// ---------------------------------------------------------------- `"""` strings
// string_decode.cc (Dedent) reads a `"""` string's content lines L0..Ln (L0 after the opening
// quotes, Ln before the closing ones) like this: a blank L0 is dropped; then a blank last line
// is dropped if more than one line is left; a non-blank L0 is kept as written; every other
// remaining line loses the indentation common to the non-blank ones (blank lines lose up to that
// much). So we may freely rewrite the indentation of the dropped lines, and may replace the
// common indentation of the others with any other, as long as one non-blank line keeps exactly
// the new amount. Blank lines keep whatever they had beyond the common part: it is text.
std::string ReindentTriple(std::string_view raw, std::size_t indent) {
  const std::vector<std::string_view> lines = SplitContent(raw.substr(3, raw.size() - 6));
  const std::size_t n = lines.size();  // >= 2: the string spans lines
  const bool first_dropped = IsBlank(lines.front());
  const bool last_dropped = IsBlank(lines.back()) && n - (first_dropped ? 1 : 0) > 1;
  const std::size_t end = last_dropped ? n - 1 : n;  // lines [1, end) are dedented

  std::size_t common = std::string_view::npos;
  for (std::size_t i = 1; i < end; ++i) {
    if (!IsBlank(lines[i])) common = std::min(common, lines[i].find_first_not_of(" \t"));
  }
  const bool has_text = common != std::string_view::npos;

  const std::string content_indent(indent + 2, ' ');
  std::string out = "\"\"\"";
  if (!first_dropped) out += lines.front();
  for (std::size_t i = 1; i < end; ++i) {
    out += '\n';
    if (!has_text) {  // only blank lines: nothing is removed from them, keep them as they are
      out += lines[i];
      continue;
    }
    const std::string_view rest = lines[i].substr(std::min(common, lines[i].size()));
    if (!rest.empty()) out += content_indent;
    out += rest;
  }
  if (last_dropped) {
    out += '\n';
    out.append(indent, ' ');
  }
  out += "\"\"\"";
  return out;
}

bool SameText(const ast::Text& a, const ast::Text& b) {
  if (a.parts.size() != b.parts.size()) return false;
  for (std::size_t i = 0; i < a.parts.size(); ++i) {
    if (a.parts[i].is_reference != b.parts[i].is_reference ||
        a.parts[i].value != b.parts[i].value) {
      return false;
    }
  }
  return true;
}

// A string token as it should be written on a line indented by `indent`.
std::string FormatString(std::string_view raw, std::size_t indent) {
  const bool triple = raw.size() >= 6 && raw.substr(0, 3) == "\"\"\"";
  if (!triple || raw.find('\n') == std::string_view::npos) return std::string(raw);
  std::string rewritten = ReindentTriple(raw, indent);
  // The reasoning above says the decoded text is unchanged; check it, since a changed message
  // would be a silent bug in someone's flow. The start location only affects positions.
  Diagnostics ignored;
  const Location start{1, 1};
  if (SameText(DecodeString(raw, start, ignored), DecodeString(rewritten, start, ignored))) {
    return rewritten;
  }
  return WithoutCarriageReturns(raw);
}

// Tokens [begin, end) of a line indented by `indent`, separated canonically.
std::string JoinTokens(const std::vector<Token>& tokens, std::size_t begin, std::size_t end,
                       std::size_t indent) {
  std::string out;
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin && SpaceBetween(tokens[i - 1], tokens[i])) out += ' ';
    if (tokens[i].kind == TokenKind::kString) {
      out += FormatString(tokens[i].text, indent);
    } else {
      out += tokens[i].text;
    }
  }
  return out;
}

bool IsWord(const Token& token, std::string_view word) {
  return token.kind == TokenKind::kWord && token.text == word;
}

// ---------------------------------------------------------------- columns
// Declarations whose lines form a table: consecutive lines of one kind align their columns.
enum class Table { kNone, kField, kPurpose };

// The code of one logical line, cut into the cells that alignment may pad: `field`, its name,
// its type with constraint, `for PURPOSE`, `keep DURATION` for a field; `purpose`, its name, its
// description for a purpose; the whole code (one cell) for any other line.
struct Cells {
  Table table = Table::kNone;
  std::vector<std::string> cells;
};

Cells FormatCells(std::string_view code, LineKind kind, std::size_t indent) {
  std::vector<Token> tokens;
  if (!Tokenize(code, tokens)) return Cells{Table::kNone, {WithoutCarriageReturns(code)}};
  auto cut = [&](Table table, const std::vector<std::size_t>& bounds) {
    Cells out{table, {}};
    for (std::size_t i = 0; i + 1 < bounds.size(); ++i) {
      out.cells.push_back(JoinTokens(tokens, bounds[i], bounds[i + 1], indent));
    }
    return out;
  };
  const std::size_t n = tokens.size();
  if (kind == LineKind::kDeclaration && n > 0) {
    // field ID TYPE [constraint] for PURPOSE keep AMOUNT UNIT: the type's tokens are keywords,
    // numbers and `..`, never the word `for`, so the first `for` after the type ends it.
    if (IsWord(tokens[0], "field") && n >= 7) {
      std::size_t f = 3;
      while (f < n && !IsWord(tokens[f], "for")) ++f;
      if (f + 2 < n && IsWord(tokens[f + 2], "keep")) {
        return cut(Table::kField, {0, 1, 2, f, f + 2, n});
      }
    }
    if (IsWord(tokens[0], "purpose") && n == 3) return cut(Table::kPurpose, {0, 1, 2, 3});
  }
  return cut(Table::kNone, {0, n});
}

// Columns are counted in code points, as gofmt counts them: a UTF-8 continuation byte adds none.
std::size_t Width(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// ---------------------------------------------------------------- lines
bool IsCode(LineKind kind) { return kind != LineKind::kBlank && kind != LineKind::kComment; }

std::size_t IndentOf(LineKind kind) {
  switch (kind) {
    case LineKind::kNoticeDetail:
    case LineKind::kStep:
      return 2;
    case LineKind::kBranch:
      return 4;
    default:
      return 0;
  }
}

// The indentation of every logical line: a comment line takes that of the next line of code.
std::vector<std::size_t> Indentation(const std::vector<LineLayout>& layout) {
  std::vector<std::size_t> indent(layout.size(), 0);
  std::size_t next = 0;
  for (std::size_t i = layout.size(); i-- > 0;) {
    if (IsCode(layout[i].kind)) next = IndentOf(layout[i].kind);
    indent[i] = next;
  }
  return indent;
}

}  // namespace

FormatResult FormatFlow(const SourceFile& source) {
  FormatResult result;
  ParseResult parsed = Parse(source);
  if (!parsed.flow) {
    for (Diagnostic& d : parsed.diagnostics) {
      if (d.code == "syntax") result.diagnostics.push_back(std::move(d));
    }
    return result;
  }

  // The lines to write: blank lines dropped (each remembered by the line after it).
  struct OutLine {
    bool blank_before = false;  // a blank line is written before this one
    bool is_comment = false;    // a whole-line comment
    std::size_t indent = 0;
    Cells cells;
    std::string code;           // the cells joined, with alignment padding (no indentation)
    std::string comment;        // from its '#', without trailing blanks; empty when none
  };
  const std::vector<std::size_t> indent = Indentation(parsed.layout);
  const std::string_view text(source.text);
  std::vector<OutLine> lines;
  bool blank_pending = false;
  for (std::size_t i = 0; i < parsed.layout.size(); ++i) {
    const LineLayout& line = parsed.layout[i];
    if (line.kind == LineKind::kBlank) {
      blank_pending = !lines.empty();
      continue;
    }
    OutLine out;
    out.blank_before = blank_pending;
    blank_pending = false;
    out.is_comment = line.kind == LineKind::kComment;
    out.indent = indent[i];
    out.comment = std::string(TrimRight(line.comment));
    if (!out.is_comment) {
      out.cells = FormatCells(text.substr(line.code_begin, line.code_end - line.code_begin),
                              line.kind, indent[i]);
    }
    lines.push_back(std::move(out));
  }

  // A block: consecutive lines with no blank line and no whole-line comment between them.
  auto continues_block = [&](std::size_t i) {
    return i > 0 && !lines[i].blank_before && !lines[i].is_comment && !lines[i - 1].is_comment;
  };

  // Tables: within a run of lines of the same table kind, every column but the last is padded
  // to its widest cell + 1 space.
  for (std::size_t begin = 0; begin < lines.size();) {
    std::size_t end = begin + 1;
    const Table table = lines[begin].cells.table;
    if (table != Table::kNone) {
      while (end < lines.size() && continues_block(end) && lines[end].cells.table == table) ++end;
    }
    std::vector<std::size_t> widths;
    for (std::size_t i = begin; i < end; ++i) {
      const std::vector<std::string>& cells = lines[i].cells.cells;
      widths.resize(std::max(widths.size(), cells.size()), 0);
      for (std::size_t c = 0; c < cells.size(); ++c) {
        widths[c] = std::max(widths[c], Width(cells[c]));
      }
    }
    for (std::size_t i = begin; i < end; ++i) {
      const std::vector<std::string>& cells = lines[i].cells.cells;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        lines[i].code += cells[c];
        if (c + 1 < cells.size()) lines[i].code.append(widths[c] + 1 - Width(cells[c]), ' ');
      }
    }
    begin = end;
  }

  // Trailing comments: a run of physically consecutive lines that each end in a comment starts
  // the comments in one column, 2 spaces after the widest code. A line whose code spans lines
  // (a `"""` string) ends in its last physical line, which is what counts; its first physical
  // line has no comment, so such a line can only start a run.
  auto code_width = [&](const OutLine& line) {  // of the last physical line of the code
    const std::size_t nl = line.code.rfind('\n');
    if (nl == std::string::npos) return line.indent + Width(line.code);
    return Width(std::string_view(line.code).substr(nl + 1));
  };
  auto has_trailing_comment = [&](std::size_t i) {
    return !lines[i].is_comment && !lines[i].comment.empty();
  };
  std::vector<std::size_t> comment_column(lines.size(), 0);
  for (std::size_t begin = 0; begin < lines.size();) {
    if (!has_trailing_comment(begin)) {
      ++begin;
      continue;
    }
    std::size_t end = begin + 1;
    while (end < lines.size() && continues_block(end) && has_trailing_comment(end) &&
           lines[end].code.find('\n') == std::string::npos) {
      ++end;
    }
    std::size_t column = 0;
    for (std::size_t i = begin; i < end; ++i) column = std::max(column, code_width(lines[i]) + 2);
    for (std::size_t i = begin; i < end; ++i) comment_column[i] = column;
    begin = end;
  }

  std::string& out = result.text;
  if (source.text.starts_with(kByteOrderMark)) out += kByteOrderMark;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const OutLine& line = lines[i];
    if (line.blank_before) out += '\n';
    out.append(line.indent, ' ');
    if (line.is_comment) {
      out += line.comment;
    } else {
      out += line.code;
      if (!line.comment.empty()) {
        out.append(comment_column[i] - code_width(line), ' ');
        out += line.comment;
      }
    }
    out += '\n';
  }
  result.ok = true;
  return result;
}

}  // namespace consentflow::dsl
