#include "engine/server/agent_session.h"

#include <algorithm>

namespace consentflow::engine::server {

handoff::AgentProfile WithConfiguredQueues(handoff::AgentProfile profile,
                                           const std::vector<QueueConfig>& queues) {
  for (const QueueConfig& queue : queues) {
    if (std::find(queue.members.begin(), queue.members.end(), profile.name) !=
        queue.members.end()) {
      profile.queues.insert(queue.name);
    }
  }
  return profile;
}

Result<handoff::AgentProfile> AgentOfSession(Store& store, std::string_view token_digest,
                                             Timestamp now, const std::vector<QueueConfig>& queues) {
  Result<std::optional<std::string>> agent = store.SessionAgent(token_digest, now);
  if (!agent) return agent.error();
  if (!*agent) return Status::NotFound("the session has expired or was ended; log in again");
  Result<std::optional<handoff::AgentAccount>> account = store.FindAgent(**agent);
  if (!account) return account.error();
  if (!*account) return Status::NotFound("the account no longer exists");
  return WithConfiguredQueues((*account)->profile, queues);
}

}  // namespace consentflow::engine::server
