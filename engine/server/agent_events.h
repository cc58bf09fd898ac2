#pragma once
// /api/events: the console's real-time push over a WebSocket (docs/handoff.md, "The WebSocket").
//
// The console opens the socket and sends {"type":"hello","token":"<session token>"} as its first
// message (the token stays out of URLs, and so out of proxies' and browsers' logs). The session
// is checked on the BlockingPool by the API's own check (AgentOfSession, agent_session.h: not
// expired, the account exists, its queues joined with [[queues]] members); then the server answers {"type":"ready","agent":{...}} and
// forwards every event of the handoff bus the agent may see, one JSON object per message:
//
//   {"type":"ticket","ticket_id":12,"contact":"49151...","queue":"support","state":"claimed","agent":"ann"}
//   {"type":"message","ticket_id":12,"contact":"49151...","queue":"support","state":"","agent":""}
//   {"type":"delivery","ticket_id":12,"contact":"49151...","queue":"support","state":"read","agent":""}
//
// An agent sees events of the queues they work and of tickets they hold; a supervisor sees
// all. A delivery status published with only its contact (the webhook knows no ticket) is sent
// with the contact's open ticket, found on the pool (one lookup for all that arrived meanwhile),
// and dropped when the contact has none (a bot's message). Events carry ids, never texts: the
// console reads the ticket through the API (access checked, audit written). A wrong or expired
// token closes the socket with 4401 (a store that cannot answer, 1013); no hello within 10 s
// with 4408. A session is checked again at most once a minute while events flow, so a
// logged-out or expired session stops receiving within a minute. Slow readers are closed (1013)
// and reconnect.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/handoff/agent.h"
#include "engine/handoff/event_bus.h"
#include "engine/server/blocking_pool.h"
#include "engine/server/config.h"
#include "engine/server/websocket.h"
#include "engine/store/store.h"

namespace consentflow::engine::server {

class AgentEvents final : public WebSocketEndpoint {
 public:
  // `store` (a connection the pool may use), `pool`, `clock` and `events` must outlive this.
  AgentEvents(Store& store, BlockingPool& pool, const Clock& clock, handoff::HandoffEventBus& events,
              std::vector<QueueConfig> queues);
  ~AgentEvents() override;  // unsubscribes from the bus

  std::shared_ptr<WebSocketListener> Open(const HttpRequest& request,
                                          std::shared_ptr<WebSocketPeer> peer) override;

  std::size_t authenticated() const;  // connections past their hello

  // The JSON an event is pushed as (also for tests).
  static std::string EventJson(const handoff::HandoffEvent& event);
  // Whether `agent` may see `event` (queue membership, the ticket's holder, supervisors).
  static bool MaySee(const handoff::AgentProfile& agent, const handoff::HandoffEvent& event);

 private:
  struct Connection;
  class Listener;
  void Hello(const std::shared_ptr<Connection>& connection, const std::string& token);
  void Publish(const handoff::HandoffEvent& event);
  void Dispatch(const handoff::HandoffEvent& event);
  void Resolve();
  void Recheck(const std::shared_ptr<Connection>& connection);

  Store& store_;
  BlockingPool& pool_;
  const Clock& clock_;
  handoff::HandoffEventBus& events_;
  std::vector<QueueConfig> queues_;
  uint64_t subscription_ = 0;
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;                                         // guarded by mu_
  std::map<uint64_t, std::shared_ptr<Connection>> connections_;  // authenticated; guarded by mu_
  // Delivery statuses published with a contact only, waiting for the pool to find their ticket.
  std::vector<handoff::HandoffEvent> unresolved_;  // guarded by mu_
  bool resolving_ = false;                         // guarded by mu_
};

}  // namespace consentflow::engine::server
