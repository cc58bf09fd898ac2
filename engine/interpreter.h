#pragma once

// The interpreter: a pure function from (compiled flow, conversation, event, time) to the next
// conversation and what it produced: replies, consent decisions, privacy incidents. No I/O, no
// clock, no globals: the same inputs give the same outputs, so it is tested exhaustively and
// the shell (engine.h) owns storage, time and sending.
//
// Its own run-time enforcement, independent of the compiler: a field is stored only when the
// conversation holds an active consent for the field's purpose; anything else (a hook writing a
// field, an old flow version, a hand-back to a state the compiler never proved) is refused and
// reported as a PrivacyIncident.

#include <string>
#include <vector>

#include "dsl/program.h"
#include "engine/base/clock.h"
#include "engine/consent_decision.h"
#include "engine/conversation.h"
#include "engine/event.h"
#include "engine/outbound.h"
#include "engine/store/store.h"
#include "scripting/script_host.h"

namespace consentflow::engine {

struct StepContext {
  const dsl::Program& program;
  Timestamp now;
  scripting::ScriptHost* hooks = nullptr;  // null: every `call` fails (and continues)
  // A conversation that runs this many steps without waiting for the contact is stopped (a
  // flow that loops without asking anything).
  int max_steps = 1000;
  // A withdrawal word withdraws consent in every flow: the engine withdraws the contact's
  // consents in their other flows and lists here the descriptions of the purposes that covered,
  // so the confirmation names them too (and does not say there was no consent).
  std::vector<std::string> withdrawn_elsewhere = {};
};

struct StepResult {
  Conversation conversation;
  std::vector<OutboundMessage> outbound;
  std::vector<ConsentDecision> decisions;
  std::vector<PrivacyIncident> incidents;
  // Problems of the flow for its operators (a hook that failed, a loop stopped). Never holds
  // personal data: names of states, fields and hooks only.
  std::vector<std::string> flow_errors;
  int steps = 0;  // flow steps executed (for metrics and benchmarks)
};

// Moves `conversation` (which runs `context.program`, or is idle) by `event`.
// An idle conversation starts at `start` (or at a keyword handler's target).
// REQUIRES: an idle conversation has flow_id/flow_version of context.program set by the router.
StepResult Step(const StepContext& context, Conversation conversation, const Event& event);

// Does `text` withdraw consent (a withdrawal word, alone, any case)?
bool IsWithdrawal(std::string_view text);

}  // namespace consentflow::engine
