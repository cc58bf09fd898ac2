#include "bench/flow_generator.h"

namespace consentflow::bench {

std::string GenerateFlow(int states) {
  constexpr int kFields = 20;
  std::string out;
  out.reserve(static_cast<std::size_t>(states) * 220 + 2048);
  out += "flow generated \"Generated for benchmarks\"\n";
  out += "purpose offer \"send you the offer you asked for\"\n";
  out += "notice privacy v1\n  text \"We use your answers to {purposes}.\"\n  grants offer\n"
         "  accept \"I agree\"\n  decline \"No thanks\"\n";
  out += "field name text max 80 for offer keep 30 days\n";
  for (int f = 0; f < kFields; ++f) {
    out += "field n" + std::to_string(f) + " integer 0..1000 for offer keep 30 days\n";
  }
  out += "on keyword \"agent\" -> human\n";
  out += "state start\n  say \"Welcome!\"\n  consent privacy\n    accepted -> s0\n    declined -> bye\n";
  for (int i = 0; i < states; ++i) {
    const std::string s = std::to_string(i);
    const std::string next = i + 1 < states ? "s" + std::to_string(i + 1) : "bye";
    const std::string skip = i + 2 < states ? "s" + std::to_string(i + 2) : "bye";
    const std::string back = i > 0 ? "s" + std::to_string(i - 1) : "start";
    const std::string field = "n" + std::to_string(i % kFields);
    out += "state s" + s + "\n";
    if (i == 0) out += "  ask name \"What's your name?\"\n";
    out += "  say \"Step " + s + " for {name}.\"\n";
    out += "  ask " + field + " \"How many, from 0 to 1000?\"\n    retries 2 -> bye\n";
    out += "  if " + field + " > 500 and set(name) -> " + skip + "\n";
    out += "  say \"Noted.\"\n";
    out += "  choose \"Where next?\"\n    \"Forward\" -> " + next + "\n    \"Back\" -> " + back + "\n";
  }
  out += "state human\n  handoff support note \"Asked for a person\"\n";
  out += "state bye\n  say \"Bye!\"\n  end\n";
  return out;
}

}  // namespace consentflow::bench
