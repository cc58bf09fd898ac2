#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace consentflow::dsl {

// A position in a source file. Both numbers are 1-based; `column` counts bytes, as PEGTL does.
// Diagnostics convert it to a code-point column for display (see diagnostic.h). A default
// Location (0:0) means "the whole file".
struct Location {
  uint32_t line = 0;
  uint32_t column = 0;

  friend bool operator==(const Location&, const Location&) = default;
  friend auto operator<=>(const Location&, const Location&) = default;
};

// A flow file held in memory: the name used in diagnostics and its full text.
struct SourceFile {
  std::string name;
  std::string text;

  // The text of line `line` (1-based) without its line ending; empty when out of range.
  std::string_view LineAt(uint32_t line) const;
};

// Reads `path` into a SourceFile named `path`. Returns false and sets `error` when the file
// cannot be read or is larger than `max_bytes`.
bool ReadSourceFile(const std::string& path, SourceFile& out, std::string& error,
                    std::size_t max_bytes = 4 * 1024 * 1024);

}  // namespace consentflow::dsl
