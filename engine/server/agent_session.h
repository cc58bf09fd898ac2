#pragma once
// Who a session token belongs to: the one check behind the agent API's bearer token and the
// console push's hello (agent_api.h, agent_events.h). A live session of an existing account,
// with the account's queues joined with those whose [[queues]] members name it.
//
// Runs SQLite: call it on the BlockingPool, never on an I/O thread.
#include <string_view>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/result.h"
#include "engine/handoff/agent.h"
#include "engine/server/config.h"
#include "engine/store/store.h"

namespace consentflow::engine::server {

// The queues an agent works: their own and those whose [[queues]] members name them.
handoff::AgentProfile WithConfiguredQueues(handoff::AgentProfile profile,
                                           const std::vector<QueueConfig>& queues);

// The agent whose session `token_digest` (handoff::TokenDigest) is, at `now`. kNotFound, with a
// message for the agent, when the session has expired or was ended, or the account is gone
// (log in again); the store's error (kUnavailable, kInternal) when it could not be read.
Result<handoff::AgentProfile> AgentOfSession(Store& store, std::string_view token_digest,
                                             Timestamp now, const std::vector<QueueConfig>& queues);

}  // namespace consentflow::engine::server
