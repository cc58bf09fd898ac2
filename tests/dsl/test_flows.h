#pragma once

// Helpers shared by the dsl tests: compile flow text in memory and look for diagnostics.

#include <string>
#include <string_view>

#include "dsl/check.h"
#include "dsl/loader.h"

namespace consentflow::dsl::testing {

// A small flow that compiles clean; tests change one thing in it.
inline constexpr std::string_view kBaseFlow = R"(flow t "Test"
purpose offer "send you the offer"
notice privacy v1
  text "We use your data to {purposes}."
  grants offer
  accept "I agree"
  decline "No thanks"
field name text max 80 for offer keep 30 days
state start
  consent privacy
    accepted -> details
    declined -> bye
state details
  ask name "Your name?"
  say "Thanks {name}"
  end
state bye
  say "Bye"
  end
)";

// `text` with every occurrence of `from` replaced by `to` (the replacement must happen).
std::string Replace(std::string_view text, std::string_view from, std::string_view to);

LoadedFlow CompileText(std::string_view text, const CheckOptions& options = {});

// Compiles `text` and returns its machine; fails the test (and returns null) when it does not
// compile.
ProgramPtr CompileProgram(std::string_view text, std::string_view name = "test.flow");

// The first diagnostic with `code`, or nullptr.
const Diagnostic* Find(const Diagnostics& diagnostics, std::string_view code);

// All diagnostics, formatted, for failure messages.
std::string Dump(const LoadedFlow& flow);

}  // namespace consentflow::dsl::testing
