#pragma once

#include "dsl/program.h"
#include "engine/conversation.h"

namespace consentflow::engine {

// Evaluates an `if` condition over the conversation's stored fields. A comparison involving an
// unset field is false; `set(F)` tests for a value. Numbers compare numerically, dates as
// ISO text (which orders like time), text exactly, yesno fields as "yes" = true.
bool Evaluate(const dsl::Condition& condition, const dsl::Program& program,
              const Conversation& conversation);

}  // namespace consentflow::engine
