#pragma once
// `consentflow serve`: everything a running server is, wired together and owned in one place.
//
//   HTTP (Beast, I/O threads) -> WebhookEndpoint -> InboxWriter (queue) ----------------> 200
//                                                      | wakes                      ^
//                                   EngineWorker (one thread, rounds: write the inbox batch,
//                                   Engine over the Store, commit, one sync) --------'
//                                                      | wakes
//                                   outbox sender (Graph API)
//
// Start() fails, naming the problem, when a setting, the database or a flow is wrong.
// Stop() (SIGTERM) stops accepting, lets requests in hand finish, processes what the inbox
// holds, and returns. ReloadFlows() (SIGHUP) compiles the flows folder again: new versions take
// new conversations, running ones keep theirs.
#include <cstdint>
#include <memory>

#include "engine/base/clock.h"
#include "engine/base/result.h"
#include "engine/handoff/event_bus.h"
#include "engine/server/config.h"

namespace consentflow::engine::server {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and the threads it starts later, so
// that RunUntilSignalled() receives them. Call it first thing in main().
void BlockServerSignals();

class ServeApp {
 public:
  static Result<std::unique_ptr<ServeApp>> Start(const ServerConfig& config);
  virtual ~ServeApp() = default;

  virtual uint16_t port() const = 0;
  virtual Status ReloadFlows() = 0;
  virtual void Stop() = 0;
  // Blocks until SIGTERM or SIGINT (then stops) and reloads on SIGHUP.
  virtual void RunUntilSignalled() = 0;
  // Where handoff changes are published (tickets, transcript messages): the console's push
  // (/api/events) subscribes here. docs/handoff.md.
  virtual handoff::HandoffEventBus& handoff_events() = 0;
};

}  // namespace consentflow::engine::server
