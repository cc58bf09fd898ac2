#pragma once

// Everything the engine keeps about one contact in one flow, between two events. The
// interpreter reads a Conversation and returns the next one; the store persists it.
//
// What is kept before any consent: the contact's WhatsApp id, where the conversation stands,
// its timer and the consent decisions. Field values only ever enter `fields` with an active
// consent for their purpose (the interpreter refuses otherwise, and so does the store).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/program.h"
#include "engine/base/clock.h"

namespace consentflow::engine {

// One stored field value, in its canonical text form (see validate.h).
struct FieldValue {
  std::string value;
  std::string purpose;  // the declared purpose, so the store can check the consent on its own
  Timestamp captured;
  Timestamp expires;  // captured + the field's `keep`

  friend bool operator==(const FieldValue&, const FieldValue&) = default;
};

// An accepted notice that has not been withdrawn.
struct ActiveConsent {
  int64_t version = 0;
  std::vector<std::string> purposes;
  Timestamp granted;

  friend bool operator==(const ActiveConsent&, const ActiveConsent&) = default;
};

// The chat waits in a queue for a person.
struct HandoffTicket {
  std::string queue;
  dsl::ast::Priority priority = dsl::ast::Priority::kNormal;
  std::string note;  // rendered; may hold field values (it is shown to agents only)
  Timestamp since;

  friend bool operator==(const HandoffTicket&, const HandoffTicket&) = default;
};

enum class Phase {
  kIdle,     // no conversation running: the next message is routed and starts at `start`
  kWaiting,  // waiting for the contact's answer at (state, step)
  kHandoff,  // with a person; the bot stays silent
};

enum class TimerKind { kNone, kStepTimeout, kFlowTimeout };

struct Conversation {
  std::string contact;
  std::string flow_id;
  int64_t flow_version = 0;

  Phase phase = Phase::kIdle;
  dsl::StateId state = 0;
  uint32_t step = 0;          // kWaiting: the step that asked
  int32_t invalid_answers = 0;  // kWaiting: answers refused so far at this step

  TimerKind timer = TimerKind::kNone;
  Timestamp timer_due;

  std::optional<HandoffTicket> handoff;

  std::map<std::string, FieldValue> fields;         // by field name
  std::map<std::string, ActiveConsent> consents;    // by notice name

  // Bumped by every save; the store refuses a save whose revision is stale.
  uint64_t revision = 0;

  // Is `purpose` covered by an active consent?
  bool HasConsentFor(std::string_view purpose) const;

  friend bool operator==(const Conversation&, const Conversation&) = default;
};

}  // namespace consentflow::engine
