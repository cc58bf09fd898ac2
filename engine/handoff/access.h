#pragma once
// Who may see and do what with a ticket (docs/handoff.md, "Roles"). Pure.
//
// - See (list, open its transcript and the contact's fields): a supervisor; a member of the
//   ticket's queue; the agent holding it.
// - Claim: whoever may see it, while it waits.
// - Release: the holder, or a supervisor.
// - Transfer: while it waits, whoever may see it; while it is claimed, the holder or a
//   supervisor.
// - Reply: only the holder (a supervisor claims first).
// - Hand back, close: the holder, or a supervisor (who may also end a waiting one).
// A closed ticket can still be seen, never acted on.
#include <string>
#include <string_view>

#include "engine/handoff/agent.h"
#include "engine/handoff/ticket.h"

namespace consentflow::engine::handoff {

enum class TicketAction { kView, kClaim, kRelease, kTransfer, kReply, kHandBack, kClose };

const char* TicketActionName(TicketAction action);  // "view_ticket", "claim", ... (audit names)

struct Verdict {
  enum class Kind {
    kAllowed,
    kForbidden,  // the actor may not do this (HTTP 403)
    kConflict,   // not in this ticket's current state (HTTP 409)
  };
  Kind kind = Kind::kAllowed;
  std::string reason;  // for the API's error; names no contact

  bool allowed() const { return kind == Kind::kAllowed; }
  static Verdict Allowed() { return {}; }
  static Verdict Forbidden(std::string reason) { return {Kind::kForbidden, std::move(reason)}; }
  static Verdict Conflict(std::string reason) { return {Kind::kConflict, std::move(reason)}; }
};

bool CanSeeQueue(const AgentProfile& actor, std::string_view queue);
bool CanSeeTicket(const AgentProfile& actor, const Ticket& ticket);
Verdict Check(const AgentProfile& actor, const Ticket& ticket, TicketAction action);

}  // namespace consentflow::engine::handoff
