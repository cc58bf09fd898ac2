#pragma once

// FormatFlow(): the canonical layout of a flow file, for `consentflow fmt`.
//
// The language gives indentation and spacing no meaning, so the formatter may choose them:
//   - declarations and `state` lines at column 0; notice details (text, grants, accept, decline)
//     and steps at 2; branches at 4; a whole-line comment at the indentation of the next line of
//     code (0 when none follows);
//   - one space between the tokens of a line, except none before ',' or ')', none after '(',
//     none in `set(x)` and in the range `0..100`; a duration keeps its unit as written;
//   - a trailing comment two spaces after the code; trailing blanks removed;
//   - runs of blank lines collapsed to one, none at the start or the end, '\n' line endings, one
//     '\n' at the end of the file (an empty file stays empty); a UTF-8 byte order mark is kept;
//   - strings copied byte for byte, except that a `"""` string spanning lines is re-indented:
//     its content lines get the line's indentation + 2 as their common indentation and a
//     closing `"""` that stood alone on its line moves to the line's indentation. The decoded
//     text never changes (the language removes common indentation); a string whose re-indented
//     form would decode differently is left as written.
// Formatting never changes the syntax tree, and formatting formatted text changes nothing.

#include <string>

#include "dsl/diagnostic.h"
#include "dsl/source.h"

namespace consentflow::dsl {

struct FormatResult {
  bool ok = false;
  std::string text;         // the formatted file when `ok`
  Diagnostics diagnostics;  // when not `ok`: the syntax errors that made the formatter refuse
};

// Canonical layout of a flow file. Refuses (ok=false, the syntax diagnostics) a file with syntax
// errors. Other problems (unknown states, a branch with no step above it) are the checker's
// business: such a file is formatted and `diagnostics` stays empty.
FormatResult FormatFlow(const SourceFile& source);

}  // namespace consentflow::dsl
