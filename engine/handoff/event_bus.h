#pragma once
// The seam for the console's real-time push (/api/events): everything that changes a queue or a
// chat is published here; a transport (the WebSocket, added on top) subscribes and forwards.
// The bus knows nothing about transports and publishers know nothing about subscribers.
//
// Events carry ids and names, never message texts or field values: a subscriber that wants the
// text reads the ticket through the API (which checks access and writes the audit entry).
//
// Thread-safe. Publish() calls every subscriber on the publishing thread (an I/O-free worker or
// the engine's thread), so a subscriber must return quickly: queue the event and send it from
// its own strand. Subscribing or unsubscribing from inside a callback is not allowed.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace consentflow::engine::handoff {

struct HandoffEvent {
  enum class Kind {
    kTicketChanged,   // opened, claimed, released, transferred, handed back, closed
    kMessage,         // a new transcript entry (the customer wrote, an agent replied)
    kDeliveryStatus,  // an agent's reply moved on (sent, delivered, read, failed)
  };
  Kind kind = Kind::kTicketChanged;
  uint64_t ticket_id = 0;  // 0 when the publisher does not know it (the engine's commit)
  std::string contact;     // the ticket's contact: who a console has open
  std::string queue;       // which queue's subscribers care
  std::string state;       // kTicketChanged: TicketStateName; kDeliveryStatus: OutboxStateName
  std::string agent;       // who holds it now / who replied; "" for none
};

const char* HandoffEventKindName(HandoffEvent::Kind kind);  // "ticket", "message", "delivery"

class HandoffEventBus {
 public:
  using Subscriber = std::function<void(const HandoffEvent&)>;

  // Returns an id for Unsubscribe.
  uint64_t Subscribe(Subscriber subscriber);
  void Unsubscribe(uint64_t id);
  void Publish(const HandoffEvent& event);

 private:
  std::mutex mu_;
  uint64_t next_id_ = 1;                        // guarded by mu_
  std::map<uint64_t, Subscriber> subscribers_;  // guarded by mu_
};

}  // namespace consentflow::engine::handoff
