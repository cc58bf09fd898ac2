#include "engine/store/sqlite/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/store/sqlite/sqlite_codec.h"
#include "engine/store/sqlite/sqlite_db.h"
#include "engine/store/sqlite/sqlite_schema.h"
#include "engine/store/sqlite/sqlite_store_impl.h"

namespace consentflow::engine {
namespace sqlite {
namespace {

constexpr Duration kLongestClaim = std::chrono::hours(24);

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

}  // namespace

// ---- inbox

Result<bool> SqliteStore::Enqueue(const InboundMessage& message) {
  std::lock_guard lock(mu_);
  return InsertIntoInbox(message);
}

Result<std::vector<bool>> SqliteStore::EnqueueAll(const std::vector<InboundMessage>& messages,
                                                  Durability durability) {
  std::lock_guard lock(mu_);
  std::vector<bool> fresh;
  fresh.reserve(messages.size());
  RelaxedSync relaxed(*this, durability);
  if (!relaxed.status().ok()) return relaxed.status();
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
      "INSERT INTO inbox (message_id, contact, sent, payload, business_number) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (message_id) DO NOTHING",
      message.id, message.contact, ToUnixMillis(message.time), *payload, message.business_number);
  if (!status.ok()) return status;
  return db_.Changes() == 1;
}

Result<bool> SqliteStore::HasPending() {
  std::lock_guard lock(mu_);
  // From the inbox_pending index (partial: only unprocessed rows), so it reads a page or two.
  Result<Statement> row =
      db_.Query("SELECT EXISTS (SELECT 1 FROM inbox WHERE processed = 0 ORDER BY sent, seq)");
  if (!row) return row.error();
  Result<bool> stepped = row->Step();
  if (!stepped) return stepped.error();
  return *stepped && row->ColumnInt64(0) != 0;
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

Result<std::vector<std::string>> SqliteStore::FlowsHoldingData(std::string_view contact) {
  std::lock_guard lock(mu_);
  Result<Statement> rows = db_.Query(
      "SELECT flow_id FROM consents WHERE contact = ?1 UNION "
      "SELECT flow_id FROM field_values WHERE contact = ?1 ORDER BY 1",
      contact);
  if (!rows) return rows.error();
  std::vector<std::string> flows;
  if (Status s = rows->ForEachRow([&](const Statement& r) {
        flows.push_back(r.ColumnText(0));
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  return flows;
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

Result<std::size_t> SqliteStore::PruneHistory(Timestamp now, const HistoryRetention& keep) {
  std::lock_guard lock(mu_);
  std::size_t pruned = 0;
  {
    Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
    if (!tx) return tx.error();
    // Rows are in arrival order and their times rise with it, so each prune reads only what
    // it deletes: up to the first row young enough to stay. The inbox keeps at least a day,
    // because the 24-hour window is read from each contact's latest message; a pending message
    // stays whatever its age (it still has work to do).
    const Duration ids = std::max<Duration>(keep.message_ids, std::chrono::hours(24));
    if (Status s = db_.Run(
            "DELETE FROM inbox WHERE processed = 1 AND seq < COALESCE("
            "(SELECT seq FROM inbox WHERE sent >= ?1 ORDER BY seq LIMIT 1), "
            "(SELECT MAX(seq) + 1 FROM inbox))",
            ToUnixMillis(now - ids));
        !s.ok()) {
      return s;
    }
    pruned += static_cast<std::size_t>(db_.Changes());
    // Pending entries stay whatever their age: they are still to be sent or retried.
    if (Status s = db_.Run(
            "DELETE FROM outbox WHERE state <> 'pending' AND id < COALESCE("
            "(SELECT id FROM outbox WHERE queued >= ?1 ORDER BY id LIMIT 1), "
            "(SELECT MAX(id) + 1 FROM outbox))",
            ToUnixMillis(now - keep.sent_messages));
        !s.ok()) {
      return s;
    }
    pruned += static_cast<std::size_t>(db_.Changes());
    if (Status s = db_.Run("DELETE FROM incidents WHERE time < ?1",
                           ToUnixMillis(now - keep.incidents));
        !s.ok()) {
      return s;
    }
    pruned += static_cast<std::size_t>(db_.Changes());
    // Statuses that never found their message (another tool's sends on the same number).
    if (Status s = db_.Run("DELETE FROM early_statuses WHERE received < ?1",
                           ToUnixMillis(now - std::chrono::hours(24)));
        !s.ok()) {
      return s;
    }
    pruned += static_cast<std::size_t>(db_.Changes());
    // A window closed over 24 hours ago is closed by its age alone: any message since reopened
    // it, and without one the window has passed anyway.
    if (Status s = db_.Run("DELETE FROM closed_windows WHERE closed_at < ?1",
                           ToUnixMillis(now - std::chrono::hours(24)));
        !s.ok()) {
      return s;
    }
    pruned += static_cast<std::size_t>(db_.Changes());
    if (Status s = tx->Commit(); !s.ok()) return s;
  }
  return pruned;
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

}  // namespace sqlite

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  return OpenSqliteStore(options, "");
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options, const std::string& vfs) {
  Result<sqlite::Db> db = sqlite::Db::Open(options.path, vfs);
  if (!db) return db.error();
  if (Status s = sqlite::ConfigureConnection(*db, options); !s.ok()) return s;
  if (Status s = sqlite::Migrate(*db); !s.ok()) return s;
  return std::unique_ptr<Store>(std::make_unique<sqlite::SqliteStore>(std::move(*db), options.durable));
}

}  // namespace consentflow::engine
