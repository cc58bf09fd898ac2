#pragma once

// FormatFlow(): the canonical layout of a flow file, for `consentflow fmt`.
//
// The language gives indentation and spacing no meaning, so the formatter may choose them:
//   - declarations and `state` lines at column 0; notice details (text, grants, accept, decline)
//     and steps at 2; branches at 4; a whole-line comment at the indentation of the next line of
//     code (0 when none follows);
//   - one space between the tokens of a line, except none before ',' or ')', none after '(',
//     none in `set(x)` and in the range `0..100`, and the padding of aligned columns (below); a
//     duration keeps its unit as written;
//   - columns aligned the way gofmt aligns them, within a block: consecutive lines with no blank
//     line and no whole-line comment between them. Every other line keeps single spaces.
//       * `field` lines: a run of them in one block is a table of five columns: `field` | name |
//         type with its constraint (`text max 80`, `number 0..100000`) | `for PURPOSE` |
//         `keep DURATION`; every column but the last is padded to its widest cell + 1 space.
//       * `purpose` lines: likewise `purpose` | name | description, so the descriptions start in
//         one column, 1 space after the widest name.
//       * trailing comments: a run of consecutive lines in one block that each end in a comment
//         starts all its comments in one column, 2 spaces after the widest code of the run (so a
//         lone comment still stands 2 spaces after its code, and `#` never touches the code as
//         closely as a column does). The width of a line's code is that of its last physical
//         line, indentation included; a line whose code spans lines (a `"""` string) can only
//         start a run, since its first physical line has no comment. Comments are aligned after
//         the tables are.
//       * widths count code points (gofmt's tabwriter counts runes) of the canonically spaced
//         code, so alignment depends on the tokens only, never on the blanks as written; no
//         heuristic splits a run because one line is much longer than the others.
//     The contract's hand-aligned example is therefore not a fixed point: it aligns neither its
//     comments (at columns 32, 33, 33) nor its `for` column (33 for `budget`, 32 for the other
//     fields), which no column rule reproduces; its name columns have 2 spaces, these have 1;
//   - trailing blanks removed;
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
