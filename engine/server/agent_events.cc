#include "engine/server/agent_events.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/handoff/access.h"
#include "engine/handoff/credentials.h"
#include "engine/server/agent_session.h"

namespace consentflow::engine::server {
namespace {

using json = nlohmann::json;

constexpr Duration kRecheckEvery = std::chrono::minutes(1);

}  // namespace

struct AgentEvents::Connection {
  uint64_t id = 0;
  std::shared_ptr<WebSocketPeer> peer;
  // Set on the pool once the hello checked out; read under AgentEvents::mu_.
  handoff::AgentProfile agent;
  std::string token_digest;
  Timestamp checked;
  bool checking = false;  // a recheck is on the pool; guarded by AgentEvents::mu_
  bool hello_seen = false;  // only the listener's thread touches it
  bool closed = false;      // guarded by AgentEvents::mu_
};

class AgentEvents::Listener final : public WebSocketListener {
 public:
  Listener(AgentEvents& owner, std::shared_ptr<Connection> connection)
      : owner_(owner), connection_(std::move(connection)) {}

  void OnMessage(std::string text) override {
    if (connection_->hello_seen) return;  // nothing else is asked of a client yet
    connection_->hello_seen = true;
    const json message = json::parse(text, nullptr, /*allow_exceptions=*/false);
    const auto token = message.is_object() ? message.find("token") : message.end();
    if (!message.is_object() || message.value("type", "") != "hello" || token == message.end() ||
        !token->is_string()) {
      connection_->peer->Close(kCloseUnauthorized, "send {\"type\":\"hello\",\"token\":...} first");
      return;
    }
    owner_.Hello(connection_, token->get<std::string>());
  }

  void OnClose() override {
    std::lock_guard lock(owner_.mu_);
    connection_->closed = true;
    owner_.connections_.erase(connection_->id);
  }

 private:
  AgentEvents& owner_;
  std::shared_ptr<Connection> connection_;
};

AgentEvents::AgentEvents(Store& store, BlockingPool& pool, const Clock& clock,
                         handoff::HandoffEventBus& events, std::vector<QueueConfig> queues)
    : store_(store), pool_(pool), clock_(clock), events_(events), queues_(std::move(queues)) {
  subscription_ = events_.Subscribe([this](const handoff::HandoffEvent& event) { Publish(event); });
}

AgentEvents::~AgentEvents() { events_.Unsubscribe(subscription_); }

std::shared_ptr<WebSocketListener> AgentEvents::Open(const HttpRequest& /*request*/,
                                                     std::shared_ptr<WebSocketPeer> peer) {
  auto connection = std::make_shared<Connection>();
  connection->peer = std::move(peer);
  {
    std::lock_guard lock(mu_);
    connection->id = next_id_++;
  }
  return std::make_shared<Listener>(*this, std::move(connection));
}

std::size_t AgentEvents::authenticated() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

void AgentEvents::Hello(const std::shared_ptr<Connection>& connection, const std::string& token) {
  const bool posted = pool_.Post([this, connection, digest = handoff::TokenDigest(token)] {
    // The same check as the API's bearer token (agent_session.h).
    const Result<handoff::AgentProfile> agent =
        AgentOfSession(store_, digest, clock_.Now(), queues_);
    if (!agent) {
      if (agent.error().code() == StatusCode::kNotFound) {
        connection->peer->Close(kCloseUnauthorized, agent.error().message());
      } else {
        connection->peer->Close(kCloseTryAgainLater, "busy; reconnect shortly");
      }
      return;
    }
    json queues = json::array();
    for (const std::string& queue : agent->queues) queues.push_back(queue);
    {
      std::lock_guard lock(mu_);
      if (connection->closed) return;
      connection->agent = *agent;
      connection->token_digest = digest;
      connection->checked = clock_.Now();
      connections_.emplace(connection->id, connection);
    }
    connection->peer->Ready();
    connection->peer->Send(json{{"type", "ready"},
                                {"agent", {{"name", agent->name},
                                           {"role", handoff::RoleName(agent->role)},
                                           {"queues", queues}}}}
                               .dump());
  });
  if (!posted) connection->peer->Close(kCloseTryAgainLater, "busy; reconnect shortly");
}

bool AgentEvents::MaySee(const handoff::AgentProfile& agent, const handoff::HandoffEvent& event) {
  if (agent.supervisor()) return true;
  if (!event.queue.empty() && handoff::CanSeeQueue(agent, event.queue)) return true;
  return !event.agent.empty() && event.agent == agent.name;
}

std::string AgentEvents::EventJson(const handoff::HandoffEvent& event) {
  return json{{"type", handoff::HandoffEventKindName(event.kind)},
              {"ticket_id", event.ticket_id},
              {"contact", event.contact},
              {"queue", event.queue},
              {"state", event.state},
              {"agent", event.agent}}
      .dump();
}

// On the publishing thread: filter, queue on each connection (Send does not block), and hand
// sessions due for a recheck to the pool.
void AgentEvents::Publish(const handoff::HandoffEvent& event) {
  if (event.kind != handoff::HandoffEvent::Kind::kDeliveryStatus || !event.queue.empty()) {
    return Dispatch(event);
  }
  {
    std::lock_guard lock(mu_);
    if (connections_.empty()) return;  // nobody to tell
    unresolved_.push_back(event);
    if (resolving_) return;
    resolving_ = true;
  }
  if (!pool_.Post([this] { Resolve(); })) {
    std::lock_guard lock(mu_);
    unresolved_.clear();
    resolving_ = false;
  }
}

void AgentEvents::Resolve() {
  std::vector<handoff::HandoffEvent> events;
  {
    std::lock_guard lock(mu_);
    events.swap(unresolved_);
    resolving_ = false;
  }
  Result<std::vector<handoff::Ticket>> open = store_.OpenTickets("");
  if (!open) return;
  for (handoff::HandoffEvent& event : events) {
    for (const handoff::Ticket& ticket : *open) {
      if (ticket.contact != event.contact) continue;
      event.ticket_id = ticket.id;
      event.queue = ticket.queue;
      if (event.agent.empty()) event.agent = ticket.agent;
      Dispatch(event);
      break;
    }
  }
}

void AgentEvents::Dispatch(const handoff::HandoffEvent& event) {
  const std::string text = EventJson(event);
  const Timestamp now = clock_.Now();
  std::vector<std::shared_ptr<Connection>> targets;
  std::vector<std::shared_ptr<Connection>> recheck;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, connection] : connections_) {
      if (!MaySee(connection->agent, event)) continue;
      targets.push_back(connection);
      if (!connection->checking && now - connection->checked >= kRecheckEvery) {
        connection->checking = true;
        recheck.push_back(connection);
      }
    }
  }
  for (const std::shared_ptr<Connection>& connection : targets) connection->peer->Send(text);
  for (const std::shared_ptr<Connection>& connection : recheck) Recheck(connection);
}

void AgentEvents::Recheck(const std::shared_ptr<Connection>& connection) {
  const bool posted = pool_.Post([this, connection] {
    std::string digest;
    {
      std::lock_guard lock(mu_);
      digest = connection->token_digest;
    }
    const Result<handoff::AgentProfile> agent =
        AgentOfSession(store_, digest, clock_.Now(), queues_);
    std::lock_guard lock(mu_);
    connection->checking = false;
    if (agent) {
      connection->checked = clock_.Now();
      connection->agent = *agent;  // queues or role may have changed
      return;
    }
    // A store that could not answer is asked again with the next event; only a session that is
    // gone ends the connection.
    if (agent.error().code() != StatusCode::kNotFound) return;
    connections_.erase(connection->id);
    connection->peer->Close(kCloseUnauthorized, agent.error().message());
  });
  if (!posted) {
    std::lock_guard lock(mu_);
    connection->checking = false;
  }
}

}  // namespace consentflow::engine::server
