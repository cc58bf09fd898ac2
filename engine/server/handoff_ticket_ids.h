#pragma once
// The engine announces what its commits did to tickets (opened, closed, a customer's message)
// without their ids: the store assigns them inside the commit (EngineOptions::on_handoff). This
// fills the id in from the store, right after the commit, before the event is published, so the
// console's push carries real ticket ids.
//
// Not thread-safe: call Resolve() on the engine's thread, from on_handoff, in commit order. Only
// the engine opens and closes tickets, so at that moment the contact's open ticket is the one
// the event is about, and a closed event's ticket is the one that was open before: remembered
// per contact while it is open (a contact's hand-back to a state that hands off again closes one
// ticket and opens another in one commit), else the contact's ticket closed last.
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "engine/handoff/event_bus.h"
#include "engine/store/store.h"

namespace consentflow::engine::server {

class HandoffTicketIds {
 public:
  // `store` must outlive this; the engine's own connection sees its commits at once.
  explicit HandoffTicketIds(Store& store, std::size_t max_remembered = 100'000)
      : store_(store), max_remembered_(max_remembered) {}

  // Sets `event.ticket_id` when it is 0 and the store knows the ticket; leaves it 0 otherwise
  // (the store could not be read: the console then reloads its lists all the same).
  void Resolve(handoff::HandoffEvent& event);

 private:
  Store& store_;
  const std::size_t max_remembered_;
  std::unordered_map<std::string, uint64_t> open_;  // contact -> their open ticket's id
};

}  // namespace consentflow::engine::server
