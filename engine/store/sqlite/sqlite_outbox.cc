// SqliteStore's outbox: queueing replies and read receipts (inside Commit's transaction), handing
// them to a sender, recording what the Cloud API and the delivery statuses said, and the
// contact's 24-hour customer service window.

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/store/sqlite/sqlite_codec.h"
#include "engine/store/sqlite/sqlite_db.h"
#include "engine/store/sqlite/sqlite_store_impl.h"

namespace consentflow::engine::sqlite {
namespace {

constexpr std::array<OutboxState, 6> kStates = {OutboxState::kPending,   OutboxState::kAccepted,
                                                OutboxState::kSent,      OutboxState::kFailed,
                                                OutboxState::kDelivered, OutboxState::kRead};

Result<OutboxState> ParseOutboxState(std::string_view name) {
  for (OutboxState state : kStates) {
    if (name == OutboxStateName(state)) return state;
  }
  return Status::Internal("sqlite: an unknown outbox state in the database");
}

// An error text as stored: bounded, whatever the API sent.
std::string StoredErrorText(std::string_view text) {
  constexpr std::size_t kMaxErrorText = 200;
  return std::string(text.substr(0, kMaxErrorText));
}

// The columns every outbox read selects, in the order ReadEntry expects.
constexpr std::string_view kEntryColumns =
    "id, contact, kind, message, receipt_for, queued, state, attempts, next_attempt, error_code, "
    "error, sent_wamid, status_at";
constexpr int kEntryColumnCount = 13;

Status ReadEntry(const Statement& r, OutboxEntry& entry) {
  entry.id = static_cast<uint64_t>(r.ColumnInt64(0));
  entry.message.contact = r.ColumnText(1);
  const std::string kind = r.ColumnText(2);
  if (kind == "message") {
    entry.kind = OutboxEntry::Kind::kMessage;
    if (!r.ColumnIsNull(3)) {
      if (Status s = DecodeOutboundMessage(r.ColumnText(3), entry.message); !s.ok()) return s;
    }
  } else if (kind == "read_receipt") {
    entry.kind = OutboxEntry::Kind::kReadReceipt;
    entry.receipt_for = r.ColumnText(4);
  } else {
    return Status::Internal("sqlite: an unknown outbox kind in the database");
  }
  entry.queued = FromUnixMillis(r.ColumnInt64(5));
  if (Status s = Unpack(ParseOutboxState(r.ColumnText(6)), entry.state); !s.ok()) return s;
  entry.attempts = static_cast<uint32_t>(r.ColumnInt64(7));
  entry.next_attempt = FromUnixMillis(r.ColumnInt64(8));
  entry.error_code = static_cast<int>(r.ColumnInt64(9));
  entry.error = r.ColumnText(10);
  entry.whatsapp_id = r.ColumnText(11);
  entry.status_time.reset();
  if (!r.ColumnIsNull(12)) entry.status_time = FromUnixMillis(r.ColumnInt64(12));
  return Status::Ok();
}

template <typename... Args>
Result<std::vector<OutboxEntry>> ReadEntries(Db& db, const std::string& sql, const Args&... args) {
  Result<Statement> rows = db.Query(sql, args...);
  if (!rows) return rows.error();
  std::vector<OutboxEntry> entries;
  if (Status s = rows->ForEachRow([&](const Statement& r) {
        OutboxEntry entry;
        if (Status s = ReadEntry(r, entry); !s.ok()) return s;
        entries.push_back(std::move(entry));
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  return entries;
}

std::string Select(std::string_view rest) {
  return "SELECT " + std::string(kEntryColumns) + " FROM outbox " + std::string(rest);
}

}  // namespace

// ---- queueing (inside Commit's transaction)

Status SqliteStore::QueueOutbound(const std::vector<OutboundMessage>& outbound, Timestamp now) {
  if (outbound.empty()) return Status::Ok();
  Result<Statement> insert = db_.Query(
      "INSERT INTO outbox (contact, kind, message, queued, state, next_attempt) "
      "VALUES (?1, 'message', ?2, ?3, 'pending', 0)");
  if (!insert) return insert.error();
  for (const OutboundMessage& message : outbound) {
    Result<std::string> encoded = EncodeOutboundMessage(message);
    if (!encoded) return encoded.error();
    if (Status s = insert->BindAll(message.contact, *encoded, ToUnixMillis(now)); !s.ok()) {
      return s;
    }
    if (Status s = insert->Run(); !s.ok()) return s;
    insert->Reset();
  }
  return Status::Ok();
}

// ---- handing out

Result<std::vector<OutboxEntry>> SqliteStore::PendingOutbox(std::size_t limit) {
  std::lock_guard lock(mu_);
  static const std::string sql =
      Select("WHERE state = 'pending' AND kind = 'message' ORDER BY id LIMIT ?1");
  return ReadEntries(db_, sql, SqlLimit(limit));
}

Result<std::vector<OutboxEntry>> SqliteStore::ReadyOutbox(Timestamp now, const OutboxQuery& query) {
  std::lock_guard lock(mu_);
  // The "older" column keeps a contact's entries of one kind in order: only its oldest pending
  // message (and its oldest pending receipt) is ever ready, and only once its retry time has
  // come; or the one right after entries the caller passed (OutboxQuery::passed). It is the
  // nearest older pending entry of the lane (NULL: none), one step down the lane index.
  // Receipts and messages are two lanes, so a reply never waits for a read receipt.
  // One contact's entries come from the lane index; the others from the pending index, from
  // `after` on (so a look for what is new reads only that).
  constexpr std::string_view kReady =
      ", (SELECT older.id FROM outbox AS older WHERE older.state = 'pending' AND "
      "older.contact = o.contact AND older.kind = o.kind AND older.id < o.id "
      "ORDER BY older.id DESC LIMIT 1) "
      "FROM outbox AS o WHERE state = 'pending' AND next_attempt <= ?1 ";
  static const std::string columns = "SELECT " + std::string(kEntryColumns);
  static const std::string from = columns + std::string(kReady) + "AND o.id > ?2 ORDER BY o.id";
  static const std::string of_contact =
      columns + std::string(kReady) + "AND o.contact = ?2 ORDER BY o.id";
  constexpr int kOlder = kEntryColumnCount;
  Result<Statement> rows =
      query.contact.empty()
          ? db_.Query(from, ToUnixMillis(now), static_cast<int64_t>(std::min<uint64_t>(
                                                   query.after, std::numeric_limits<int64_t>::max())))
          : db_.Query(of_contact, ToUnixMillis(now), query.contact);
  if (!rows) return rows.error();
  std::vector<OutboxEntry> entries;
  while (entries.size() < query.limit) {
    Result<bool> row = rows->Step();
    if (!row) return row.error();
    if (!*row) break;
    // Neither what waits behind an older entry nor what the caller holds is decoded.
    const uint64_t older = static_cast<uint64_t>(rows->ColumnInt64(kOlder));  // 0: none
    if (older != 0 && query.passed.count(older) == 0) {
      if (query.waiting != nullptr) query.waiting->insert(rows->ColumnText(1));
      continue;
    }
    if (query.held.count(static_cast<uint64_t>(rows->ColumnInt64(0))) != 0) continue;
    OutboxEntry entry;
    if (Status s = ReadEntry(*rows, entry); !s.ok()) return s;
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<OutboxEntry> SqliteStore::LookupOutbox(uint64_t outbox_id) {
  std::lock_guard lock(mu_);
  Result<std::optional<OutboxEntry>> entry = FindEntry(outbox_id);
  if (!entry) return entry.error();
  if (!*entry) return Status::NotFound("sqlite: no outbox entry " + std::to_string(outbox_id));
  return std::move(**entry);
}

// ---- what the API said

// The sent message's text is erased with the mark: it was rendered from field values, and a copy
// kept here would outlive their `keep` period and a withdrawal.
Status SqliteStore::MarkSent(uint64_t outbox_id, std::string_view whatsapp_message_id) {
  const Timestamp now = clock_.Now();
  std::lock_guard lock(mu_);
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  if (Status s = MarkSentLocked(outbox_id, whatsapp_message_id, now, /*early_statuses=*/true);
      !s.ok()) {
    return s;
  }
  return tx->Commit();
}

Result<std::vector<Status>> SqliteStore::MarkSentAll(
    const std::vector<std::pair<uint64_t, std::string>>& accepted) {
  const Timestamp now = clock_.Now();
  std::lock_guard lock(mu_);
  std::vector<Status> statuses;
  if (accepted.empty()) return statuses;
  // No sync of its own: in WAL mode a commit at synchronous=NORMAL survives a crash of the
  // process and is made durable by the next sync; only a power cut in between can lose it, and
  // then the reply goes out once more, which the sender allows anyway (the Graph API has no
  // idempotency key). The sender's records then cost no fsync each.
  RelaxedSync relaxed(*this, Durability::kDeferred);
  if (!relaxed.status().ok()) return relaxed.status();
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  // Statuses seldom come before their send is recorded: when none waits, no entry looks.
  Result<std::string> any_early = db_.QueryText("SELECT EXISTS (SELECT 1 FROM early_statuses)");
  if (!any_early) return any_early.error();
  const bool early = *any_early != "0";
  for (const auto& [id, wamid] : accepted) statuses.push_back(MarkSentLocked(id, wamid, now, early));
  if (Status committed = tx->Commit(); !committed.ok()) return committed;
  return statuses;
}

Status SqliteStore::MarkSentLocked(uint64_t outbox_id, std::string_view whatsapp_message_id,
                                   Timestamp now, bool early_statuses) {
  // The usual case in one statement: a pending message, with the id WhatsApp gave it. Anything
  // else (a read receipt, an entry marked before, a missing id) is sorted out below.
  if (!whatsapp_message_id.empty()) {
    if (Status s = db_.Run(
            "UPDATE outbox SET state = 'accepted', sent_wamid = ?2, sent_at = ?3, status_at = ?3, "
            "message = NULL WHERE id = ?1 AND state = 'pending' AND kind <> 'read_receipt'",
            outbox_id, whatsapp_message_id, ToUnixMillis(now));
        !s.ok()) {
      return s;
    }
    if (db_.Changes() == 1) {
      if (!early_statuses) return Status::Ok();
      return ApplyEarlyStatuses(static_cast<int64_t>(outbox_id), whatsapp_message_id);
    }
  }
  // Only what the checks need: the message itself is not decoded.
  static const std::string sql = "SELECT kind, state, sent_wamid FROM outbox WHERE id = ?1";
  Result<Statement> row = db_.Query(sql, outbox_id);
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  if (!*found) return Status::NotFound("sqlite: no outbox entry " + std::to_string(outbox_id));
  OutboxEntry e;
  e.kind = row->ColumnText(0) == "read_receipt" ? OutboxEntry::Kind::kReadReceipt
                                                 : OutboxEntry::Kind::kMessage;
  if (Status s = Unpack(ParseOutboxState(row->ColumnText(1)), e.state); !s.ok()) return s;
  e.whatsapp_id = row->ColumnText(2);
  row->Reset();
  const bool receipt = e.kind == OutboxEntry::Kind::kReadReceipt;
  if (!receipt && whatsapp_message_id.empty()) {
    return Status::InvalidArgument("sqlite: MarkSent needs the WhatsApp message id");
  }
  if (e.state != OutboxState::kPending) {
    // Accepted before (a failed status may have come since): the same id again is a retried call.
    const bool accepted = e.state != OutboxState::kFailed || !e.whatsapp_id.empty();
    if (accepted && e.whatsapp_id == whatsapp_message_id) return Status::Ok();
    return Status::Conflict("sqlite: outbox entry " + std::to_string(outbox_id) +
                            " was already marked " + OutboxStateName(e.state) +
                            (e.whatsapp_id.empty() ? "" : " with another WhatsApp id"));
  }
  // Pending, and not taken above: a read receipt (a message with its id was), which keeps no id.
  return db_.Run(
      "UPDATE outbox SET state = 'accepted', sent_wamid = NULL, sent_at = ?2, status_at = ?2, "
      "message = NULL WHERE id = ?1 AND state = 'pending'",
      outbox_id, ToUnixMillis(now));
}

Status SqliteStore::MarkRetry(uint64_t outbox_id, Timestamp next_attempt, const SendError& error) {
  std::lock_guard lock(mu_);
  if (Status s = db_.Run(
          "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?2, error_code = ?3, "
          "error = ?4 WHERE id = ?1 AND state = 'pending'",
          outbox_id, ToUnixMillis(next_attempt), error.code, StoredErrorText(error.text));
      !s.ok()) {
    return s;
  }
  if (db_.Changes() == 1) return Status::Ok();
  Result<std::optional<OutboxEntry>> entry = FindEntry(outbox_id);
  if (!entry) return entry.error();
  if (!*entry) return Status::NotFound("sqlite: no outbox entry " + std::to_string(outbox_id));
  return Status::FailedPrecondition("sqlite: outbox entry " + std::to_string(outbox_id) +
                                    " is no longer pending");
}

Status SqliteStore::MarkFailed(uint64_t outbox_id, const SendError& error, Timestamp at) {
  std::lock_guard lock(mu_);
  Result<std::optional<OutboxEntry>> entry = FindEntry(outbox_id);
  if (!entry) return entry.error();
  if (!*entry) return Status::NotFound("sqlite: no outbox entry " + std::to_string(outbox_id));
  if ((*entry)->state == OutboxState::kFailed) return Status::Ok();
  if ((*entry)->state != OutboxState::kPending) {
    return Status::FailedPrecondition("sqlite: outbox entry " + std::to_string(outbox_id) +
                                      " was accepted already");
  }
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  if (Status s = db_.Run(
          "UPDATE outbox SET state = 'failed', message = NULL, error_code = ?2, error = ?3, "
          "status_at = ?4 WHERE id = ?1 AND state = 'pending'",
          outbox_id, error.code, StoredErrorText(error.text), ToUnixMillis(at));
      !s.ok()) {
    return s;
  }
  if (IsOutsideWindowError(error.code)) {
    if (Status s = CloseWindow((*entry)->message.contact, at); !s.ok()) return s;
  }
  return tx->Commit();
}

Result<bool> SqliteStore::RecordDelivery(const DeliveryReport& report, Durability durability) {
  const OutboxState to = report.state;
  if (to != OutboxState::kSent && to != OutboxState::kDelivered && to != OutboxState::kRead &&
      to != OutboxState::kFailed) {
    return Status::InvalidArgument("sqlite: a delivery status is sent, delivered, read or failed");
  }
  if (report.whatsapp_id.empty()) {
    return Status::NotFound("sqlite: no outbox message has that WhatsApp id");
  }
  const Timestamp now = clock_.Now();
  std::lock_guard lock(mu_);
  RelaxedSync relaxed(*this, durability);
  if (!relaxed.status().ok()) return relaxed.status();
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  Result<Statement> row =
      db_.Query("SELECT id FROM outbox WHERE sent_wamid = ?1 AND kind = 'message'",
                report.whatsapp_id);
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  if (!*found) {
    row->Reset();
    // Perhaps its send is not recorded yet: kept for MarkSent, which applies it.
    if (Status s = db_.Run(
            "INSERT INTO early_statuses (wamid, state, time, error_code, error, received) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (wamid, state) DO NOTHING",
            report.whatsapp_id, OutboxStateName(to), ToUnixMillis(report.time),
            to == OutboxState::kFailed ? std::optional<int64_t>(report.error.code) : std::nullopt,
            to == OutboxState::kFailed ? std::optional<std::string>(StoredErrorText(report.error.text))
                                       : std::nullopt,
            ToUnixMillis(now));
        !s.ok()) {
      return s;
    }
    if (Status s = tx->Commit(); !s.ok()) return s;
    return Status::NotFound("sqlite: no outbox message has that WhatsApp id (kept for a day, "
                            "in case its send is recorded later)");
  }
  const int64_t id = row->ColumnInt64(0);
  row->Reset();
  Result<bool> moved = ApplyStatus(id, report);
  if (!moved) return moved.error();
  if (Status s = tx->Commit(); !s.ok()) return s;
  return *moved;
}

// REQUIRES: mu_ is held, in a write transaction. Moves outbox message `id` to `report.state` if
// that is forward; true when it did.
Result<bool> SqliteStore::ApplyStatus(int64_t id, const DeliveryReport& report) {
  Result<Statement> row = db_.Query("SELECT contact, state FROM outbox WHERE id = ?1", id);
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  if (!*found) return Status::NotFound("sqlite: no outbox entry " + std::to_string(id));
  const std::string contact = row->ColumnText(0);
  OutboxState from = OutboxState::kPending;
  if (Status s = Unpack(ParseOutboxState(row->ColumnText(1)), from); !s.ok()) return s;
  row->Reset();
  const OutboxState to = report.state;
  if (to <= from) return false;  // a duplicate, or overtaken by a later status
  std::optional<int64_t> code;
  std::optional<std::string> text;
  if (to == OutboxState::kFailed) {
    code = report.error.code;
    text = StoredErrorText(report.error.text);
  }
  if (Status s = db_.Run(
          "UPDATE outbox SET state = ?2, status_at = ?3, error_code = COALESCE(?4, error_code), "
          "error = COALESCE(?5, error) WHERE id = ?1",
          id, OutboxStateName(to), ToUnixMillis(report.time), code, text);
      !s.ok()) {
    return s;
  }
  if (to == OutboxState::kFailed && IsOutsideWindowError(report.error.code)) {
    if (Status s = CloseWindow(contact, report.time); !s.ok()) return s;
  }
  return true;
}

// REQUIRES: mu_ is held, in a write transaction. Applies the statuses that came for `wamid`
// before its send was recorded (in the order of progress, so the furthest wins), then drops them.
Status SqliteStore::ApplyEarlyStatuses(int64_t id, std::string_view wamid) {
  std::vector<DeliveryReport> early;
  Result<Statement> rows = db_.Query(
      "SELECT state, time, error_code, error FROM early_statuses WHERE wamid = ?1", wamid);
  if (!rows) return rows.error();
  if (Status s = rows->ForEachRow([&](const Statement& r) {
        DeliveryReport report;
        report.whatsapp_id = std::string(wamid);
        if (Status p = Unpack(ParseOutboxState(r.ColumnText(0)), report.state); !p.ok()) return p;
        report.time = FromUnixMillis(r.ColumnInt64(1));
        if (!r.ColumnIsNull(2)) report.error.code = static_cast<int>(r.ColumnInt64(2));
        if (!r.ColumnIsNull(3)) report.error.text = r.ColumnText(3);
        early.push_back(std::move(report));
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  if (early.empty()) return Status::Ok();
  std::sort(early.begin(), early.end(),
            [](const DeliveryReport& a, const DeliveryReport& b) { return a.state < b.state; });
  for (const DeliveryReport& report : early) {
    if (Result<bool> moved = ApplyStatus(id, report); !moved) return moved.error();
  }
  return db_.Run("DELETE FROM early_statuses WHERE wamid = ?1", wamid);
}

// ---- the 24-hour window

// Keeps the latest closing: an older failure reported late must not move it back.
Status SqliteStore::CloseWindow(std::string_view contact, Timestamp at) {
  return db_.Run(
      "INSERT INTO closed_windows (contact, closed_at) VALUES (?1, ?2) ON CONFLICT (contact) "
      "DO UPDATE SET closed_at = MAX(closed_at, excluded.closed_at)",
      contact, ToUnixMillis(at));
}

Result<ServiceWindow> SqliteStore::ServiceWindowOf(std::string_view contact) {
  std::lock_guard lock(mu_);
  return ReadWindow(contact);
}

Result<std::vector<ServiceWindow>> SqliteStore::ServiceWindowsOf(
    const std::vector<std::string>& contacts) {
  std::lock_guard lock(mu_);
  // One read transaction for all: each statement outside one is a transaction of its own, and
  // beginning and ending a read on a WAL database (its shared-memory locks) cost more than the
  // lookup itself.
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kDeferred);
  if (!tx) return tx.error();
  std::vector<ServiceWindow> windows;
  windows.reserve(contacts.size());
  for (const std::string& contact : contacts) {
    Result<ServiceWindow> window = ReadWindow(contact);
    if (!window) return window.error();
    windows.push_back(std::move(*window));
  }
  if (Status s = tx->Commit(); !s.ok()) return s;
  return windows;
}

// REQUIRES: mu_ is held.
Result<ServiceWindow> SqliteStore::ReadWindow(std::string_view contact) {
  // The latest message by the time WhatsApp stamped, and the number it went to: of those
  // processed, the one the conversation keeps; of those waiting in the inbox, the latest.
  Result<Statement> row = db_.Query(
      "SELECT c.last_inbound, c.last_inbound_number, p.sent, p.business_number, "
      "(SELECT closed_at FROM closed_windows WHERE contact = ?1) FROM (SELECT 1) "
      "LEFT JOIN (SELECT last_inbound, last_inbound_number FROM conversations "
      "WHERE contact = ?1) AS c "
      "LEFT JOIN (SELECT sent, business_number FROM inbox WHERE contact = ?1 AND processed = 0 "
      "ORDER BY sent DESC, seq DESC LIMIT 1) AS p",
      contact);
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  ServiceWindow window;
  if (*found) {
    for (int column : {0, 2}) {  // processed, then waiting: on a tie, the later arrival
      if (row->ColumnIsNull(column)) continue;
      const Timestamp sent = FromUnixMillis(row->ColumnInt64(column));
      if (window.last_inbound && sent < *window.last_inbound) continue;
      window.last_inbound = sent;
      window.business_number = row->ColumnIsNull(column + 1) ? "" : row->ColumnText(column + 1);
    }
    if (!row->ColumnIsNull(4)) window.closed_at = FromUnixMillis(row->ColumnInt64(4));
  }
  row->Reset();
  return window;
}

// ---- metrics

Result<OutboxBacklog> SqliteStore::Backlog() {
  std::lock_guard lock(mu_);
  Result<Statement> row =
      db_.Query("SELECT COUNT(*), MIN(queued) FROM outbox WHERE state = 'pending'");
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  OutboxBacklog backlog;
  if (*found) {
    backlog.pending = static_cast<std::size_t>(row->ColumnInt64(0));
    if (!row->ColumnIsNull(1)) backlog.oldest = FromUnixMillis(row->ColumnInt64(1));
  }
  row->Reset();
  return backlog;
}

// REQUIRES: mu_ is held.
Result<std::optional<OutboxEntry>> SqliteStore::FindEntry(uint64_t outbox_id) {
  static const std::string sql = Select("WHERE id = ?1");
  Result<std::vector<OutboxEntry>> found = ReadEntries(db_, sql, outbox_id);
  if (!found) return found.error();
  if (found->empty()) return std::optional<OutboxEntry>();
  return std::optional<OutboxEntry>(std::move(found->front()));
}

}  // namespace consentflow::engine::sqlite
