#pragma once

// The engine: the imperative shell around the interpreter. It takes inbound messages into the
// store's durable inbox, and processes them in batches: claim, load each conversation (from its
// cache or the store), route idle contacts to a flow, Step(), and commit all outcomes of the
// batch in one transaction (group commit). Timers, agent actions and the retention sweep go the
// same way. The engine itself keeps no state that the store does not have, except a cache of
// conversations that is only ever filled from what was committed.
//
// Not thread-safe: one thread drives an Engine (the server posts work to it). Several engine
// processes may share one store that supports it (see store.h).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/result.h"
#include "engine/flow_registry.h"
#include "engine/handoff/event_bus.h"
#include "engine/handoff/transcript.h"
#include "engine/interpreter.h"
#include "engine/outbound.h"
#include "engine/store/store.h"
#include "scripting/script_host.h"

namespace consentflow::engine {

struct EngineOptions {
  // Events committed together: one durable sync for this many (group commit).
  std::size_t batch_size = 256;
  // How long a claimed message is reserved for this engine before another may take it.
  Duration claim_for = std::chrono::seconds(60);
  // Conversations kept in memory; past this the cache is cleared (they reload from the store).
  std::size_t cache_limit = 100'000;
  int max_steps = 1000;  // see StepContext
  // How long a handed-off chat's transcript and closed ticket are kept (purpose `support`).
  Duration transcript_retention = handoff::kDefaultTranscriptRetention;
  // How long the handoff audit log keeps its entries; zero keeps them for ever.
  Duration audit_retention = Duration::zero();
  // How long processed message ids, final outbox entries and privacy incidents are kept.
  HistoryRetention history;
  // Called on the engine's thread after a commit, for each ticket it opened or closed and each
  // customer message it added to a transcript (ticket_id 0: the store assigned it). Must not
  // block: the console's push (handoff::HandoffEventBus::Publish) goes here.
  std::function<void(const handoff::HandoffEvent&)> on_handoff;
};

// What a round of work did, for logs and metrics.
struct EngineReport {
  std::size_t handled = 0;     // events committed
  std::size_t failed = 0;      // events whose commit failed (they are retried)
  std::size_t unrouted = 0;    // first messages no flow claims (and no default flow)
  std::vector<std::string> flow_errors;  // no personal data
  // What committed, for metrics: (notice id, decision name) per consent decision, and the queue
  // of every conversation handed to people.
  std::vector<std::pair<std::string, std::string>> consent_decisions;
  std::vector<std::string> handoffs;
  // The committed messages to mark read, in commit order: every inbound message a flow took,
  // except while a person has the chat (then it is theirs to read).
  std::vector<ReadMark> read;
};

class Engine {
 public:
  Engine(Store& store, const FlowRegistry& flows, const Clock& clock,
         scripting::ScriptHost* hooks, EngineOptions options = {});

  // Records an inbound message durably (exactly once: false for a redelivery).
  Result<bool> Receive(const InboundMessage& message);
  // The same for many, with one durable sync for all.
  Result<std::vector<bool>> Receive(const std::vector<InboundMessage>& messages);
  // Processes pending messages, up to one batch.
  Result<EngineReport> ProcessPending();
  // Processes messages that are not in the inbox (a server's webhooks, in the round they
  // arrive), committing each with its outcome (EventOutcome::arrival), so a message the engine
  // keeps up with is written once, already processed. REQUIRES: the store has no pending message
  // (Store::HasPending), so none of these can overtake an older one of its contact; none is a
  // kContactChange. Those whose outcome did not commit (seen before, refused, a conversation
  // that kept changing) go to `not_committed`, in order: the caller puts them in the inbox.
  Result<EngineReport> ProcessArrived(const std::vector<InboundMessage>& messages,
                                      std::vector<InboundMessage>& not_committed);
  // Fires the timers due now.
  Result<EngineReport> FireDueTimers();
  // An agent acted on a handed-off conversation. kFailedPrecondition when the contact's
  // conversation is not handed off, kInvalidArgument when a hand-back names a state its flow
  // does not have (nothing is committed then).
  Result<EngineReport> Act(const AgentAction& action);
  // Erases field values, and handed-off chats' transcripts and audit entries, past their
  // retention period. Run at start-up and periodically.
  Result<std::size_t> SweepRetention();

  // Conversations in the cache (for the memory benchmark).
  std::size_t cached() const { return cache_.size(); }

 private:
  struct Pending {
    EventOutcome outcome;
    std::vector<std::string> flow_errors;
    std::string new_handoff;  // the queue, when this event handed the conversation over
    std::string left_queue;   // the queue, when this event took the conversation from people
    std::optional<ReadMark> read;  // an inbound message: to mark read once committed
  };
  // What a withdrawal word takes from the contact's other flows (every consent, and so every
  // field): the engine reads it from the store before the step, the store erases it in the
  // step's commit.
  struct Withdrawal {
    std::vector<std::string> flows;
    std::vector<ConsentDecision> decisions;  // without time and evidence: the step sets them
    std::vector<std::string> descriptions;   // of the purposes those consents covered
  };
  Result<Conversation> Load(const std::string& contact);
  Result<Withdrawal> WithdrawalElsewhere(const Conversation& conversation);
  const dsl::Program* ProgramFor(Conversation& conversation, const InboundMessage* first_message);
  // Steps `event` for `conversation` (updated in place) and appends the outcome to `batch`.
  bool StepInto(Conversation& conversation, const Event& event, const std::string& message_id,
                std::vector<Pending>& batch, EngineReport& report,
                Withdrawal* elsewhere = nullptr);
  // Commits `batch`; the indexes of outcomes that failed with kConflict (a conversation that
  // changed under the cache) go to `conflicts`, when given, and those of the others that
  // failed to `failed`, when given.
  Result<EngineReport> CommitBatch(std::vector<Pending> batch, EngineReport report,
                                   std::vector<std::size_t>* conflicts = nullptr,
                                   std::vector<std::size_t>* failed = nullptr);
  // Steps and commits `messages`, retrying (from freshly loaded conversations) the ones whose
  // conversation changed under the cache. With `not_committed`, the messages are not in the
  // inbox (ProcessArrived) and those whose outcome did not commit are moved there.
  Result<EngineReport> HandleMessages(std::vector<InboundMessage> messages,
                                      std::vector<InboundMessage>* not_committed = nullptr);
  // A kContactChange message: the contact's data follows them to their new key.
  Status MoveContact(const InboundMessage& change);

  Store& store_;
  const FlowRegistry& flows_;
  const Clock& clock_;
  scripting::ScriptHost* hooks_;
  EngineOptions options_;
  std::unordered_map<std::string, Conversation> cache_;
};

}  // namespace consentflow::engine
