#include "tools/scenario/text_pattern.h"

#include <cctype>

namespace consentflow::tools {
namespace {

constexpr std::string_view kDots = "...";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // "…", which editors make of "..."

bool EatSuffix(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return false;
  s.remove_suffix(suffix.size());
  return true;
}

bool EatPrefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Every run of whitespace becomes one space; none at either end.
std::string FoldSpaces(std::string_view text) {
  std::string out;
  bool gap = false;
  for (const char c : text) {
    if (IsSpace(c)) {
      gap = !out.empty();
      continue;
    }
    if (gap) out += ' ';
    gap = false;
    out += c;
  }
  return out;
}

}  // namespace

TextPattern TextPattern::FromPlain(std::string_view text) {
  const bool starts_open = EatPrefix(text, kDots) || EatPrefix(text, kEllipsis);
  const bool ends_open = EatSuffix(text, kDots) || EatSuffix(text, kEllipsis);
  const Kind kind = starts_open && ends_open ? Kind::kContains
                    : starts_open            ? Kind::kSuffix
                    : ends_open              ? Kind::kPrefix
                                             : Kind::kWhole;
  return TextPattern(kind, FoldSpaces(text));
}

bool TextPattern::Matches(std::string_view actual) const {
  if (kind_ == Kind::kExact) return actual == text_;
  const std::string folded = FoldSpaces(actual);
  switch (kind_) {
    case Kind::kWhole:
      return folded == text_;
    case Kind::kPrefix:
      return folded.compare(0, text_.size(), text_) == 0;
    case Kind::kSuffix:
      return folded.size() >= text_.size() &&
             folded.compare(folded.size() - text_.size(), text_.size(), text_) == 0;
    case Kind::kContains:
      return folded.find(text_) != std::string::npos;
    case Kind::kExact:
      break;
  }
  return false;
}

std::string TextPattern::Describe() const {
  const bool before = kind_ == Kind::kSuffix || kind_ == Kind::kContains;
  const bool after = kind_ == Kind::kPrefix || kind_ == Kind::kContains;
  return Quote(std::string(before ? kDots : "") + text_ + std::string(after ? kDots : ""));
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace consentflow::tools
