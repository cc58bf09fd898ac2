#pragma once

// Turns a string literal as written in a flow file into its text: escapes, `{field}`
// references and the dedent of `"""` strings. Internal to dsl/.

#include <string_view>

#include "dsl/ast.h"
#include "dsl/diagnostic.h"

namespace consentflow::dsl {

// `raw` is the literal including its quotes, starting at `start`. Problems (an unknown escape,
// a '{' that does not start a reference) are appended to `diagnostics` at their exact position.
//
// `"""` strings: text on the line of the opening quotes counts only when it is not blank; a
// blank last line before the closing quotes is dropped; the indentation common to the
// remaining non-blank lines is removed; lines are joined with '\n'.
ast::Text DecodeString(std::string_view raw, Location start, Diagnostics& diagnostics);

// For strings that may not hold references (button titles, words, codes): decodes and reports
// a reference as an error that names `what` ("a button title").
ast::Literal DecodeLiteral(std::string_view raw, Location start, const char* what,
                           Diagnostics& diagnostics);

}  // namespace consentflow::dsl
