#pragma once
// The agent console's JSON API under /api/ (docs/handoff.md has the reference): log in, list the
// queues and tickets an agent may see, open a ticket (its transcript, the contact's fields and
// consents: an audit entry each time), claim, release, transfer, reply, send a template (after
// the 24-hour window), list the states a hand-back may name, hand back, close; the audit log for
// supervisors. Failed logins slow down per account and per client address.
//
// Threads: Handle() runs on an I/O thread and only parses the path; everything else (SQLite,
// Argon2id) runs on a BlockingPool, and closing or handing back runs on the engine's thread
// (through `run_action`). The answer goes back through the Responder from whichever thread
// finishes.
//
// Errors are JSON, {"error": "..."}: 400 malformed input, 401 no valid session, 403 not allowed
// (another queue, not a supervisor, another agent's ticket), 404 no such thing, 405 wrong
// method, 409 not in this state (claimed by someone else, closed, the 24-hour window has
// passed), 429 too many failed logins (Retry-After), 503 busy. They never carry a stack trace,
// a message text or a field value; logs get ids and codes only.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/event.h"
#include "engine/handoff/credentials.h"
#include "engine/handoff/event_bus.h"
#include "engine/handoff/login_throttle.h"
#include "engine/handoff/message_template.h"
#include "engine/server/blocking_pool.h"
#include "engine/server/config.h"
#include "engine/server/http_server.h"
#include "engine/store/store.h"

namespace consentflow::engine::server {

// The states of a conversation's flow, for the console's hand-back picker.
struct FlowStates {
  std::string flow_id;
  int64_t version = 0;
  std::vector<std::string> states;  // their names, in the order the flow declares them
  std::string start;                // the flow's start state
};

// Finds the states of `contact`'s conversation's flow (the version it runs, else the newest)
// where the flows live, the engine's thread; calls `done` from any thread. kNotFound when the
// contact has no conversation or its flow is not loaded.
using FlowStatesLookup =
    std::function<void(std::string contact, std::function<void(Result<FlowStates>)> done)>;

struct AgentApiOptions {
  std::vector<QueueConfig> queues;  // the declared queues ([[queues]])
  std::vector<handoff::MessageTemplate> templates;  // what may be sent after the window ([[templates]])
  FlowStatesLookup flow_states;  // GET /api/tickets/{id}/states; none: 503
  Duration session_ttl = std::chrono::hours(12);
  Duration transcript_retention = handoff::kDefaultTranscriptRetention;
  handoff::LoginThrottlePolicy throttle;  // per account
  handoff::LoginThrottlePolicy source_throttle = handoff::SourceThrottlePolicy();  // per address
  // The cost of the stand-in hash checked when a login names no agent (so an unknown name takes
  // as long as a wrong password). Tests lower it.
  handoff::PasswordCost dummy_cost = handoff::PasswordCost::Interactive();
};

// Runs an agent's close or hand-back through the engine on its own thread; calls `done` (from
// any thread) with Engine::Act's status.
using AgentActionRunner = std::function<void(AgentAction action, std::function<void(Status)> done)>;

class AgentApi final : public HttpHandler {
 public:
  // `store` should be a connection of its own (the engine's is busy with batches); all the
  // references must outlive the AgentApi.
  AgentApi(Store& store, BlockingPool& pool, const Clock& clock, AgentActionRunner run_action,
           handoff::HandoffEventBus& events, AgentApiOptions options);
  ~AgentApi() override;

  void Handle(HttpRequest request, Responder respond) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentflow::engine::server
