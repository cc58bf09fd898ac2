#pragma once

// How a .test file writes the text it expects of the bot:
//
//   bot: Hi, welcome!            the whole message, with any run of spaces and line breaks
//                                read as one space (so long messages fit on one line)
//   bot: Hi! Before we start...  the message starts with this ("..." or "…" at the end)
//   bot: ...on its way to you.   the message ends with this ("..." at the start)
//   bot: ...the offer...         the message contains this (both)
//   bot: "Two\nlines"            exactly this text: a quoted string, escapes \" \\ \n,
//                                no "..." and no whitespace folding

#include <string>
#include <string_view>

namespace consentflow::tools {

class TextPattern {
 public:
  enum class Kind { kWhole, kPrefix, kSuffix, kContains, kExact };

  TextPattern() = default;
  TextPattern(Kind kind, std::string text) : kind_(kind), text_(std::move(text)) {}
  // Reads the unquoted forms above (the parser handles quoted strings: Kind::kExact).
  static TextPattern FromPlain(std::string_view text);

  bool Matches(std::string_view actual) const;
  // The pattern as people wrote it, quoted: "Hi! Before we start..."
  std::string Describe() const;

  Kind kind() const { return kind_; }
  const std::string& text() const { return text_; }

 private:
  Kind kind_ = Kind::kWhole;
  std::string text_;
};

// `text` in double quotes, with line breaks, quotes and backslashes escaped: for messages.
std::string Quote(std::string_view text);

}  // namespace consentflow::tools
