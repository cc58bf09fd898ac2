#include "dsl/string_decode.h"

#include <algorithm>
#include <vector>

namespace consentflow::dsl {
namespace {

// A physical line of a string's content, with where its first byte sits in the file.
struct ContentLine {
  std::string_view text;
  Location start;
};

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

bool IsIdentifierStart(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
bool IsIdentifierChar(char c) { return IsIdentifierStart(c) || (c >= '0' && c <= '9'); }

void AppendLiteral(ast::Text& text, std::string_view piece, Location at) {
  if (piece.empty()) return;
  if (!text.parts.empty() && !text.parts.back().is_reference) {
    text.parts.back().value.append(piece);
    return;
  }
  text.parts.push_back(ast::TextPart{false, std::string(piece), at});
}

void Error(Diagnostics& diagnostics, Location at, std::string code, std::string message) {
  diagnostics.push_back(Diagnostic{Severity::kError, at, std::move(code), std::move(message), {}});
}

// Decodes one line of content into `text`.
void DecodeLine(const ContentLine& line, ast::Text& text, Diagnostics& diagnostics) {
  const std::string_view s = line.text;
  auto at = [&](std::size_t i) {
    return Location{line.start.line, line.start.column + static_cast<uint32_t>(i)};
  };
  std::size_t literal_begin = 0;
  std::string pending;
  auto flush = [&](std::size_t upto) {
    pending.append(s.substr(literal_begin, upto - literal_begin));
    AppendLiteral(text, pending, at(literal_begin));
    pending.clear();
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      const char e = s[i + 1];
      const char* decoded = e == '"' ? "\"" : e == '\\' ? "\\" : e == 'n' ? "\n" : e == '{' ? "{" : nullptr;
      pending.append(s.substr(literal_begin, i - literal_begin));
      if (decoded == nullptr) {
        Error(diagnostics, at(i), "unknown-escape",
              std::string("unknown escape '\\") + e +
                  "' in a string; the escapes are \\\" \\\\ \\n and \\{");
      } else {
        pending += decoded;
      }
      ++i;
      literal_begin = i + 1;
      continue;
    }
    if (c != '{') continue;
    std::size_t j = i + 1;
    while (j < s.size() && IsIdentifierChar(s[j])) ++j;
    if (j == i + 1 || !IsIdentifierStart(s[i + 1]) || j >= s.size() || s[j] != '}') {
      Error(diagnostics, at(i), "bad-reference",
            "'{' starts a field reference such as {name}; write \\{ for a literal brace");
      continue;
    }
    flush(i);
    text.parts.push_back(ast::TextPart{true, std::string(s.substr(i + 1, j - i - 1)), at(i)});
    i = j;
    literal_begin = j + 1;
  }
  flush(s.size());
}

std::vector<ContentLine> SplitLines(std::string_view content, Location start) {
  std::vector<ContentLine> lines;
  Location at = start;
  while (true) {
    const auto nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(ContentLine{line, at});
    if (nl == std::string_view::npos) break;
    content.remove_prefix(nl + 1);
    at = Location{at.line + 1, 1};
  }
  return lines;
}

std::vector<ContentLine> Dedent(std::vector<ContentLine> lines) {
  if (lines.size() > 1 && IsBlank(lines.front().text)) lines.erase(lines.begin());
  if (lines.size() > 1 && IsBlank(lines.back().text)) lines.pop_back();
  std::size_t common = std::string_view::npos;
  // The first line counts only when it starts a line of the file (a `"""` alone on its line).
  const bool first_inline = lines.front().start.column != 1;
  for (std::size_t i = first_inline ? 1 : 0; i < lines.size(); ++i) {
    const std::string_view t = lines[i].text;
    if (IsBlank(t)) continue;
    common = std::min(common, t.find_first_not_of(" \t"));
  }
  if (common == std::string_view::npos) common = 0;
  for (std::size_t i = first_inline ? 1 : 0; i < lines.size(); ++i) {
    ContentLine& line = lines[i];
    const std::size_t cut = std::min(common, line.text.size());
    line.text.remove_prefix(cut);
    line.start.column += static_cast<uint32_t>(cut);
  }
  return lines;
}

}  // namespace

ast::Text DecodeString(std::string_view raw, Location start, Diagnostics& diagnostics) {
  ast::Text text;
  text.location = start;
  const bool triple = raw.size() >= 6 && raw.substr(0, 3) == "\"\"\"";
  const std::size_t quote = triple ? 3 : 1;
  const std::string_view content = raw.substr(quote, raw.size() - 2 * quote);
  const Location content_start{start.line, start.column + static_cast<uint32_t>(quote)};
  std::vector<ContentLine> lines = SplitLines(content, content_start);
  if (triple) lines = Dedent(std::move(lines));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) AppendLiteral(text, "\n", lines[i].start);
    DecodeLine(lines[i], text, diagnostics);
  }
  return text;
}

ast::Literal DecodeLiteral(std::string_view raw, Location start, const char* what,
                           Diagnostics& diagnostics) {
  const ast::Text text = DecodeString(raw, start, diagnostics);
  ast::Literal literal{"", start};
  for (const ast::TextPart& part : text.parts) {
    if (part.is_reference) {
      Error(diagnostics, part.location, "reference-not-allowed",
            std::string("{") + part.value + "} cannot be used in " + what +
                "; write \\{ for a literal brace");
    }
    literal.value += part.is_reference ? "{" + part.value + "}" : part.value;
  }
  return literal;
}

}  // namespace consentflow::dsl
