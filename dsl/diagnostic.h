#pragma once

#include <string>
#include <vector>

#include "dsl/source.h"

namespace consentflow::dsl {

enum class Severity { kError, kWarning, kNote };

// One message about a flow file. `code` is a stable, kebab-case identifier of the kind of
// problem ("consent-before-capture", "unknown-state"), for tools and tests; `message` is the
// sentence people read. Notes add context at other locations ("the consent is asked here").
struct Diagnostic {
  Severity severity = Severity::kError;
  Location location;
  std::string code;
  std::string message;
  std::vector<Diagnostic> notes;
};

using Diagnostics = std::vector<Diagnostic>;

bool HasErrors(const Diagnostics& diagnostics);
int CountSeverity(const Diagnostics& diagnostics, Severity severity);

// Sorts by location (stable for equal locations), so output follows the file top to bottom.
void SortByLocation(Diagnostics& diagnostics);

// GCC-style text, the shape editors and CI annotate:
//
//   flows/a.flow:12:12: error: expected '->' after the option title
//      12 |     "Skiing" ski
//         |              ^
//
// The column shown is counted in Unicode code points (1-based), so the caret sits under the
// right character in lines with accents or emoji; Location itself counts bytes. Notes follow
// their diagnostic, each in the same shape with "note:".
std::string FormatDiagnostic(const SourceFile& source, const Diagnostic& diagnostic);
std::string FormatDiagnostics(const SourceFile& source, const Diagnostics& diagnostics);

// The code-point column (1-based) of byte column `byte_column` in `line_text`.
uint32_t DisplayColumn(std::string_view line_text, uint32_t byte_column);

const char* SeverityName(Severity severity);

}  // namespace consentflow::dsl
