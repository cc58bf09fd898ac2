#include "engine/store/sqlite/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/store/sqlite/sqlite_codec.h"
#include "engine/store/sqlite/sqlite_db.h"
#include "engine/store/sqlite/sqlite_schema.h"

namespace consentflow::engine {
namespace {

using sqlite::Db;
using sqlite::Savepoint;
using sqlite::Statement;
using sqlite::Transaction;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr Duration kLongestClaim = std::chrono::hours(24);

// SQLite's LIMIT takes a signed 64-bit integer.
int64_t SqlLimit(std::size_t limit) {
  return static_cast<int64_t>(
      std::min<uint64_t>(limit, static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
}

template <typename T>
Status Unpack(Result<T> result, T& out) {
  if (!result) return result.error();
  out = std::move(*result);
  return Status::Ok();
}

// A conversation row, selected with the columns in schema order (LoadConversation).
Status ReadConversation(const Statement& row, Conversation& conversation) {
  conversation.contact = row.ColumnText(0);
  conversation.flow_id = row.ColumnText(1);
  conversation.flow_version = row.ColumnInt64(2);
  if (Status s = Unpack(sqlite::ParsePhase(row.ColumnText(3)), conversation.phase); !s.ok()) {
    return s;
  }
  conversation.state = static_cast<dsl::StateId>(row.ColumnInt64(4));
  conversation.step = static_cast<uint32_t>(row.ColumnInt64(5));
  conversation.invalid_answers = static_cast<int32_t>(row.ColumnInt64(6));
  if (Status s = Unpack(sqlite::ParseTimerKind(row.ColumnText(7)), conversation.timer); !s.ok()) {
    return s;
  }
  conversation.timer_due = FromUnixMillis(row.ColumnInt64(8));
  conversation.handoff.reset();
  if (!row.ColumnIsNull(9)) {
    HandoffTicket ticket;
    ticket.queue = row.ColumnText(9);
    if (Status s = Unpack(sqlite::PriorityFromRank(row.ColumnInt64(10)), ticket.priority);
        !s.ok()) {
      return s;
    }
    ticket.note = row.ColumnText(11);
    ticket.since = FromUnixMillis(row.ColumnInt64(12));
    conversation.handoff = std::move(ticket);
  }
  conversation.revision = static_cast<uint64_t>(row.ColumnInt64(13));
  return Status::Ok();
}

// The fields of `conversation` that no consent of it covers, as the incidents they are. The
// store checks on its own, whatever the interpreter (or a hook, an agent, an old flow) did.
std::vector<PrivacyIncident> FieldsWithoutConsent(const Conversation& conversation, Timestamp now) {
  std::vector<PrivacyIncident> refused;
  for (const auto& [name, field] : conversation.fields) {
    const bool covered = std::any_of(
        conversation.consents.begin(), conversation.consents.end(), [&](const auto& consent) {
          const std::vector<std::string>& purposes = consent.second.purposes;
          return std::find(purposes.begin(), purposes.end(), field.purpose) != purposes.end();
        });
    if (covered) continue;
    refused.push_back(
        PrivacyIncident{conversation.contact, conversation.flow_id, name, field.purpose,
                        "the store refused field '" + name + "': no active consent for purpose '" +
                            field.purpose + "'",
                        now});
  }
  return refused;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Db db) : db_(std::move(db)) {}

  Result<bool> Enqueue(const InboundMessage& message) override;
  Result<std::vector<bool>> EnqueueAll(const std::vector<InboundMessage>& messages) override;
  Result<std::vector<InboundMessage>> ClaimPending(std::size_t limit, Duration claim_for) override;
  Result<std::optional<Conversation>> LoadConversation(std::string_view contact) override;
  Status LoadFlowData(std::string_view flow_id, Conversation& conversation) override;
  Result<std::vector<Status>> Commit(const std::vector<EventOutcome>& outcomes) override;
  Result<std::vector<TimerFired>> DueTimers(Timestamp now, std::size_t limit) override;
  Result<std::vector<OutboxEntry>> PendingOutbox(std::size_t limit) override;
  Status MarkSent(uint64_t outbox_id, std::string_view whatsapp_message_id) override;
  Result<std::size_t> EraseExpiredFields(Timestamp now) override;
  Result<std::vector<LedgerEntry>> ReadLedger(uint64_t from, std::size_t limit) override;
  Result<std::vector<PrivacyIncident>> ReadIncidents(std::size_t limit) override;
  Result<std::vector<QueuedHandoff>> HandoffQueue(std::string_view queue) override;

 private:
  // A contact whose pending messages a ClaimPending call handed out. Kept in memory: see
  // sqlite_store.h for why.
  struct Claim {
    SteadyTime until;
    std::set<std::string, std::less<>> message_ids;  // handed out and not yet committed
  };

  // Each of these REQUIRES mu_ held (and, for writes, a transaction open).
  Status LoadFlowDataLocked(std::string_view contact, std::string_view flow_id,
                            Conversation& conversation);
  Result<bool> InsertIntoInbox(const InboundMessage& message);
  Status CommitOutcome(const EventOutcome& outcome, Timestamp now, std::string& inbox_contact);
  Status ApplyOutcome(const EventOutcome& outcome, Timestamp now, std::string& inbox_contact,
                      std::vector<PrivacyIncident>& refused);
  Status MarkProcessed(std::string_view message_id, std::string& contact);
  Status CheckRevision(const Conversation& conversation);
  Status SaveConversation(const Conversation& conversation);
  Status ReplaceFlowData(const Conversation& conversation);
  Status AppendToLedger(const std::vector<ConsentDecision>& decisions);
  Status QueueOutbound(const std::vector<OutboundMessage>& outbound, Timestamp now);
  Status InsertIncident(const PrivacyIncident& incident);
  void ReleaseClaim(const std::string& contact, std::string_view message_id);

  const SystemClock clock_;
  std::mutex mu_;
  Db db_;                                // guarded by mu_
  std::map<std::string, Claim> claims_;  // by contact; guarded by mu_
};

// ---- inbox

Result<bool> SqliteStore::Enqueue(const InboundMessage& message) {
  std::lock_guard lock(mu_);
  return InsertIntoInbox(message);
}

Result<std::vector<bool>> SqliteStore::EnqueueAll(const std::vector<InboundMessage>& messages) {
  std::lock_guard lock(mu_);
  std::vector<bool> fresh;
  fresh.reserve(messages.size());
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  for (const InboundMessage& message : messages) {
    Result<bool> inserted = InsertIntoInbox(message);
    if (!inserted) return inserted.error();  // the transaction rolls back: all or nothing
    fresh.push_back(*inserted);
  }
  if (Status status = tx->Commit(); !status.ok()) return status;
  return fresh;
}

// REQUIRES: mu_ is held.
Result<bool> SqliteStore::InsertIntoInbox(const InboundMessage& message) {
  if (message.id.empty()) return Status::InvalidArgument("sqlite: a message without an id");
  Result<std::string> payload = sqlite::EncodeInboundPayload(message);
  if (!payload) return payload.error();
  // ON CONFLICT (message_id) DO NOTHING rather than INSERT OR IGNORE: only a redelivery is
  // ignored; a row breaking any other constraint is still an error.
  Status status = db_.Run(
      "INSERT INTO inbox (message_id, contact, sent, payload) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (message_id) DO NOTHING",
      message.id, message.contact, ToUnixMillis(message.time), *payload);
  if (!status.ok()) return status;
  return db_.Changes() == 1;
}

Result<std::vector<InboundMessage>> SqliteStore::ClaimPending(std::size_t limit,
                                                              Duration claim_for) {
  std::lock_guard lock(mu_);
  const SteadyTime now = std::chrono::steady_clock::now();
  std::erase_if(claims_, [&](const auto& claim) { return claim.second.until <= now; });

  std::vector<InboundMessage> claimed;
  std::map<std::string, Claim> taken;  // the contacts this call claims
  if (limit == 0) return claimed;
  // Oldest first over all contacts, which is oldest first for each. Rows of contacts claimed
  // by an earlier call are skipped, so the scan may read more rows than it returns.
  Result<Statement> rows = db_.Query(
      "SELECT message_id, contact, sent, payload FROM inbox WHERE processed = 0 "
      "ORDER BY sent, seq");
  if (!rows) return rows.error();
  while (claimed.size() < limit) {
    Result<bool> row = rows->Step();
    if (!row) return row.error();
    if (!*row) break;
    std::string contact = rows->ColumnText(1);
    if (claims_.count(contact) != 0) continue;
    InboundMessage message;
    message.id = rows->ColumnText(0);
    message.contact = contact;
    message.time = FromUnixMillis(rows->ColumnInt64(2));
    if (Status s = sqlite::DecodeInboundPayload(rows->ColumnText(3), message); !s.ok()) return s;
    taken[contact].message_ids.insert(message.id);
    claimed.push_back(std::move(message));
  }
  // Capped so that adding it to the steady clock cannot overflow.
  const Duration hold = std::clamp<Duration>(claim_for, Duration::zero(), kLongestClaim);
  for (auto& [contact, claim] : taken) {
    claim.until = now + hold;
    claims_[contact] = std::move(claim);
  }
  return claimed;
}

void SqliteStore::ReleaseClaim(const std::string& contact, std::string_view message_id) {
  auto claim = claims_.find(contact);
  if (claim == claims_.end()) return;
  if (auto id = claim->second.message_ids.find(message_id); id != claim->second.message_ids.end()) {
    claim->second.message_ids.erase(id);
  }
  if (claim->second.message_ids.empty()) claims_.erase(claim);
}

// ---- conversations

Result<std::optional<Conversation>> SqliteStore::LoadConversation(std::string_view contact) {
  std::lock_guard lock(mu_);
  // One read transaction: the conversation row and its fields come from one snapshot.
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kDeferred);
  if (!tx) return tx.error();
  Result<Statement> row = db_.Query(
      "SELECT contact, flow_id, flow_version, phase, state, step, invalid_answers, timer, "
      "timer_due, handoff_queue, handoff_priority, handoff_note, handoff_since, revision "
      "FROM conversations WHERE contact = ?1",
      contact);
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  if (!*found) return std::optional<Conversation>();
  Conversation conversation;
  if (Status s = ReadConversation(*row, conversation); !s.ok()) return s;
  if (Status s = LoadFlowDataLocked(contact, conversation.flow_id, conversation); !s.ok()) {
    return s;
  }
  if (Status s = tx->Commit(); !s.ok()) return s;
  return std::optional<Conversation>(std::move(conversation));
}

Status SqliteStore::LoadFlowData(std::string_view flow_id, Conversation& conversation) {
  std::lock_guard lock(mu_);
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kDeferred);
  if (!tx) return tx.error();
  if (Status s = LoadFlowDataLocked(conversation.contact, flow_id, conversation); !s.ok()) {
    return s;
  }
  return tx->Commit();
}

Status SqliteStore::LoadFlowDataLocked(std::string_view contact, std::string_view flow_id,
                                       Conversation& conversation) {
  std::map<std::string, FieldValue> fields;
  Result<Statement> rows = db_.Query(
      "SELECT field, value, purpose, captured, expires FROM field_values "
      "WHERE contact = ?1 AND flow_id = ?2",
      contact, flow_id);
  if (!rows) return rows.error();
  if (Status s = rows->ForEachRow([&](const Statement& r) {
        fields[r.ColumnText(0)] =
            FieldValue{r.ColumnText(1), r.ColumnText(2), FromUnixMillis(r.ColumnInt64(3)),
                       FromUnixMillis(r.ColumnInt64(4))};
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  std::map<std::string, ActiveConsent> consents;
  rows = db_.Query(
      "SELECT notice, version, purposes, granted FROM consents WHERE contact = ?1 AND flow_id = ?2",
      contact, flow_id);
  if (!rows) return rows.error();
  if (Status s = rows->ForEachRow([&](const Statement& r) {
        ActiveConsent consent;
        consent.version = r.ColumnInt64(1);
        if (Status s = Unpack(sqlite::DecodeStrings(r.ColumnText(2)), consent.purposes); !s.ok()) {
          return s;
        }
        consent.granted = FromUnixMillis(r.ColumnInt64(3));
        consents[r.ColumnText(0)] = std::move(consent);
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  conversation.fields = std::move(fields);
  conversation.consents = std::move(consents);
  return Status::Ok();
}

// ---- commit

Result<std::vector<Status>> SqliteStore::Commit(const std::vector<EventOutcome>& outcomes) {
  std::vector<Status> results;
  if (outcomes.empty()) return results;
  const Timestamp now = clock_.Now();
  std::lock_guard lock(mu_);
  // IMMEDIATE: the write lock is taken here, before any work, so no statement in the batch can
  // fail half-way with SQLITE_BUSY because another connection started writing first.
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  std::vector<std::pair<std::string, std::string>> processed;  // (contact, message id)
  for (const EventOutcome& outcome : outcomes) {
    std::string inbox_contact;
    Status status = CommitOutcome(outcome, now, inbox_contact);
    // After some errors (disk full, I/O) SQLite rolls the whole transaction back by itself:
    // then nothing of the batch can commit.
    if (!db_.InTransaction()) {
      return status.ok() ? Status::Internal("sqlite: the transaction ended unexpectedly") : status;
    }
    if (status.ok() && !outcome.message_id.empty()) {
      processed.emplace_back(std::move(inbox_contact), outcome.message_id);
    }
    results.push_back(std::move(status));
  }
  // The one durable sync for the whole batch.
  if (Status status = tx->Commit(); !status.ok()) return status;
  for (const auto& [contact, message_id] : processed) ReleaseClaim(contact, message_id);
  return results;
}

Status SqliteStore::CommitOutcome(const EventOutcome& outcome, Timestamp now,
                                  std::string& inbox_contact) {
  Result<Savepoint> savepoint = Savepoint::Begin(db_);
  if (!savepoint) return savepoint.error();
  std::vector<PrivacyIncident> refused;
  Status status = ApplyOutcome(outcome, now, inbox_contact, refused);
  if (status.ok()) return savepoint->Release();
  if (Status undone = savepoint->RollBack(); !undone.ok()) return undone;
  // Written after the rollback, into the enclosing transaction: the outcome is gone but the
  // record that something tried to store data without consent stays.
  for (const PrivacyIncident& incident : refused) {
    if (Status recorded = InsertIncident(incident); !recorded.ok()) return recorded;
  }
  return status;
}

Status SqliteStore::ApplyOutcome(const EventOutcome& outcome, Timestamp now,
                                 std::string& inbox_contact,
                                 std::vector<PrivacyIncident>& refused) {
  const Conversation& conversation = outcome.conversation;
  if (!outcome.message_id.empty()) {
    if (Status s = MarkProcessed(outcome.message_id, inbox_contact); !s.ok()) return s;
  }
  // A message no flow took: consumed, and nothing about the contact is kept.
  if (conversation.flow_id.empty()) return Status::Ok();
  // A known conversation's revision is checked by its UPDATE in SaveConversation, before any
  // other write of the outcome; a new one's here.
  if (conversation.revision == 0) {
    if (Status s = CheckRevision(conversation); !s.ok()) return s;
  }
  refused = FieldsWithoutConsent(conversation, now);
  if (!refused.empty()) {
    std::string message = refused.front().what;
    if (refused.size() > 1) message += " (and " + std::to_string(refused.size() - 1) + " more)";
    return Status::FailedPrecondition(std::move(message));
  }
  if (Status s = SaveConversation(conversation); !s.ok()) return s;
  if (outcome.flow_data_changed) {
    if (Status s = ReplaceFlowData(conversation); !s.ok()) return s;
  }
  if (Status s = AppendToLedger(outcome.decisions); !s.ok()) return s;
  if (Status s = QueueOutbound(outcome.outbound, now); !s.ok()) return s;
  for (const PrivacyIncident& incident : outcome.incidents) {
    if (Status s = InsertIncident(incident); !s.ok()) return s;
  }
  return Status::Ok();
}

// Marks the message processed and erases its payload (secure_delete zeroes the old bytes).
// kConflict when it was processed already (exactly-once: the outcome must not apply twice),
// kInvalidArgument when the inbox never had it.
Status SqliteStore::MarkProcessed(std::string_view message_id, std::string& contact) {
  Result<Statement> update = db_.Query(
      "UPDATE inbox SET processed = 1, payload = NULL WHERE message_id = ?1 AND processed = 0 "
      "RETURNING contact",
      message_id);
  if (!update) return update.error();
  Result<bool> row = update->Step();
  if (!row) return row.error();
  if (*row) {
    contact = update->ColumnText(0);
    return update->Run();
  }
  Result<Statement> known = db_.Query("SELECT 1 FROM inbox WHERE message_id = ?1", message_id);
  if (!known) return known.error();
  Result<bool> found = known->Step();
  if (!found) return found.error();
  if (*found) return Status::Conflict("sqlite: the message was processed already");
  return Status::InvalidArgument("sqlite: the message is not in the inbox");
}

Status SqliteStore::CheckRevision(const Conversation& conversation) {
  Result<Statement> row =
      db_.Query("SELECT revision FROM conversations WHERE contact = ?1", conversation.contact);
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  const uint64_t stored = *found ? static_cast<uint64_t>(row->ColumnInt64(0)) : 0;
  if (stored != conversation.revision) {
    return Status::Conflict("sqlite: the conversation is at revision " + std::to_string(stored) +
                            ", the outcome was computed from revision " +
                            std::to_string(conversation.revision));
  }
  return Status::Ok();
}

// A new conversation is inserted; a known one is updated only if it is still at the revision
// the outcome was computed from (the optimistic check, in the same statement). Never INSERT OR
// REPLACE: REPLACE deletes the row first, and the foreign keys would cascade that delete to the
// contact's fields and consents in every flow.
Status SqliteStore::SaveConversation(const Conversation& c) {
  std::optional<std::string> queue, note;
  std::optional<int64_t> priority, since;
  if (c.handoff) {
    queue = c.handoff->queue;
    note = c.handoff->note;
    priority = sqlite::PriorityRank(c.handoff->priority);
    since = ToUnixMillis(c.handoff->since);
  }
  if (c.revision == 0) {
    return db_.Run(
        "INSERT INTO conversations (contact, flow_id, flow_version, phase, state, step, "
        "invalid_answers, timer, timer_due, handoff_queue, handoff_priority, handoff_note, "
        "handoff_since, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
        "?14)",
        c.contact, c.flow_id, c.flow_version, sqlite::PhaseName(c.phase), c.state, c.step,
        c.invalid_answers, sqlite::TimerKindName(c.timer), ToUnixMillis(c.timer_due), queue,
        priority, note, since, c.revision + 1);
  }
  if (Status s = db_.Run(
          "UPDATE conversations SET flow_id = ?2, flow_version = ?3, phase = ?4, state = ?5, "
          "step = ?6, invalid_answers = ?7, timer = ?8, timer_due = ?9, handoff_queue = ?10, "
          "handoff_priority = ?11, handoff_note = ?12, handoff_since = ?13, revision = ?14 "
          "WHERE contact = ?1 AND revision = ?15",
          c.contact, c.flow_id, c.flow_version, sqlite::PhaseName(c.phase), c.state, c.step,
          c.invalid_answers, sqlite::TimerKindName(c.timer), ToUnixMillis(c.timer_due), queue,
          priority, note, since, c.revision + 1, c.revision);
      !s.ok()) {
    return s;
  }
  if (db_.Changes() == 1) return Status::Ok();
  return CheckRevision(c);  // names the revision the store is at
}

// The outcome's fields and consents are the whole truth for (contact, flow_id): the rows are
// replaced, so a field or consent missing from them is deleted (and zeroed, secure_delete).
Status SqliteStore::ReplaceFlowData(const Conversation& c) {
  if (Status s = db_.Run("DELETE FROM field_values WHERE contact = ?1 AND flow_id = ?2", c.contact,
                         c.flow_id);
      !s.ok()) {
    return s;
  }
  Result<Statement> insert = db_.Query(
      "INSERT INTO field_values (contact, flow_id, field, value, purpose, captured, expires) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert) return insert.error();
  for (const auto& [name, field] : c.fields) {
    if (Status s = insert->BindAll(c.contact, c.flow_id, name, field.value, field.purpose,
                                   ToUnixMillis(field.captured), ToUnixMillis(field.expires));
        !s.ok()) {
      return s;
    }
    if (Status s = insert->Run(); !s.ok()) return s;
    insert->Reset();
  }
  if (Status s =
          db_.Run("DELETE FROM consents WHERE contact = ?1 AND flow_id = ?2", c.contact, c.flow_id);
      !s.ok()) {
    return s;
  }
  insert = db_.Query(
      "INSERT INTO consents (contact, flow_id, notice, version, purposes, granted) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert) return insert.error();
  for (const auto& [notice, consent] : c.consents) {
    Result<std::string> purposes = sqlite::EncodeStrings(consent.purposes);
    if (!purposes) return purposes.error();
    if (Status s = insert->BindAll(c.contact, c.flow_id, notice, consent.version, *purposes,
                                   ToUnixMillis(consent.granted));
        !s.ok()) {
      return s;
    }
    if (Status s = insert->Run(); !s.ok()) return s;
    insert->Reset();
  }
  return Status::Ok();
}

Status SqliteStore::AppendToLedger(const std::vector<ConsentDecision>& decisions) {
  if (decisions.empty()) return Status::Ok();
  // Read inside the write transaction (and this outcome's savepoint), so the chain continues
  // from what is really there, including entries of earlier outcomes of this batch.
  Result<Statement> last =
      db_.Query("SELECT sequence, hash FROM ledger ORDER BY sequence DESC LIMIT 1");
  if (!last) return last.error();
  Result<bool> found = last->Step();
  if (!found) return found.error();
  uint64_t sequence = *found ? static_cast<uint64_t>(last->ColumnInt64(0)) : 0;
  std::string previous_hash = *found ? last->ColumnText(1) : std::string(kGenesisHash);

  Result<Statement> insert = db_.Query(
      "INSERT INTO ledger (sequence, contact, flow_id, notice_id, notice_version, notice_sha256, "
      "purposes, decision, time, evidence, previous_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!insert) return insert.error();
  for (const ConsentDecision& decision : decisions) {
    const LedgerEntry e = MakeLedgerEntry(decision, ++sequence, previous_hash);
    Result<std::string> purposes = sqlite::EncodeStrings(e.purposes);
    if (!purposes) return purposes.error();
    if (Status s = insert->BindAll(e.sequence, e.contact, e.flow_id, e.notice_id, e.notice_version,
                                   e.notice_sha256, *purposes, DecisionName(e.decision),
                                   ToUnixMillis(e.time), e.evidence, e.previous_hash, e.hash);
        !s.ok()) {
      return s;
    }
    if (Status s = insert->Run(); !s.ok()) return s;
    insert->Reset();
    previous_hash = e.hash;
  }
  return Status::Ok();
}

Status SqliteStore::QueueOutbound(const std::vector<OutboundMessage>& outbound, Timestamp now) {
  if (outbound.empty()) return Status::Ok();
  Result<Statement> insert =
      db_.Query("INSERT INTO outbox (contact, message, queued) VALUES (?1, ?2, ?3)");
  if (!insert) return insert.error();
  for (const OutboundMessage& message : outbound) {
    Result<std::string> encoded = sqlite::EncodeOutboundMessage(message);
    if (!encoded) return encoded.error();
    if (Status s = insert->BindAll(message.contact, *encoded, ToUnixMillis(now)); !s.ok()) {
      return s;
    }
    if (Status s = insert->Run(); !s.ok()) return s;
    insert->Reset();
  }
  return Status::Ok();
}

Status SqliteStore::InsertIncident(const PrivacyIncident& incident) {
  return db_.Run(
      "INSERT INTO incidents (contact, flow_id, field, purpose, what, time) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      incident.contact, incident.flow_id, incident.field, incident.purpose, incident.what,
      ToUnixMillis(incident.time));
}

// ---- timers

Result<std::vector<TimerFired>> SqliteStore::DueTimers(Timestamp now, std::size_t limit) {
  std::lock_guard lock(mu_);
  // The WHERE repeats the partial index's condition word for word, so the index is used.
  Result<Statement> rows = db_.Query(
      "SELECT contact, timer_due FROM conversations WHERE timer <> 'none' AND timer_due <= ?1 "
      "ORDER BY timer_due, contact LIMIT ?2",
      ToUnixMillis(now), SqlLimit(limit));
  if (!rows) return rows.error();
  std::vector<TimerFired> due;
  if (Status s = rows->ForEachRow([&](const Statement& r) {
        due.push_back(TimerFired{r.ColumnText(0), FromUnixMillis(r.ColumnInt64(1))});
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  return due;
}

// ---- outbox

Result<std::vector<OutboxEntry>> SqliteStore::PendingOutbox(std::size_t limit) {
  std::lock_guard lock(mu_);
  Result<Statement> rows = db_.Query(
      "SELECT id, contact, message, queued FROM outbox WHERE sent_wamid IS NULL "
      "ORDER BY id LIMIT ?1",
      SqlLimit(limit));
  if (!rows) return rows.error();
  std::vector<OutboxEntry> pending;
  if (Status s = rows->ForEachRow([&](const Statement& r) {
        OutboxEntry entry;
        entry.id = static_cast<uint64_t>(r.ColumnInt64(0));
        entry.message.contact = r.ColumnText(1);
        if (Status s = sqlite::DecodeOutboundMessage(r.ColumnText(2), entry.message); !s.ok()) {
          return s;
        }
        entry.queued = FromUnixMillis(r.ColumnInt64(3));
        pending.push_back(std::move(entry));
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  return pending;
}

// The sent message's text is erased with the mark: it was rendered from field values, and a copy
// kept here would outlive their `keep` period and a withdrawal. Marking twice with the same
// WhatsApp id is a no-op (a retried call); with another id it is kConflict.
Status SqliteStore::MarkSent(uint64_t outbox_id, std::string_view whatsapp_message_id) {
  if (whatsapp_message_id.empty()) {
    return Status::InvalidArgument("sqlite: MarkSent needs the WhatsApp message id");
  }
  const Timestamp now = clock_.Now();
  std::lock_guard lock(mu_);
  if (Status s = db_.Run("UPDATE outbox SET sent_wamid = ?2, sent_at = ?3, message = NULL "
                         "WHERE id = ?1 AND sent_wamid IS NULL",
                         outbox_id, whatsapp_message_id, ToUnixMillis(now));
      !s.ok()) {
    return s;
  }
  if (db_.Changes() == 1) return Status::Ok();
  Result<Statement> row = db_.Query("SELECT sent_wamid FROM outbox WHERE id = ?1", outbox_id);
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  if (!*found) return Status::NotFound("sqlite: no outbox message " + std::to_string(outbox_id));
  if (row->ColumnText(0) == whatsapp_message_id) return Status::Ok();
  return Status::Conflict("sqlite: outbox message " + std::to_string(outbox_id) +
                          " was marked sent with another WhatsApp id");
}

// ---- retention

Result<std::size_t> SqliteStore::EraseExpiredFields(Timestamp now) {
  std::lock_guard lock(mu_);
  std::size_t erased = 0;
  {
    Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
    if (!tx) return tx.error();
    // Bump the revision of every conversation that loses a field: an engine that loaded it
    // before the sweep then gets kConflict on commit and reloads, instead of writing the
    // erased value back.
    // A handoff note was rendered from field values: it goes with them.
    if (Status s = db_.Run("UPDATE conversations SET revision = revision + 1, handoff_note = "
                           "CASE WHEN handoff_note IS NULL THEN NULL ELSE '' END WHERE contact IN "
                           "(SELECT contact FROM field_values WHERE expires <= ?1)",
                           ToUnixMillis(now));
        !s.ok()) {
      return s;
    }
    if (Status s = db_.Run("DELETE FROM field_values WHERE expires <= ?1", ToUnixMillis(now));
        !s.ok()) {
      return s;
    }
    erased = static_cast<std::size_t>(db_.Changes());
    if (Status s = tx->Commit(); !s.ok()) return s;
  }
  // The log still holds page images from before this erasure and of inbox texts erased since
  // the last checkpoint: copy the pages back and cut the log to zero, so the periodic sweep
  // bounds how long an erased text survives there. Best effort: the rows are already gone, and
  // a checkpoint blocked by another process's reader is repeated by the next sweep.
  (void)db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return erased;
}

// ---- ledger and incidents

Result<std::vector<LedgerEntry>> SqliteStore::ReadLedger(uint64_t from, std::size_t limit) {
  std::lock_guard lock(mu_);
  const int64_t first = static_cast<int64_t>(
      std::min<uint64_t>(from, static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
  Result<Statement> rows = db_.Query(
      "SELECT sequence, contact, flow_id, notice_id, notice_version, notice_sha256, purposes, "
      "decision, time, evidence, previous_hash, hash FROM ledger WHERE sequence >= ?1 "
      "ORDER BY sequence LIMIT ?2",
      first, SqlLimit(limit));
  if (!rows) return rows.error();
  std::vector<LedgerEntry> entries;
  if (Status s = rows->ForEachRow([&](const Statement& r) {
        LedgerEntry e;
        e.sequence = static_cast<uint64_t>(r.ColumnInt64(0));
        e.contact = r.ColumnText(1);
        e.flow_id = r.ColumnText(2);
        e.notice_id = r.ColumnText(3);
        e.notice_version = r.ColumnInt64(4);
        e.notice_sha256 = r.ColumnText(5);
        if (Status s = Unpack(sqlite::DecodeStrings(r.ColumnText(6)), e.purposes); !s.ok()) {
          return s;
        }
        if (Status s = Unpack(sqlite::ParseDecision(r.ColumnText(7)), e.decision); !s.ok()) {
          return s;
        }
        e.time = FromUnixMillis(r.ColumnInt64(8));
        e.evidence = r.ColumnText(9);
        e.previous_hash = r.ColumnText(10);
        e.hash = r.ColumnText(11);
        entries.push_back(std::move(e));
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  return entries;
}

// Oldest first, like the ledger.
Result<std::vector<PrivacyIncident>> SqliteStore::ReadIncidents(std::size_t limit) {
  std::lock_guard lock(mu_);
  Result<Statement> rows = db_.Query(
      "SELECT contact, flow_id, field, purpose, what, time FROM incidents ORDER BY id LIMIT ?1",
      SqlLimit(limit));
  if (!rows) return rows.error();
  std::vector<PrivacyIncident> incidents;
  if (Status s = rows->ForEachRow([&](const Statement& r) {
        incidents.push_back(PrivacyIncident{r.ColumnText(0), r.ColumnText(1), r.ColumnText(2),
                                            r.ColumnText(3), r.ColumnText(4),
                                            FromUnixMillis(r.ColumnInt64(5))});
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  return incidents;
}

// ---- handoff queues

Result<std::vector<QueuedHandoff>> SqliteStore::HandoffQueue(std::string_view queue) {
  std::lock_guard lock(mu_);
  Result<Statement> rows = db_.Query(
      "SELECT contact, flow_id, handoff_queue, handoff_priority, handoff_note, handoff_since "
      "FROM conversations WHERE phase = 'handoff' AND handoff_queue = ?1 "
      "ORDER BY handoff_priority DESC, handoff_since, contact",
      queue);
  if (!rows) return rows.error();
  std::vector<QueuedHandoff> waiting;
  if (Status s = rows->ForEachRow([&](const Statement& r) {
        QueuedHandoff entry;
        entry.contact = r.ColumnText(0);
        entry.flow_id = r.ColumnText(1);
        entry.ticket.queue = r.ColumnText(2);
        if (Status s = Unpack(sqlite::PriorityFromRank(r.ColumnInt64(3)), entry.ticket.priority);
            !s.ok()) {
          return s;
        }
        entry.ticket.note = r.ColumnText(4);
        entry.ticket.since = FromUnixMillis(r.ColumnInt64(5));
        waiting.push_back(std::move(entry));
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  return waiting;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  Result<sqlite::Db> db = sqlite::Db::Open(options.path);
  if (!db) return db.error();
  if (Status s = sqlite::ConfigureConnection(*db, options); !s.ok()) return s;
  if (Status s = sqlite::Migrate(*db); !s.ok()) return s;
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(*db)));
}

}  // namespace consentflow::engine
