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

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/result.h"
#include "engine/base/status.h"
#include "engine/consent_decision.h"
#include "engine/conversation.h"
#include "engine/event.h"
#include "engine/handoff/agent.h"
#include "engine/handoff/audit.h"
#include "engine/handoff/ticket.h"
#include "engine/handoff/transcript.h"
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

// What an event did to the contact's handoff ticket (docs/handoff.md). The engine fills it from
// the conversation's phase before and after the event; Commit applies it in the outcome's
// savepoint, so a ticket exists exactly when the committed conversation is handed off.
struct HandoffUpdate {
  // The conversation left Phase::kHandoff (or left it and entered it again, a hand-back to a
  // state that hands off): the contact's open ticket is closed with this outcome
  // (handoff::kOutcome*), at `time`, and kept until `keep_until`.
  std::string close_outcome;
  // It entered Phase::kHandoff: a ticket is opened from conversation.handoff.
  bool open = false;
  // The customer's messages while it stays handed off: appended to the open ticket's transcript.
  std::vector<handoff::TranscriptEntry> transcript;
  Timestamp time;
  Timestamp keep_until;
};

// Everything one event changed, committed atomically.
struct EventOutcome {
  // The inbox message the event consumed; empty for timers and agent actions.
  std::string message_id;
  // Set when that message never went through the inbox (a server hands a webhook's messages to
  // the engine in the round they arrive, Engine::ProcessArrived): the store records it as
  // processed with this outcome, and refuses the outcome (kConflict) when its id was seen
  // before. What the inbox row keeps of it: not its text, which a processed message loses.
  struct Arrival {
    std::string contact;
    Timestamp time;
    std::string business_number;
  };
  std::optional<Arrival> arrival;
  // The conversation after the event. Its `revision` must equal the stored revision (0 for a
  // contact never seen); the store saves it with revision + 1. Its `fields` and `consents` are
  // the full truth for (contact, flow_id): rows not in them are deleted.
  Conversation conversation;
  // False when the event changed neither fields nor consents: the store may skip rewriting them
  // (it still checks that every field is covered by a consent).
  bool flow_data_changed = true;
  // What the store held for (contact, flow_id) when the conversation was loaded, if the engine
  // knows it: then only the rows that differ are written (the revision check guarantees the
  // store still holds exactly this). Without it, all of them are replaced.
  struct FlowData {
    std::map<std::string, FieldValue> fields;
    std::map<std::string, ActiveConsent> consents;
  };
  std::optional<FlowData> stored;
  // Other flows of the contact whose fields and consents are all erased with this outcome (a
  // withdrawal word withdraws consent in every flow; `decisions` holds the withdrawals).
  std::vector<std::string> erase_flows;
  std::vector<ConsentDecision> decisions;
  std::vector<OutboundMessage> outbound;
  std::vector<PrivacyIncident> incidents;
  HandoffUpdate handoff;
};

// How long the engine keeps what it needs only for a while (storage limitation). Each record
// holds a contact's id, so none is kept for good.
struct HistoryRetention {
  // A processed message's id (its text is erased at once): the exactly-once check. WhatsApp
  // redelivers an unacknowledged webhook for up to 7 days, so a day more than that.
  Duration message_ids = std::chrono::hours(24 * 8);
  // An outbox entry once it is final (sent, delivered, read or failed; receipts once accepted):
  // its delivery status, shown to agents. Statuses can arrive days after the send.
  Duration sent_messages = std::chrono::hours(24 * 30);
  // A privacy incident (the store refused a field without consent): accountability.
  Duration incidents = std::chrono::hours(24 * 365);
};

// Where an outbox entry stands. The order of the enumerators is the order of progress: a
// delivery status never moves an entry back (RecordDelivery), so a late `sent` cannot undo a
// `read`. kFailed sits between kSent and kDelivered: a message can fail after it was sent (131047
// arrives as a failed status), but one WhatsApp says was delivered or read did reach the contact.
enum class OutboxState {
  kPending,    // waiting to be sent, or to be retried (next_attempt)
  kAccepted,   // the Cloud API accepted it (MarkSent); no status has arrived yet
  kSent,       // statuses from the webhook: one tick,
  kFailed,     //   failed (error_code says why; also a permanent failure before acceptance),
  kDelivered,  //   two ticks,
  kRead,       //   blue ticks
};
// "pending", "accepted", "sent", "failed", "delivered", "read": for logs and the database.
constexpr const char* OutboxStateName(OutboxState state) {
  switch (state) {
    case OutboxState::kPending: return "pending";
    case OutboxState::kAccepted: return "accepted";
    case OutboxState::kSent: return "sent";
    case OutboxState::kFailed: return "failed";
    case OutboxState::kDelivered: return "delivered";
    case OutboxState::kRead: return "read";
  }
  return "pending";
}

struct OutboxEntry {
  enum class Kind {
    kMessage,      // `message` is a reply to send
    kReadReceipt,  // mark the inbound message `receipt_for` read (message.contact is the contact)
  };
  uint64_t id = 0;  // increasing in the order the entries were queued
  Kind kind = Kind::kMessage;
  OutboundMessage message;  // the text is erased (empty) once the entry is accepted or failed
  std::string receipt_for;  // kReadReceipt: the inbound message's WhatsApp id
  Timestamp queued;
  OutboxState state = OutboxState::kPending;
  uint32_t attempts = 0;      // failed attempts so far (MarkRetry counts them)
  Timestamp next_attempt;     // kPending: not handed out by ReadyOutbox before this (epoch: at once)
  int error_code = 0;         // the last error's Graph API code (or HTTP status); 0 for none
  std::string error;          // the last error, for people; never personal data
  std::string whatsapp_id;    // the wamid the API returned ("" before; always "" for receipts)
  std::optional<Timestamp> status_time;  // when `state` was last set by MarkSent/MarkFailed/RecordDelivery
};

// Why an attempt to send an entry failed.
struct SendError {
  int code = 0;       // the Graph API error code, else the HTTP status, else 0 (network, local)
  std::string text;   // short and free of personal data: Graph's title, never its details
};

// A delivery status from the webhook (statuses[]) for a message the API accepted.
struct DeliveryReport {
  std::string whatsapp_id;  // statuses[].id: the wamid MarkSent recorded
  OutboxState state = OutboxState::kSent;  // kSent, kDelivered, kRead or kFailed
  Timestamp time;                          // statuses[].timestamp
  SendError error;                         // kFailed: the first error
};

// The Cloud API's code for a free-form message to a contact whose 24-hour customer service window
// is closed ("Re-engagement message"); 470 is the older API's code for the same. Recording a
// failure with one of these codes (MarkFailed, RecordDelivery) closes the contact's window.
inline bool IsOutsideWindowError(int code) { return code == 131047 || code == 470; }

// The contact's 24-hour customer service window: free-form messages (every kind the engine
// sends) may go to a contact only within 24 hours of their last message to us, and not after the
// API said the window is closed (until they write again).
struct ServiceWindow {
  static constexpr Duration kLength = std::chrono::hours(24);
  // The contact's latest message: of those their conversation consumed, or still waiting in
  // the inbox. (A message no flow took leaves nothing behind, so it opens no window.)
  std::optional<Timestamp> last_inbound;
  std::optional<Timestamp> closed_at;     // the latest outside-window failure recorded
  // The business number (phone number id) the latest message went to; "" when unknown. The
  // window belongs to that number, so replies go out from it.
  std::string business_number = {};
  // Open at `now`: the contact wrote within kLength before `now` and no outside-window failure
  // was recorded at or after that message.
  bool OpenAt(Timestamp now) const {
    if (!last_inbound || now >= *last_inbound + kLength) return false;
    return !closed_at || *closed_at < *last_inbound;
  }
};

// Work left in the outbox, for /metrics.
struct OutboxBacklog {
  std::size_t pending = 0;              // entries in state kPending (messages and receipts)
  std::optional<Timestamp> oldest;      // the earliest `queued` among them
};

// Which of the ready entries Store::ReadyOutbox reads.
struct OutboxQuery {
  std::size_t limit = 64;
  // Ids the caller has in hand (in flight, or accepted and not yet recorded): left out, and not
  // counted against `limit`.
  std::set<uint64_t> held;
  // Of `held`, those the API accepted and the caller has not recorded yet (MarkSent): their
  // lane has moved on, so an entry whose nearest older pending entry of its lane is one of these
  // is handed out. The caller sends a lane in order (the next entry only once the previous was
  // accepted or failed), so everything older than a passed entry was passed too or is done.
  std::set<uint64_t> passed;
  // Only entries queued after this one (ids grow in commit order): 0 for all.
  uint64_t after = 0;
  // Only this contact's entries; empty: every contact's.
  std::string contact;
  // When set, receives the contacts of the entries read past that wait behind an older pending
  // entry of their lane (so the caller knows to look at them again once that one is done).
  std::set<std::string, std::less<>>* waiting = nullptr;
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
  Result<std::vector<bool>> EnqueueAll(const std::vector<InboundMessage>& messages) {
    return EnqueueAll(messages, Durability::kNow);
  }
  // kDeferred commits without a sync of its own: the messages survive a crash of the process at
  // once, and a power cut from the next Sync() (or the next commit that syncs) on. So a server
  // answers the webhook after one sync that covers the inbox batch and the engine's commit of it.
  enum class Durability { kNow, kDeferred };
  virtual Result<std::vector<bool>> EnqueueAll(const std::vector<InboundMessage>& messages,
                                               Durability durability) = 0;
  // The store's commits so far: a count that only grows, for Sync(upto).
  virtual uint64_t Commits() = 0;
  // Makes every commit up to the `upto`th durable: at most one sync, none when a commit that
  // synced came after it (so other threads' deferred commits since then cost nothing here).
  virtual Status Sync(uint64_t upto) = 0;
  Status Sync() { return Sync(Commits()); }
  // Whether any message in the inbox is unprocessed (claimed or not). While none is, a new
  // message cannot overtake an older one of its contact, so it may be processed without going
  // through the inbox (EventOutcome::arrival).
  virtual Result<bool> HasPending() = 0;
  // Up to `limit` unprocessed messages, oldest first for each contact, claimed for
  // `claim_for` (after that, another caller may claim them again).
  virtual Result<std::vector<InboundMessage>> ClaimPending(std::size_t limit, Duration claim_for) = 0;

  // ---- conversations
  // The contact's conversation (with the fields and consents of its flow), or nullopt. Fields
  // and consents, of any flow, belong to the contact's conversation: a contact without one has
  // none (the engine relies on this to read nothing more for a new contact).
  virtual Result<std::optional<Conversation>> LoadConversation(std::string_view contact) = 0;
  // The fields and consents the contact has in `flow_id` (for a conversation that moves to
  // another flow): written into `conversation.fields` and `.consents`.
  virtual Status LoadFlowData(std::string_view flow_id, Conversation& conversation) = 0;
  // The flows in which the contact has fields or consents stored, in name order.
  virtual Result<std::vector<std::string>> FlowsHoldingData(std::string_view contact) = 0;

  // Moves everything of contact `from` to contact `to` (WhatsApp's "changed number" system
  // message `message_id`, taken from the inbox): the conversation with its fields and consents,
  // pending inbound messages and unsent replies. The ledger keeps its entries as written (it is
  // append-only): they record who agreed when. Marks the message processed. Returns false, and
  // moves nothing, when `to` already has a conversation or `from` has none.
  virtual Result<bool> MoveContact(std::string_view from, std::string_view to,
                                   std::string_view message_id) = 0;

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
  // Commit queues each outcome's outbound messages. Read receipts are not queued: they go from
  // the engine's report to the sender in memory (EngineReport::read, OutboxSender::MarkRead).
  // Entries of kind kReadReceipt are those an earlier version queued, kept as history until
  // pruned (migration 8 dropped the ones still pending).
  //
  // The kPending messages, oldest first, at most `limit`, whether or not their next attempt is
  // due: what `consentflow chat` and the tests read.
  virtual Result<std::vector<OutboxEntry>> PendingOutbox(std::size_t limit) = 0;
  // What a sender may send at `now`, oldest first, at most `query.limit`: kPending entries
  // whose next_attempt <= now and that have no older kPending entry of the same contact (and
  // kind). So a contact's messages go out in order: the second is not handed out until the
  // first was accepted or failed, even while the first waits for its retry. `query` narrows
  // the look.
  virtual Result<std::vector<OutboxEntry>> ReadyOutbox(Timestamp now, const OutboxQuery& query) = 0;
  Result<std::vector<OutboxEntry>> ReadyOutbox(Timestamp now, std::size_t limit) {
    OutboxQuery query;
    query.limit = limit;
    return ReadyOutbox(now, query);
  }
  // The entry `outbox_id` as it stands; kNotFound for an id never queued.
  virtual Result<OutboxEntry> LookupOutbox(uint64_t outbox_id) = 0;
  // The API accepted the entry: kPending -> kAccepted, and a message's text is erased.
  // `whatsapp_message_id` is the wamid it returned (REQUIRED for messages; "" for receipts, which
  // get none). Again with the same id: no-op (a retried call). kConflict when the entry was
  // accepted with another id or has failed; kNotFound for an unknown id.
  virtual Status MarkSent(uint64_t outbox_id, std::string_view whatsapp_message_id) = 0;
  // MarkSent for several entries in one transaction (one durable sync for all, as a sender
  // records the answers that arrived together): one Status per entry, as MarkSent would give.
  // The Result is an error only when nothing could be recorded.
  virtual Result<std::vector<Status>> MarkSentAll(
      const std::vector<std::pair<uint64_t, std::string>>& accepted) = 0;
  // A retryable failure: the entry stays kPending, `attempts` goes up by one, `error` is kept,
  // and ReadyOutbox hands it out again from `next_attempt` on. kFailedPrecondition when it is no
  // longer kPending; kNotFound for an unknown id.
  virtual Status MarkRetry(uint64_t outbox_id, Timestamp next_attempt, const SendError& error) = 0;
  // A permanent failure at `at`: kPending -> kFailed with `error`, the text erased, never handed
  // out again. An outside-window code (IsOutsideWindowError) also closes the contact's window.
  // Again when already kFailed: no-op. kFailedPrecondition when it was accepted; kNotFound.
  virtual Status MarkFailed(uint64_t outbox_id, const SendError& error, Timestamp at) = 0;
  // Applies a delivery status to the message the API accepted with `report.whatsapp_id`, if it
  // moves the message forward (OutboxState's order). True when applied; false for a duplicate or
  // a status that arrived after a later one. kFailed records report.error and, for an
  // outside-window code, closes the contact's window at report.time. kNotFound when no outbox
  // message has that wamid yet: the status is kept for a day, and MarkSent applies it when it
  // records that wamid (WhatsApp can report a send before the sender has recorded it).
  // kInvalidArgument for a state other than the four statuses.
  // With Durability::kDeferred, as for EnqueueAll: durable from the next Sync() on.
  Result<bool> RecordDelivery(const DeliveryReport& report) {
    return RecordDelivery(report, Durability::kNow);
  }
  virtual Result<bool> RecordDelivery(const DeliveryReport& report, Durability durability) = 0;
  // The contact's 24-hour window: their latest message (ServiceWindow::last_inbound) and the
  // recorded outside-window failures. It follows the conversation when the number changes.
  virtual Result<ServiceWindow> ServiceWindowOf(std::string_view contact) = 0;
  // The windows of `contacts`, in their order, read together: one read for a batch of replies
  // (SQLite: one read transaction, not one per contact). By default, one ServiceWindowOf each.
  virtual Result<std::vector<ServiceWindow>> ServiceWindowsOf(
      const std::vector<std::string>& contacts) {
    std::vector<ServiceWindow> windows;
    windows.reserve(contacts.size());
    for (const std::string& contact : contacts) {
      Result<ServiceWindow> window = ServiceWindowOf(contact);
      if (!window) return window.error();
      windows.push_back(std::move(*window));
    }
    return windows;
  }
  virtual Result<OutboxBacklog> Backlog() = 0;

  // ---- retention
  // Erases every field value whose expiry is at or before `now`; returns how many.
  virtual Result<std::size_t> EraseExpiredFields(Timestamp now) = 0;
  // Erases the records the engine needs only for a while (HistoryRetention says how long);
  // returns how many rows went.
  virtual Result<std::size_t> PruneHistory(Timestamp now, const HistoryRetention& keep) = 0;

  // ---- ledger and incidents
  // Ledger entries with sequence >= `from`, in order, at most `limit`.
  virtual Result<std::vector<LedgerEntry>> ReadLedger(uint64_t from, std::size_t limit) = 0;
  virtual Result<std::vector<PrivacyIncident>> ReadIncidents(std::size_t limit) = 0;

  // ---- handoff queues
  virtual Result<std::vector<QueuedHandoff>> HandoffQueue(std::string_view queue) = 0;

  // ---- handoff tickets (docs/handoff.md). Commit opens and closes them (HandoffUpdate); these
  // move them between agents. Errors: kNotFound (no such ticket), kConflict (the ticket is not
  // in the state the call expects: someone else got there first).
  //
  // The open tickets of `queue` ("" for every queue), in waiting order (handoff::WaitsBefore).
  virtual Result<std::vector<handoff::Ticket>> OpenTickets(std::string_view queue) = 0;
  virtual Result<handoff::Ticket> FindTicket(uint64_t ticket_id) = 0;
  // The contact's open ticket (`open`), or the ticket of theirs that closed last (not `open`;
  // the latest id among those closed at the latest time); nullopt when there is none.
  virtual Result<std::optional<handoff::Ticket>> ContactTicket(std::string_view contact,
                                                               bool open) = 0;
  // Atomic: of any number of concurrent calls for one waiting ticket, exactly one succeeds (one
  // UPDATE ... WHERE state = 'waiting'); the others get kConflict. Returns the claimed ticket.
  // The audit entry ("claim" by `agent`) is written in the same transaction.
  virtual Result<handoff::Ticket> ClaimTicket(uint64_t ticket_id, std::string_view agent,
                                              Timestamp now) = 0;
  // Saves an agent's change to an open ticket (queue, state, agent, claimed_at) if it is still
  // at `ticket.revision` and open; returns it with the next revision. kConflict otherwise.
  // `audit` (its ticket and contact filled in here) is written in the same transaction.
  virtual Result<handoff::Ticket> UpdateTicket(const handoff::Ticket& ticket,
                                               const handoff::AuditEntry& audit) = 0;
  // The ticket's transcript, oldest first, each agent reply with its delivery state.
  virtual Result<std::vector<handoff::TranscriptEntry>> Transcript(uint64_t ticket_id) = 0;
  // An agent's reply, in one transaction: if the ticket is claimed by `entry.agent` (kConflict
  // otherwise) and the contact's 24-hour window is open at `entry.time` (kFailedPrecondition
  // otherwise; a kTemplate message needs no open window), `message` is queued in the outbox and
  // `entry` appended to the transcript with that outbox entry, with the audit entry "reply"
  // (detail "template=NAME" for a template). Returns the entry as stored.
  virtual Result<handoff::TranscriptEntry> QueueAgentReply(uint64_t ticket_id,
                                                           const OutboundMessage& message,
                                                           handoff::TranscriptEntry entry) = 0;

  // ---- agents, sessions, failed logins
  // kConflict when the name is taken.
  virtual Status AddAgent(const handoff::AgentAccount& account) = 0;
  virtual Result<std::optional<handoff::AgentAccount>> FindAgent(std::string_view name) = 0;
  virtual Status CreateSession(std::string_view token_digest, std::string_view agent,
                               Timestamp expires) = 0;
  // The agent a session token's digest belongs to, while the session has not expired at `now`.
  virtual Result<std::optional<std::string>> SessionAgent(std::string_view token_digest,
                                                          Timestamp now) = 0;
  virtual Status DeleteSession(std::string_view token_digest) = 0;
  virtual Result<handoff::LoginFailures> LoginFailuresOf(std::string_view key) = 0;
  virtual Status SetLoginFailures(std::string_view key, const handoff::LoginFailures& record) = 0;

  // ---- audit (append-only)
  // Returns the entry's id.
  virtual Result<uint64_t> AppendAudit(const handoff::AuditEntry& entry) = 0;
  // Entries with id > `after`, oldest first, at most `limit`.
  virtual Result<std::vector<handoff::AuditEntry>> ReadAudit(uint64_t after, std::size_t limit) = 0;

  // ---- handoff retention
  // Erases the transcript entries whose expiry is at or before `now`, closed tickets kept past
  // their `keep_until`, expired sessions and failed-login counts a day old; returns how many
  // transcript entries.
  virtual Result<std::size_t> EraseExpiredHandoffData(Timestamp now) = 0;
  // Erases the audit log's oldest entries, up to the first one written after `before` (the log
  // stays a gap-free run of ids); returns how many. The one way entries ever leave the log.
  virtual Result<std::size_t> EraseAuditBefore(Timestamp before) = 0;
};

}  // namespace consentflow::engine
