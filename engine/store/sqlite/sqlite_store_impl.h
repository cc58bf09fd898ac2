#pragma once

// Internal to engine/store/sqlite/: the Store over one SQLite connection. The class is split
// over files by concept: sqlite_store.cc (opening, the inbox, loading, timers, outbox,
// retention, reads), sqlite_commit.cc (committing events' outcomes), sqlite_contacts.cc
// (a contact changing number), sqlite_outbox.cc (the outbox), sqlite_handoff.cc (handoff
// tickets and transcripts) and sqlite_agents.cc (agents, sessions, failed logins, audit).

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store/sqlite/sqlite_db.h"
#include "engine/store/store.h"

namespace consentflow::engine::sqlite {

using SteadyTime = std::chrono::steady_clock::time_point;

// SQLite's LIMIT takes a signed 64-bit integer.
inline int64_t SqlLimit(std::size_t limit) {
  return static_cast<int64_t>(
      std::min<uint64_t>(limit, static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
}

template <typename T>
Status Unpack(Result<T> result, T& out) {
  if (!result) return result.error();
  out = std::move(*result);
  return Status::Ok();
}

class SqliteStore final : public Store {
 public:
  // Watches the connection's commits (sqlite_sync.cc), so it must not move: made on the heap.
  SqliteStore(Db db, bool durable);
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<bool> Enqueue(const InboundMessage& message) override;
  using Store::EnqueueAll;
  Result<std::vector<bool>> EnqueueAll(const std::vector<InboundMessage>& messages,
                                       Durability durability) override;
  uint64_t Commits() override;
  using Store::Sync;
  Status Sync(uint64_t upto) override;
  Result<bool> HasPending() override;
  Result<std::vector<InboundMessage>> ClaimPending(std::size_t limit, Duration claim_for) override;
  Result<std::optional<Conversation>> LoadConversation(std::string_view contact) override;
  Status LoadFlowData(std::string_view flow_id, Conversation& conversation) override;
  Result<std::vector<std::string>> FlowsHoldingData(std::string_view contact) override;
  Status EraseFlowData(std::string_view contact, std::string_view flow_id);
  Result<bool> MoveContact(std::string_view from, std::string_view to,
                           std::string_view message_id) override;
  Result<std::vector<Status>> Commit(const std::vector<EventOutcome>& outcomes) override;
  Result<std::vector<TimerFired>> DueTimers(Timestamp now, std::size_t limit) override;
  Result<std::vector<OutboxEntry>> PendingOutbox(std::size_t limit) override;
  using Store::ReadyOutbox;
  Result<std::vector<OutboxEntry>> ReadyOutbox(Timestamp now, const OutboxQuery& query) override;
  Result<OutboxEntry> LookupOutbox(uint64_t outbox_id) override;
  Status MarkSent(uint64_t outbox_id, std::string_view whatsapp_message_id) override;
  Result<std::vector<Status>> MarkSentAll(
      const std::vector<std::pair<uint64_t, std::string>>& accepted) override;
  Status MarkRetry(uint64_t outbox_id, Timestamp next_attempt, const SendError& error) override;
  Status MarkFailed(uint64_t outbox_id, const SendError& error, Timestamp at) override;
  using Store::RecordDelivery;
  Result<bool> RecordDelivery(const DeliveryReport& report, Durability durability) override;
  Result<ServiceWindow> ServiceWindowOf(std::string_view contact) override;
  Result<std::vector<ServiceWindow>> ServiceWindowsOf(
      const std::vector<std::string>& contacts) override;
  Result<OutboxBacklog> Backlog() override;
  Result<std::size_t> EraseExpiredFields(Timestamp now) override;
  Result<std::size_t> PruneHistory(Timestamp now, const HistoryRetention& keep) override;
  Result<std::vector<LedgerEntry>> ReadLedger(uint64_t from, std::size_t limit) override;
  Result<std::vector<PrivacyIncident>> ReadIncidents(std::size_t limit) override;
  Result<std::vector<QueuedHandoff>> HandoffQueue(std::string_view queue) override;

  // sqlite_handoff.cc
  Result<std::vector<handoff::Ticket>> OpenTickets(std::string_view queue) override;
  Result<handoff::Ticket> FindTicket(uint64_t ticket_id) override;
  Result<std::optional<handoff::Ticket>> ContactTicket(std::string_view contact,
                                                       bool open) override;
  Result<handoff::Ticket> ClaimTicket(uint64_t ticket_id, std::string_view agent,
                                      Timestamp now) override;
  Result<handoff::Ticket> UpdateTicket(const handoff::Ticket& ticket,
                                       const handoff::AuditEntry& audit) override;
  Result<std::vector<handoff::TranscriptEntry>> Transcript(uint64_t ticket_id) override;
  Result<handoff::TranscriptEntry> QueueAgentReply(uint64_t ticket_id,
                                                   const OutboundMessage& message,
                                                   handoff::TranscriptEntry entry) override;
  Result<std::size_t> EraseExpiredHandoffData(Timestamp now) override;
  Result<std::size_t> EraseAuditBefore(Timestamp before) override;

  // sqlite_agents.cc
  Status AddAgent(const handoff::AgentAccount& account) override;
  Result<std::optional<handoff::AgentAccount>> FindAgent(std::string_view name) override;
  Status CreateSession(std::string_view token_digest, std::string_view agent,
                       Timestamp expires) override;
  Result<std::optional<std::string>> SessionAgent(std::string_view token_digest,
                                                  Timestamp now) override;
  Status DeleteSession(std::string_view token_digest) override;
  Result<handoff::LoginFailures> LoginFailuresOf(std::string_view key) override;
  Status SetLoginFailures(std::string_view key, const handoff::LoginFailures& record) override;
  Result<uint64_t> AppendAudit(const handoff::AuditEntry& entry) override;
  Result<std::vector<handoff::AuditEntry>> ReadAudit(uint64_t after, std::size_t limit) override;

 private:
  // A contact whose pending messages a ClaimPending call handed out. Kept in memory: see
  // sqlite_store.h for why.
  struct Claim {
    SteadyTime until;
    std::set<std::string, std::less<>> message_ids;  // handed out and not yet committed
  };

  // When, and to which business number, the message an outcome consumed was sent: its
  // conversation keeps the latest as the contact's 24-hour window (migration 9).
  struct InboundSeen {
    int64_t sent_ms = 0;
    std::string business_number;
  };

  // Each of these REQUIRES mu_ held (and, for writes, a transaction open).
  Status LoadFlowDataLocked(std::string_view contact, std::string_view flow_id,
                            Conversation& conversation);
  Result<bool> InsertIntoInbox(const InboundMessage& message);
  Result<std::optional<std::vector<Status>>> CommitWhole(const std::vector<EventOutcome>& outcomes,
                                                         Timestamp now);
  Result<std::vector<Status>> CommitEach(const std::vector<EventOutcome>& outcomes, Timestamp now);
  Status CommitOutcome(const EventOutcome& outcome, Timestamp now, std::string& inbox_contact);
  Status ApplyOutcome(const EventOutcome& outcome, Timestamp now, std::string& inbox_contact,
                      std::vector<PrivacyIncident>& refused);
  Status MarkProcessed(std::string_view message_id, std::string& contact,
                       InboundSeen* seen = nullptr);
  Status RecordArrived(const EventOutcome& outcome, std::string& contact, InboundSeen& seen);
  Status CheckRevision(const Conversation& conversation);
  Status SaveConversation(const Conversation& conversation, const InboundSeen* seen);
  Status ReplaceFlowData(const Conversation& conversation);
  Status UpdateFlowData(const Conversation& conversation, const EventOutcome::FlowData& stored);
  Status AppendToLedger(const std::vector<ConsentDecision>& decisions);
  Status QueueOutbound(const std::vector<OutboundMessage>& outbound, Timestamp now);
  Result<std::optional<OutboxEntry>> FindEntry(uint64_t outbox_id);
  Result<ServiceWindow> ReadWindow(std::string_view contact);
  Status CloseWindow(std::string_view contact, Timestamp at);
  Status InsertIncident(const PrivacyIncident& incident);
  // sqlite_handoff.cc: an outcome's HandoffUpdate (close, open, transcript), inside its savepoint.
  Status ApplyHandoff(const EventOutcome& outcome);
  Result<std::optional<handoff::Ticket>> TicketLocked(uint64_t ticket_id);
  Result<uint64_t> InsertAudit(const handoff::AuditEntry& entry);  // sqlite_agents.cc
  // `early_statuses`: false when none waits (the table is empty), so none is looked for.
  Status MarkSentLocked(uint64_t outbox_id, std::string_view whatsapp_message_id, Timestamp now,
                        bool early_statuses);
  Result<bool> ApplyStatus(int64_t id, const DeliveryReport& report);
  Status ApplyEarlyStatuses(int64_t id, std::string_view wamid);
  void ReleaseClaim(const std::string& contact, std::string_view message_id);

  // sqlite_sync.cc: for its life, commits go without a sync of their own when `durability` is
  // kDeferred (EnqueueAll, RecordDelivery, MarkSentAll); with kNow it changes nothing.
  // REQUIRES: mu_ is held for the object's whole life.
  class RelaxedSync {
   public:
    RelaxedSync(SqliteStore& store, Durability durability);
    ~RelaxedSync();
    RelaxedSync(const RelaxedSync&) = delete;
    RelaxedSync& operator=(const RelaxedSync&) = delete;
    const Status& status() const { return status_; }

   private:
    SqliteStore& store_;
    Status status_;
  };
  static int OnWalCommit(void* store, sqlite3* db, const char* schema, int pages);

  const SystemClock clock_;
  const bool durable_;  // synchronous=FULL (SqliteOptions::durable)
  std::mutex mu_;
  Db db_;                                // guarded by mu_
  bool relaxed_ = false;   // synchronous=NORMAL for now (RelaxedSync); guarded by mu_
  uint64_t commits_ = 0;      // commits that wrote to the log (OnWalCommit); guarded by mu_
  uint64_t synced_upto_ = 0;  // commits up to this one are durable; guarded by mu_
  int checkpoint_frames_ = 1000;  // OnWalCommit checkpoints at this many log frames
  std::map<std::string, Claim> claims_;  // by contact; guarded by mu_
};

}  // namespace consentflow::engine::sqlite
