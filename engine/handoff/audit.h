#pragma once
// The audit log of the agent console: who opened which transcript or contact, and who did what
// to which ticket, when (docs/handoff.md). Append-only; supervisors read it.
#include <cstdint>
#include <string>

#include "engine/base/clock.h"

namespace consentflow::engine::handoff {

struct AuditEntry {
  uint64_t id = 0;  // increasing; set by the store
  Timestamp time;
  std::string agent;       // who
  std::string action;      // "view_ticket", "claim", "release", "transfer", "reply", "hand_back",
                           // "close", "login", "logout"
  uint64_t ticket_id = 0;  // 0 when the action is not about a ticket
  std::string contact;     // whose data was seen or acted on; "" when none
  std::string detail;      // e.g. "queue=sales" for a transfer; never message texts or field values
};

}  // namespace consentflow::engine::handoff
