#include "engine/handoff/event_bus.h"

#include <vector>

namespace consentflow::engine::handoff {

const char* HandoffEventKindName(HandoffEvent::Kind kind) {
  switch (kind) {
    case HandoffEvent::Kind::kTicketChanged:
      return "ticket";
    case HandoffEvent::Kind::kMessage:
      return "message";
    case HandoffEvent::Kind::kDeliveryStatus:
      return "delivery";
  }
  return "ticket";
}

uint64_t HandoffEventBus::Subscribe(Subscriber subscriber) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_id_++;
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void HandoffEventBus::Unsubscribe(uint64_t id) {
  std::lock_guard lock(mu_);
  subscribers_.erase(id);
}

void HandoffEventBus::Publish(const HandoffEvent& event) {
  // Called outside the lock, so a slow subscriber does not hold up Subscribe() elsewhere.
  std::vector<Subscriber> targets;
  {
    std::lock_guard lock(mu_);
    targets.reserve(subscribers_.size());
    for (const auto& [id, subscriber] : subscribers_) targets.push_back(subscriber);
  }
  for (const Subscriber& subscriber : targets) subscriber(event);
}

}  // namespace consentflow::engine::handoff
