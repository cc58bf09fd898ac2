#include "tests/dsl/test_flows.h"

#include <gtest/gtest.h>

namespace consentflow::dsl::testing {

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  std::size_t at = out.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' is not in the flow";
  while (at != std::string::npos) {
    out.replace(at, from.size(), to);
    at = out.find(from, at + to.size());
  }
  return out;
}

LoadedFlow CompileText(std::string_view text, const CheckOptions& options) {
  return LoadFlowSource(SourceFile{"test.flow", std::string(text)}, options);
}

ProgramPtr CompileProgram(std::string_view text, std::string_view name) {
  const LoadedFlow loaded = LoadFlowSource(SourceFile{std::string(name), std::string(text)});
  EXPECT_TRUE(loaded.ok()) << Dump(loaded);
  return loaded.program;
}

const Diagnostic* Find(const Diagnostics& diagnostics, std::string_view code) {
  for (const Diagnostic& d : diagnostics) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

std::string Dump(const LoadedFlow& flow) { return FormatDiagnostics(flow.source, flow.diagnostics); }

}  // namespace consentflow::dsl::testing
