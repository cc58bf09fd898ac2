// Feeds arbitrary bytes through the whole front end: parse, check, compile, format. Any crash,
// sanitizer report, or broken invariant below is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "dsl/formatter.h"
#include "dsl/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace consentflow::dsl;
  SourceFile source{"fuzz.flow", std::string(reinterpret_cast<const char*>(data), size)};
  const LoadedFlow loaded = LoadFlowSource(source);
  // Invariant: a flow compiles exactly when it has no error.
  if (loaded.ok() == HasErrors(loaded.diagnostics)) std::abort();
  // Invariant: formatting a file that parses gives a file that parses, and is a fixed point.
  const FormatResult formatted = FormatFlow(source);
  if (formatted.ok) {
    const FormatResult again = FormatFlow(SourceFile{"fuzz.flow", formatted.text});
    if (!again.ok || again.text != formatted.text) std::abort();
  }
  return 0;
}
