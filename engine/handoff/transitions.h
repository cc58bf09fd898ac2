#pragma once
// What an agent's command does to a ticket, as a pure function: the API checks access first
// (access.h), applies the command to the ticket it read, and the store saves the result only if
// nobody changed the ticket meanwhile (the revision check). Claiming does not go through here:
// the store claims atomically in one statement (Store::ClaimTicket). Closing and handing back go
// through the engine, whose commit closes the ticket.
#include <string>

#include "engine/base/clock.h"
#include "engine/handoff/ticket.h"

namespace consentflow::engine::handoff {

// REQUIRES: the ticket is open. Back to waiting in its queue; it keeps its place (`since`).
Ticket Released(Ticket ticket);
// REQUIRES: the ticket is open. Waiting in `queue` (its place there is by `since`).
Ticket TransferredToQueue(Ticket ticket, const std::string& queue);
// REQUIRES: the ticket is open. Held by `agent` from `now`.
Ticket TransferredToAgent(Ticket ticket, const std::string& agent, Timestamp now);

}  // namespace consentflow::engine::handoff
