#include "tools/scenario/line_cursor.h"

#include <cctype>

namespace consentflow::tools {
namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

void LineCursor::SkipSpaces() {
  while (pos_ < line_.size() && IsBlank(line_[pos_])) ++pos_;
}

bool LineCursor::AtEnd() {
  SkipSpaces();
  return pos_ >= line_.size() || line_[pos_] == '#';
}

bool LineCursor::EatWord(std::string_view word) {
  SkipSpaces();
  if (line_.substr(pos_, word.size()) != word) return false;
  const std::size_t end = pos_ + word.size();
  if (IsWordChar(word.back()) && end < line_.size() && IsWordChar(line_[end])) return false;
  pos_ = end;
  return true;
}

bool LineCursor::Eat(std::string_view phrase) {
  const std::size_t start = pos_;
  while (!phrase.empty()) {
    const std::size_t space = phrase.find(' ');
    std::string_view word = phrase.substr(0, space);
    phrase = space == std::string_view::npos ? std::string_view() : phrase.substr(space + 1);
    const bool colon = word.size() > 1 && word.back() == ':';
    if (colon) word.remove_suffix(1);
    if (!EatWord(word) || (colon && !EatWord(":"))) {
      pos_ = start;
      return false;
    }
  }
  return true;
}

std::optional<std::string> LineCursor::Identifier() {
  SkipSpaces();
  std::size_t end = pos_;
  while (end < line_.size() &&
         (std::islower(static_cast<unsigned char>(line_[end])) || line_[end] == '_' ||
          (end > pos_ && std::isdigit(static_cast<unsigned char>(line_[end]))))) {
    ++end;
  }
  if (end == pos_ || (end < line_.size() && IsWordChar(line_[end]))) return std::nullopt;
  std::string id(line_.substr(pos_, end - pos_));
  pos_ = end;
  return id;
}

std::string_view LineCursor::Word(std::string_view stop) {
  SkipSpaces();
  const std::size_t start = pos_;
  while (pos_ < line_.size() && !IsBlank(line_[pos_]) &&
         stop.find(line_[pos_]) == std::string_view::npos) {
    ++pos_;
  }
  return line_.substr(start, pos_ - start);
}

std::string_view LineCursor::Rest() {
  SkipSpaces();
  std::string_view rest = line_.substr(pos_);
  while (!rest.empty() && IsBlank(rest.back())) rest.remove_suffix(1);
  pos_ = line_.size();
  return rest;
}

std::optional<std::string> LineCursor::Quoted(std::string& error) {
  error.clear();
  SkipSpaces();
  if (pos_ >= line_.size() || line_[pos_] != '"') return std::nullopt;
  const std::size_t open = pos_;
  std::string out;
  for (std::size_t i = pos_ + 1; i < line_.size(); ++i) {
    const char c = line_[i];
    if (c == '"') {
      pos_ = i + 1;
      return out;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    const char next = i + 1 < line_.size() ? line_[i + 1] : '\0';
    switch (next) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      default:
        pos_ = i;
        error = "unknown escape in a string: use \\\" \\\\ \\n or \\t";
        return std::nullopt;
    }
    ++i;
  }
  pos_ = open;
  error = "unterminated string: the closing '\"' is missing";
  return std::nullopt;
}

}  // namespace consentflow::tools
