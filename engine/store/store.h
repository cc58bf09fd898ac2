#pragma once

// The engine's durable state, behind one interface with one backend per database
// (store/sqlite/ today; PostgreSQL later). Only the operations the engine needs, not a SQL layer.
//
// Exactly-once: an inbound message is first recorded in the inbox (Enqueue, durable before the
// webhook is acknowledged); processing it ends in Commit(), which in ONE transaction saves the
// conversation, its fields and consents, appends the consent decisions to the ledger, queues the
// replies in the outbox, and marks the message processed and erases its text. A crash before
// the commit leaves the message pending, so it is processed again from the same state; a crash
// after it leaves nothing to redo.
//
// Ordering: messages of one contact are handed out oldest first, and a contact whose messages
// are claimed is not handed to another caller until they are committed or the claim expires,
// so several engine processes can share one database (the PostgreSQL backend) without two of
// them working on one conversation.
//
// Every method is thread-safe. Errors: kUnavailable (the database is busy or gone: retry),
// kConflict (a stale conversation revision: reload and redo the event; or a message that was
// processed already: the outcome must not apply twice), kFailedPrecondition (a field without an
// active consent for its purpose: refused, recorded as an incident), kInvalidArgument (a message
// id the inbox never had), kNotFound (an unknown outbox id), kInternal (a bug or a corrupt
// database).
//
// The retention sweep (EraseExpiredFields) raises the revision of every conversation it
// changes, so a copy loaded before the sweep is stale and its save fails with kConflict.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/result.h"
#include "engine/base/status.h"
#include "engine/consent_decision.h"
#include "engine/conversation.h"
#include "engine/event.h"
#include "engine/ledger.h"
#include "engine/outbound.h"

namespace consentflow::engine {

// A privacy incident: something asked to store or keep data it had no right to.
struct PrivacyIncident {
  std::string contact;
  std::string flow_id;
  std::string field;
  std::string purpose;
  std::string what;  // "no active consent for purpose 'offer'"; never the value itself
  Timestamp time;
};

// Everything one event changed, committed atomically.
struct EventOutcome {
  // The inbox message the event consumed; empty for timers and agent actions.
  std::string message_id;
  // The conversation after the event. Its `revision` must equal the stored revision (0 for a
  // contact never seen); the store saves it with revision + 1. Its `fields` and `consents` are
  // the full truth for (contact, flow_id): rows not in them are deleted.
  Conversation conversation;
  // False when the event changed neither fields nor consents: the store may skip rewriting them
  // (it still checks that every field is covered by a consent).
  bool flow_data_changed = true;
  std::vector<ConsentDecision> decisions;
  std::vector<OutboundMessage> outbound;
  std::vector<PrivacyIncident> incidents;
};

struct OutboxEntry {
  uint64_t id = 0;  // increasing in the order the messages were queued
  OutboundMessage message;
  Timestamp queued;
};

struct QueuedHandoff {
  std::string contact;
  std::string flow_id;
  HandoffTicket ticket;
};

class Store {
 public:
  virtual ~Store() = default;

  // ---- inbox
  // Records `message` durably. False when its id was seen before (a redelivery): nothing changes.
  virtual Result<bool> Enqueue(const InboundMessage& message) = 0;
  // The same for several messages in one transaction, one durable sync for all (a webhook POST
  // carries up to 1000; a server coalesces concurrent POSTs): one result per message.
  virtual Result<std::vector<bool>> EnqueueAll(const std::vector<InboundMessage>& messages) = 0;
  // Up to `limit` unprocessed messages, oldest first for each contact, claimed for
  // `claim_for` (after that, another caller may claim them again).
  virtual Result<std::vector<InboundMessage>> ClaimPending(std::size_t limit, Duration claim_for) = 0;

  // ---- conversations
  // The contact's conversation (with the fields and consents of its flow), or nullopt.
  virtual Result<std::optional<Conversation>> LoadConversation(std::string_view contact) = 0;
  // The fields and consents the contact has in `flow_id` (for a conversation that moves to
  // another flow): written into `conversation.fields` and `.consents`.
  virtual Status LoadFlowData(std::string_view flow_id, Conversation& conversation) = 0;

  // ---- commit
  // Commits each outcome in its own savepoint inside one transaction, with one durable sync for
  // all (group commit). Returns one Status per outcome: an outcome that fails (stale revision,
  // refused field) is rolled back alone and the others still commit. The returned Result is an
  // error only when nothing could be committed.
  virtual Result<std::vector<Status>> Commit(const std::vector<EventOutcome>& outcomes) = 0;

  // ---- timers
  // Conversations whose timer is due at `now`, earliest first.
  virtual Result<std::vector<TimerFired>> DueTimers(Timestamp now, std::size_t limit) = 0;

  // ---- outbox
  virtual Result<std::vector<OutboxEntry>> PendingOutbox(std::size_t limit) = 0;
  virtual Status MarkSent(uint64_t outbox_id, std::string_view whatsapp_message_id) = 0;

  // ---- retention
  // Erases every field value whose expiry is at or before `now`; returns how many.
  virtual Result<std::size_t> EraseExpiredFields(Timestamp now) = 0;

  // ---- ledger and incidents
  // Ledger entries with sequence >= `from`, in order, at most `limit`.
  virtual Result<std::vector<LedgerEntry>> ReadLedger(uint64_t from, std::size_t limit) = 0;
  virtual Result<std::vector<PrivacyIncident>> ReadIncidents(std::size_t limit) = 0;

  // ---- handoff queues
  virtual Result<std::vector<QueuedHandoff>> HandoffQueue(std::string_view queue) = 0;
};

}  // namespace consentflow::engine
