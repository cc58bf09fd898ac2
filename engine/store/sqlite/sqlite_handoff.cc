// SqliteStore: handoff tickets and their transcripts (docs/handoff.md). Commit opens and closes
// tickets through ApplyHandoff(); agents claim them here atomically and move them with the
// revision check.

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/store/sqlite/sqlite_codec.h"
#include "engine/store/sqlite/sqlite_db.h"
#include "engine/store/sqlite/sqlite_store_impl.h"

namespace consentflow::engine::sqlite {
namespace {

using handoff::Ticket;
using handoff::TicketState;
using handoff::TranscriptEntry;

// The columns every ticket query selects, in the order ReadTicket() reads them.
#define CF_TICKET_COLUMNS                                                                     \
  "id, contact, flow_id, queue, priority, note, since, state, agent, claimed_at, closed_at, " \
  "outcome, purposes, revision"

std::optional<Timestamp> OptionalTime(const Statement& row, int column) {
  if (row.ColumnIsNull(column)) return std::nullopt;
  return FromUnixMillis(row.ColumnInt64(column));
}

Result<Ticket> ReadTicket(const Statement& row) {
  Ticket t;
  t.id = static_cast<uint64_t>(row.ColumnInt64(0));
  t.contact = row.ColumnText(1);
  t.flow_id = row.ColumnText(2);
  t.queue = row.ColumnText(3);
  if (Status s = Unpack(PriorityFromRank(row.ColumnInt64(4)), t.priority); !s.ok()) return s;
  t.note = row.ColumnText(5);
  t.since = FromUnixMillis(row.ColumnInt64(6));
  const std::optional<TicketState> state = handoff::ParseTicketState(row.ColumnText(7));
  if (!state) return Status::Internal("sqlite: a ticket has an unknown state");
  t.state = *state;
  t.agent = row.ColumnText(8);
  t.claimed_at = OptionalTime(row, 9);
  t.closed_at = OptionalTime(row, 10);
  t.outcome = row.ColumnText(11);
  if (Status s = Unpack(DecodeStrings(row.ColumnText(12)), t.consented_purposes); !s.ok()) return s;
  t.revision = static_cast<uint64_t>(row.ColumnInt64(13));
  return t;
}

// Reads the one row `statement` returns, if any, and finishes the statement.
Result<std::optional<Ticket>> OneTicket(Statement& statement) {
  Result<bool> row = statement.Step();
  if (!row) return row.error();
  if (!*row) return std::optional<Ticket>();
  Result<Ticket> ticket = ReadTicket(statement);
  if (!ticket) return ticket.error();
  if (Status s = statement.Run(); !s.ok()) return s;
  return std::optional<Ticket>(std::move(*ticket));
}

// Every purpose the conversation's consents grant, sorted, once each.
std::vector<std::string> ConsentedPurposes(const Conversation& c) {
  std::set<std::string> purposes;
  for (const auto& [notice, consent] : c.consents) {
    purposes.insert(consent.purposes.begin(), consent.purposes.end());
  }
  return {purposes.begin(), purposes.end()};
}

}  // namespace

// ---- from Commit (in the outcome's savepoint, mu_ held)

Status SqliteStore::ApplyHandoff(const EventOutcome& outcome) {
  const HandoffUpdate& update = outcome.handoff;
  const Conversation& c = outcome.conversation;
  if (!update.close_outcome.empty()) {
    if (Status s = db_.Run(
            "UPDATE tickets SET state = 'closed', agent = NULL, claimed_at = NULL, closed_at = ?2, "
            "outcome = ?3, keep_until = ?4, revision = revision + 1 "
            "WHERE contact = ?1 AND state <> 'closed'",
            c.contact, ToUnixMillis(update.time), update.close_outcome,
            ToUnixMillis(update.keep_until));
        !s.ok()) {
      return s;
    }
  }
  if (update.open && c.handoff) {
    Result<std::string> purposes = EncodeStrings(ConsentedPurposes(c));
    if (!purposes) return purposes.error();
    // DO NOTHING: a ticket that is open already (made by migration 3 for a chat handed off
    // before it) is the same chat.
    if (Status s = db_.Run(
            "INSERT INTO tickets (contact, flow_id, queue, priority, note, since, state, purposes) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'waiting', ?7) "
            "ON CONFLICT (contact) WHERE state <> 'closed' DO NOTHING",
            c.contact, c.flow_id, c.handoff->queue, PriorityRank(c.handoff->priority),
            c.handoff->note, ToUnixMillis(c.handoff->since), *purposes);
        !s.ok()) {
      return s;
    }
  }
  for (const TranscriptEntry& entry : update.transcript) {
    if (Status s = db_.Run(
            "INSERT INTO transcripts (ticket_id, author, kind, text, time, expires, message_id) "
            "SELECT id, 'customer', ?2, ?3, ?4, ?5, ?6 FROM tickets "
            "WHERE contact = ?1 AND state <> 'closed'",
            c.contact, entry.kind, entry.text, ToUnixMillis(entry.time),
            ToUnixMillis(entry.expires), entry.message_id);
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

// ---- tickets

Result<std::vector<Ticket>> SqliteStore::OpenTickets(std::string_view queue) {
  std::lock_guard lock(mu_);
  Result<Statement> rows =
      db_.Query("SELECT " CF_TICKET_COLUMNS
                " FROM tickets WHERE state <> 'closed' AND (?1 = '' OR queue = ?1) "
                "ORDER BY priority DESC, since, id",
                queue);
  if (!rows) return rows.error();
  std::vector<Ticket> tickets;
  if (Status s = rows->ForEachRow([&](const Statement& row) {
        Result<Ticket> ticket = ReadTicket(row);
        if (!ticket) return ticket.error();
        tickets.push_back(std::move(*ticket));
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  return tickets;
}

Result<std::optional<Ticket>> SqliteStore::TicketLocked(uint64_t ticket_id) {
  Result<Statement> row =
      db_.Query("SELECT " CF_TICKET_COLUMNS " FROM tickets WHERE id = ?1", ticket_id);
  if (!row) return row.error();
  return OneTicket(*row);
}

Result<Ticket> SqliteStore::FindTicket(uint64_t ticket_id) {
  std::lock_guard lock(mu_);
  Result<std::optional<Ticket>> ticket = TicketLocked(ticket_id);
  if (!ticket) return ticket.error();
  if (!*ticket) return Status::NotFound("no such ticket");
  return std::move(**ticket);
}

Result<std::optional<Ticket>> SqliteStore::ContactTicket(std::string_view contact, bool open) {
  std::lock_guard lock(mu_);
  // The open one through tickets_open_contact; a closed one by scanning the contact's tickets
  // (kept for the transcript retention only).
  Result<Statement> row =
      open ? db_.Query("SELECT " CF_TICKET_COLUMNS
                       " FROM tickets WHERE contact = ?1 AND state <> 'closed'",
                       contact)
           : db_.Query("SELECT " CF_TICKET_COLUMNS
                       " FROM tickets WHERE contact = ?1 AND state = 'closed' "
                       "ORDER BY closed_at DESC, id DESC LIMIT 1",
                       contact);
  if (!row) return row.error();
  return OneTicket(*row);
}

// One statement decides: of concurrent claims (from this connection or any other), SQLite's
// single writer runs them one after the other, and only the first still finds 'waiting'.
Result<Ticket> SqliteStore::ClaimTicket(uint64_t ticket_id, std::string_view agent, Timestamp now) {
  std::lock_guard lock(mu_);
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  Result<Statement> claim = db_.Query(
      "UPDATE tickets SET state = 'claimed', agent = ?2, claimed_at = ?3, revision = revision + 1 "
      "WHERE id = ?1 AND state = 'waiting' RETURNING " CF_TICKET_COLUMNS,
      ticket_id, agent, ToUnixMillis(now));
  if (!claim) return claim.error();
  Result<std::optional<Ticket>> claimed = OneTicket(*claim);
  if (!claimed) return claimed.error();
  if (!*claimed) {
    Result<std::optional<Ticket>> existing = TicketLocked(ticket_id);
    if (!existing) return existing.error();
    if (!*existing) return Status::NotFound("no such ticket");
    return Status::Conflict((*existing)->state == TicketState::kClosed
                                ? "the ticket is closed"
                                : "another agent claimed the ticket first");
  }
  Result<uint64_t> audited =
      InsertAudit({0, now, std::string(agent), "claim", ticket_id, (*claimed)->contact, ""});
  if (!audited) return audited.error();
  if (Status s = tx->Commit(); !s.ok()) return s;
  return std::move(**claimed);
}

Result<Ticket> SqliteStore::UpdateTicket(const Ticket& t, const handoff::AuditEntry& audit) {
  if (!t.open())
    return Status::InvalidArgument("tickets are closed by the engine, not saved closed");
  std::lock_guard lock(mu_);
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  std::optional<std::string> agent;
  std::optional<int64_t> claimed_at;
  if (t.state == TicketState::kClaimed) {
    agent = t.agent;
    claimed_at = ToUnixMillis(t.claimed_at.value_or(Timestamp{}));
  }
  Result<Statement> update = db_.Query(
      "UPDATE tickets SET queue = ?2, state = ?3, agent = ?4, claimed_at = ?5, "
      "revision = revision + 1 WHERE id = ?1 AND revision = ?6 AND state <> 'closed' "
      "RETURNING " CF_TICKET_COLUMNS,
      t.id, t.queue, handoff::TicketStateName(t.state), agent, claimed_at, t.revision);
  if (!update) return update.error();
  Result<std::optional<Ticket>> saved = OneTicket(*update);
  if (!saved) return saved.error();
  if (!*saved) {
    Result<std::optional<Ticket>> existing = TicketLocked(t.id);
    if (!existing) return existing.error();
    if (!*existing) return Status::NotFound("no such ticket");
    return Status::Conflict("the ticket changed meanwhile; reload it");
  }
  handoff::AuditEntry entry = audit;
  entry.ticket_id = t.id;
  entry.contact = (*saved)->contact;
  if (Result<uint64_t> audited = InsertAudit(entry); !audited) return audited.error();
  if (Status s = tx->Commit(); !s.ok()) return s;
  return std::move(**saved);
}

// ---- transcripts

Result<std::vector<TranscriptEntry>> SqliteStore::Transcript(uint64_t ticket_id) {
  std::lock_guard lock(mu_);
  Result<Statement> rows = db_.Query(
      "SELECT t.id, t.ticket_id, t.author, t.agent, t.kind, t.text, t.time, t.expires, "
      "t.message_id, t.outbox_id, o.state FROM transcripts t LEFT JOIN outbox o ON o.id = "
      "t.outbox_id "
      "WHERE t.ticket_id = ?1 ORDER BY t.id",
      ticket_id);
  if (!rows) return rows.error();
  std::vector<TranscriptEntry> entries;
  if (Status s = rows->ForEachRow([&](const Statement& row) {
        TranscriptEntry e;
        e.id = static_cast<uint64_t>(row.ColumnInt64(0));
        e.ticket_id = static_cast<uint64_t>(row.ColumnInt64(1));
        e.author = row.ColumnText(2) == "agent" ? TranscriptEntry::Author::kAgent
                                                : TranscriptEntry::Author::kCustomer;
        e.agent = row.ColumnText(3);
        e.kind = row.ColumnText(4);
        e.text = row.ColumnText(5);
        e.time = FromUnixMillis(row.ColumnInt64(6));
        e.expires = FromUnixMillis(row.ColumnInt64(7));
        e.message_id = row.ColumnText(8);
        if (!row.ColumnIsNull(9)) {
          e.outbox_id = static_cast<uint64_t>(row.ColumnInt64(9));
          e.delivery = row.ColumnIsNull(10) ? "pending" : row.ColumnText(10);
        }
        entries.push_back(std::move(e));
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  return entries;
}

Result<TranscriptEntry> SqliteStore::QueueAgentReply(uint64_t ticket_id,
                                                     const OutboundMessage& message,
                                                     TranscriptEntry entry) {
  std::lock_guard lock(mu_);
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  Result<std::optional<Ticket>> ticket = TicketLocked(ticket_id);
  if (!ticket) return ticket.error();
  if (!*ticket) return Status::NotFound("no such ticket");
  const Ticket& t = **ticket;
  if (t.state != TicketState::kClaimed || t.agent != entry.agent) {
    return Status::Conflict("the ticket is not claimed by " + entry.agent);
  }
  // The contact's 24-hour window, as ServiceWindowOf() reads it, inside this transaction. A
  // template is what reaches a contact outside it.
  const bool is_template = message.kind == OutboundMessage::Kind::kTemplate;
  Result<ServiceWindow> window = ReadWindow(t.contact);
  if (!window) return window.error();
  if (!is_template && !window->OpenAt(entry.time)) {
    return Status::FailedPrecondition(
        "the contact's 24-hour window has passed; only a template can reach them");
  }
  OutboundMessage reply = message;
  reply.contact = t.contact;
  if (Status s = QueueOutbound({reply}, entry.time); !s.ok()) return s;
  const uint64_t outbox_id = static_cast<uint64_t>(db_.LastInsertRowid());
  entry.author = TranscriptEntry::Author::kAgent;
  entry.ticket_id = ticket_id;
  entry.outbox_id = outbox_id;
  entry.delivery = OutboxStateName(OutboxState::kPending);
  if (entry.kind.empty()) entry.kind = is_template ? "template" : "text";
  if (Status s = db_.Run("INSERT INTO transcripts (ticket_id, author, agent, kind, text, time, "
                         "expires, outbox_id) "
                         "VALUES (?1, 'agent', ?2, ?3, ?4, ?5, ?6, ?7)",
                         ticket_id, entry.agent, entry.kind, entry.text, ToUnixMillis(entry.time),
                         ToUnixMillis(entry.expires), outbox_id);
      !s.ok()) {
    return s;
  }
  entry.id = static_cast<uint64_t>(db_.LastInsertRowid());
  Result<uint64_t> audited =
      InsertAudit({0, entry.time, entry.agent, "reply", ticket_id, t.contact,
                   is_template ? "template=" + message.template_name : ""});
  if (!audited) return audited.error();
  if (Status s = tx->Commit(); !s.ok()) return s;
  return entry;
}

// ---- retention

Result<std::size_t> SqliteStore::EraseExpiredHandoffData(Timestamp now) {
  std::lock_guard lock(mu_);
  std::size_t erased = 0;
  {
    Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
    if (!tx) return tx.error();
    const int64_t at = ToUnixMillis(now);
    if (Status s = db_.Run("DELETE FROM transcripts WHERE expires <= ?1", at); !s.ok()) return s;
    erased = static_cast<std::size_t>(db_.Changes());
    // A closed ticket's note and its remaining transcript go when it has been kept long enough.
    if (Status s = db_.Run("DELETE FROM tickets WHERE state = 'closed' AND keep_until <= ?1", at);
        !s.ok()) {
      return s;
    }
    // An open ticket's note was rendered from field values: when the sweep of the fields blanked
    // the conversation's copy, the ticket's goes too.
    if (Status s = db_.Run(
            "UPDATE tickets SET note = '', revision = revision + 1 WHERE state <> 'closed' AND "
            "note <> '' AND contact IN (SELECT contact FROM conversations WHERE phase = 'handoff' "
            "AND handoff_note = '')");
        !s.ok()) {
      return s;
    }
    if (Status s = db_.Run("DELETE FROM agent_sessions WHERE expires <= ?1", at); !s.ok()) return s;
    // Counts of failed logins are forgotten after an hour (login_throttle.h); those of client
    // addresses would otherwise pile up.
    if (Status s = db_.Run("DELETE FROM login_failures WHERE last_failure <= ?1",
                           at - int64_t{24} * 3600 * 1000);
        !s.ok()) {
      return s;
    }
    if (Status s = tx->Commit(); !s.ok()) return s;
  }
  // As EraseExpiredFields: the log must not keep the erased texts' old pages.
  if (erased > 0) (void)db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return erased;
}

// The audit table refuses DELETE (a trigger of migration 3): the trigger is dropped, the old
// entries deleted and the trigger made again in one transaction, so no other connection ever
// sees the log without it. Entries are appended in time order, so the oldest ones are a prefix
// of ids: found by reading from the first id up to the first entry to keep, never the whole log.
Result<std::size_t> SqliteStore::EraseAuditBefore(Timestamp before) {
  std::lock_guard lock(mu_);
  std::size_t erased = 0;
  {
    Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
    if (!tx) return tx.error();
    Result<Statement> keep = db_.Query(
        "SELECT COALESCE((SELECT id FROM audit WHERE time > ?1 ORDER BY id LIMIT 1), "
        "(SELECT MAX(id) + 1 FROM audit), 0), (SELECT MIN(id) FROM audit)",
        ToUnixMillis(before));
    if (!keep) return keep.error();
    Result<bool> found = keep->Step();
    if (!found) return found.error();
    const int64_t first_kept = *found ? keep->ColumnInt64(0) : 0;
    const int64_t first = *found && !keep->ColumnIsNull(1) ? keep->ColumnInt64(1) : first_kept;
    keep->Reset();
    if (first >= first_kept) return std::size_t{0};  // nothing that old: no schema change
    if (Status s = db_.Exec("DROP TRIGGER audit_no_delete"); !s.ok()) return s;
    if (Status s = db_.Run("DELETE FROM audit WHERE id < ?1", first_kept); !s.ok()) return s;
    erased = static_cast<std::size_t>(db_.Changes());
    if (Status s = db_.Exec("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit\n"
                            "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END");
        !s.ok()) {
      return s;
    }
    if (Status s = tx->Commit(); !s.ok()) return s;
  }
  // The entries name contacts: the log must not keep their old pages either.
  (void)db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return erased;
}

#undef CF_TICKET_COLUMNS

}  // namespace consentflow::engine::sqlite
