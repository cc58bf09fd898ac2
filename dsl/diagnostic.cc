#include "dsl/diagnostic.h"

#include <algorithm>

namespace consentflow::dsl {

bool HasErrors(const Diagnostics& diagnostics) {
  return CountSeverity(diagnostics, Severity::kError) > 0;
}

int CountSeverity(const Diagnostics& diagnostics, Severity severity) {
  return static_cast<int>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                        [&](const Diagnostic& d) { return d.severity == severity; }));
}

void SortByLocation(Diagnostics& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.location < b.location; });
}

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

uint32_t DisplayColumn(std::string_view line_text, uint32_t byte_column) {
  if (byte_column == 0) return 0;
  uint32_t column = 1;
  const std::size_t limit = std::min<std::size_t>(byte_column - 1, line_text.size());
  for (std::size_t i = 0; i < limit; ++i) {
    // Count every byte that does not continue a UTF-8 sequence.
    if ((static_cast<unsigned char>(line_text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

namespace {

void AppendOne(const SourceFile& source, const Diagnostic& d, std::string& out) {
  out += source.name;
  const std::string_view line_text = source.LineAt(d.location.line);
  if (d.location.line > 0) {
    out += ':' + std::to_string(d.location.line) + ':' +
           std::to_string(DisplayColumn(line_text, d.location.column));
  }
  out += ": ";
  out += SeverityName(d.severity);
  out += ": ";
  out += d.message;
  out += '\n';
  if (d.location.line == 0) return;
  const std::string number = std::to_string(d.location.line);
  const std::string gutter(std::max<std::size_t>(number.size(), 4), ' ');
  out += gutter.substr(number.size()) + number + " | ";
  out += line_text;
  out += '\n';
  out += gutter + " | ";
  const uint32_t column = DisplayColumn(line_text, d.location.column);
  // Keep tabs as tabs so the caret lines up in a terminal.
  uint32_t seen = 1;
  for (std::size_t i = 0; i < line_text.size() && seen < column; ++i) {
    const unsigned char c = static_cast<unsigned char>(line_text[i]);
    if ((c & 0xC0) == 0x80) continue;
    out += c == '\t' ? '\t' : ' ';
    ++seen;
  }
  out += "^\n";
}

}  // namespace

std::string FormatDiagnostic(const SourceFile& source, const Diagnostic& diagnostic) {
  std::string out;
  AppendOne(source, diagnostic, out);
  for (const Diagnostic& note : diagnostic.notes) AppendOne(source, note, out);
  return out;
}

std::string FormatDiagnostics(const SourceFile& source, const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += FormatDiagnostic(source, d);
  return out;
}

}  // namespace consentflow::dsl
