#pragma once

// ProgramToJson(): the compiled machine as JSON, for `consentflow check --emit`, reviews and
// tests. Names, not indices: a state, field, notice or purpose is written as its name, and a
// target that ends the conversation as "end", so the output reads like the flow and does not
// change when a declaration moves.

#include <string>

#include "dsl/program.h"

namespace consentflow::dsl {

struct ProgramJsonOptions {
  // Write each step's "line" (its line in the flow file). Off, the JSON depends only on what
  // the flow does, not on where its lines stand: formatting a flow must not change it.
  bool include_lines = true;
  // Spaces per nesting level; a negative value writes everything on one line.
  int indent = 2;
};

// Deterministic: the same Program always gives the same bytes (members in a fixed order).
// Invalid UTF-8 in a string is written as U+FFFD rather than failing.
//
// Shape (a step has only the members of its kind; STATE is a state's name or "end"):
//   {"format_version": 1, "flow", "title", "version", "source", "hooks": "x.lua" | null,
//    "start": STATE,
//    "entries":  [{"kind": "link"|"keyword"|"ad"|"default", "values": [...]}],
//    "purposes": [{"id", "description"}],
//    "notices":  [{"id", "version", "text": TEMPLATE, "grants": [purpose names], "accept",
//                  "decline"}],
//    "fields":   [{"id", "type", "max_length" (text only), "min", "max" (when given),
//                  "purpose", "keep_seconds"}],
//    "handlers": {"keywords": [{"words", "target"}], "timeout": {"seconds", "target"} | null,
//                 "withdraw": STATE | null},
//    "states":   [{"id", "steps": [STEP]}]}
// STEP: {"kind", "line" (unless !include_lines), then by kind:
//   say: "text"; ask: "field", "text", "invalid": TEMPLATE | null (the type's default),
//   "retries", "retries_target", "timeout": {"seconds", "target"} | null;
//   choose: "field" (null: not stored), "text", "options"; consent: "notice", "accepted",
//   "declined", "options" (extra buttons); call: "hook", "writes", "options" (outcomes);
//   if: "condition", "target"; goto: "target"; handoff: "queue", "priority", "note" | null;
//   end: nothing}. "options" is [{"title", "target"}].
// TEMPLATE: [{"text": "..."} | {"field": "name"} | {"placeholder": "purposes"}] (Compile()
// never leaves a placeholder). A condition is {"kind": "field"|"set", "field"},
// {"kind": "string"|"number"|"bool", "value"}, {"kind": "not"|"and"|"or", "operands"} or
// {"kind": "compare", "op": "eq"|"ne"|"lt"|"le"|"gt"|"ge", "operands"}.
std::string ProgramToJson(const Program& program, const ProgramJsonOptions& options = {});

}  // namespace consentflow::dsl
