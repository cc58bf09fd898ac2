#pragma once

// Reading one line of a .test file left to right, with the byte column of every token for error
// messages. Words of a phrase match with any run of spaces or tabs between them; a word that
// ends in a letter or digit must end there too ("bot" does not match "bots"). On lines with
// structured arguments a word that starts with '#' begins a comment.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace consentflow::tools {

class LineCursor {
 public:
  explicit LineCursor(std::string_view line) : line_(line) {}

  void SkipSpaces();
  // At the end of the line or at a comment (after spaces).
  bool AtEnd();
  // Consumes `phrase` ("shares location:", "says nothing") if the line continues with it.
  bool Eat(std::string_view phrase);
  // [a-z_][a-z0-9_]*, or nullopt (nothing consumed).
  std::optional<std::string> Identifier();
  // Up to the next space, tab or `stop` character; may be empty.
  std::string_view Word(std::string_view stop = "");
  // The rest of the line, spaces trimmed, '#' included: free text.
  std::string_view Rest();

  // A string in double quotes with the escapes \" \\ \n \t. nullopt with `error` set (and the
  // column left at the problem) when it is malformed; nullopt with `error` empty when the line
  // does not continue with '"'.
  std::optional<std::string> Quoted(std::string& error);

  // 1-based byte column of the next character.
  uint32_t column() const { return static_cast<uint32_t>(pos_ + 1); }
  std::size_t position() const { return pos_; }
  void Reset(std::size_t position) { pos_ = position; }

 private:
  bool EatWord(std::string_view word);

  std::string_view line_;
  std::size_t pos_ = 0;
};

}  // namespace consentflow::tools
