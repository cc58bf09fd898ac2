#include "engine/handoff/access.h"

namespace consentflow::engine::handoff {

const char* TicketActionName(TicketAction action) {
  switch (action) {
    case TicketAction::kView:
      return "view_ticket";
    case TicketAction::kClaim:
      return "claim";
    case TicketAction::kRelease:
      return "release";
    case TicketAction::kTransfer:
      return "transfer";
    case TicketAction::kReply:
      return "reply";
    case TicketAction::kHandBack:
      return "hand_back";
    case TicketAction::kClose:
      return "close";
  }
  return "view_ticket";
}

bool CanSeeQueue(const AgentProfile& actor, std::string_view queue) {
  return actor.supervisor() || actor.MemberOf(queue);
}

bool CanSeeTicket(const AgentProfile& actor, const Ticket& ticket) {
  return CanSeeQueue(actor, ticket.queue) ||
         (ticket.state == TicketState::kClaimed && ticket.agent == actor.name);
}

Verdict Check(const AgentProfile& actor, const Ticket& ticket, TicketAction action) {
  if (!CanSeeTicket(actor, ticket)) return Verdict::Forbidden("the ticket is not in your queues");
  if (action == TicketAction::kView) return Verdict::Allowed();
  if (!ticket.open()) return Verdict::Conflict("the ticket is closed");
  const bool waiting = ticket.state == TicketState::kWaiting;
  const bool holder = !waiting && ticket.agent == actor.name;
  switch (action) {
    case TicketAction::kView:
      return Verdict::Allowed();
    case TicketAction::kClaim:
      if (holder) return Verdict::Conflict("you hold the ticket already");
      if (!waiting) return Verdict::Conflict("another agent holds the ticket");
      return Verdict::Allowed();
    case TicketAction::kRelease:
      if (waiting) return Verdict::Conflict("the ticket is not claimed");
      if (!holder && !actor.supervisor())
        return Verdict::Forbidden("another agent holds the ticket");
      return Verdict::Allowed();
    case TicketAction::kTransfer:
      if (!waiting && !holder && !actor.supervisor()) {
        return Verdict::Forbidden("another agent holds the ticket");
      }
      return Verdict::Allowed();
    case TicketAction::kReply:
      if (waiting) return Verdict::Conflict("claim the ticket before replying");
      if (!holder) return Verdict::Conflict("another agent holds the ticket");
      return Verdict::Allowed();
    case TicketAction::kHandBack:
    case TicketAction::kClose:
      if (holder || actor.supervisor()) return Verdict::Allowed();
      if (waiting) return Verdict::Conflict("claim the ticket first");
      return Verdict::Forbidden("another agent holds the ticket");
  }
  return Verdict::Forbidden("unknown action");
}

}  // namespace consentflow::engine::handoff
