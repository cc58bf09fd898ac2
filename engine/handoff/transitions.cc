#include "engine/handoff/transitions.h"

namespace consentflow::engine::handoff {

Ticket Released(Ticket ticket) {
  ticket.state = TicketState::kWaiting;
  ticket.agent.clear();
  ticket.claimed_at.reset();
  return ticket;
}

Ticket TransferredToQueue(Ticket ticket, const std::string& queue) {
  ticket = Released(std::move(ticket));
  ticket.queue = queue;
  return ticket;
}

Ticket TransferredToAgent(Ticket ticket, const std::string& agent, Timestamp now) {
  ticket.state = TicketState::kClaimed;
  ticket.agent = agent;
  ticket.claimed_at = now;
  return ticket;
}

}  // namespace consentflow::engine::handoff
