#include "engine/server/handoff_ticket_ids.h"

namespace consentflow::engine::server {

void HandoffTicketIds::Resolve(handoff::HandoffEvent& event) {
  if (event.ticket_id != 0 || event.contact.empty()) return;
  const bool ticket_event = event.kind == handoff::HandoffEvent::Kind::kTicketChanged;
  const bool closed =
      ticket_event && event.state == handoff::TicketStateName(handoff::TicketState::kClosed);
  const bool opened = ticket_event && !closed;  // a new ticket: always read
  if (const auto it = open_.find(event.contact); it != open_.end() && !opened) {
    event.ticket_id = it->second;
    if (closed) open_.erase(it);
    return;
  }
  Result<std::optional<handoff::Ticket>> ticket = store_.ContactTicket(event.contact, !closed);
  if (!ticket || !*ticket) return;
  event.ticket_id = (*ticket)->id;
  if (closed) return;
  // A full map starts over rather than track age: a miss costs one indexed read.
  if (open_.size() >= max_remembered_) open_.clear();
  open_.insert_or_assign(event.contact, event.ticket_id);
}

}  // namespace consentflow::engine::server
