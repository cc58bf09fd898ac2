// SqliteStore::Commit and what it does for each outcome, in one transaction.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "engine/store/sqlite/sqlite_codec.h"
#include "engine/store/sqlite/sqlite_db.h"
#include "engine/store/sqlite/sqlite_store_impl.h"

namespace consentflow::engine::sqlite {
namespace {

// The fields of `conversation` that no consent of it covers, as the incidents they are. The
// store checks on its own, whatever the interpreter (or a hook, an agent, an old flow) did.
std::vector<PrivacyIncident> FieldsWithoutConsent(const Conversation& conversation, Timestamp now) {
  std::vector<PrivacyIncident> refused;
  for (const auto& [name, field] : conversation.fields) {
    const std::string& purpose = field.purpose;
    const bool covered = std::any_of(
        conversation.consents.begin(), conversation.consents.end(), [&](const auto& consent) {
          const std::vector<std::string>& purposes = consent.second.purposes;
          return std::find(purposes.begin(), purposes.end(), purpose) != purposes.end();
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

}  // namespace

// ---- commit

Result<std::vector<Status>> SqliteStore::Commit(const std::vector<EventOutcome>& outcomes) {
  if (outcomes.empty()) return std::vector<Status>{};
  const Timestamp now = clock_.Now();
  std::lock_guard lock(mu_);
  // Almost every batch applies whole, so it is first tried without a savepoint per outcome: a
  // savepoint copies every page it touches into its journal before the first change, which was
  // a third of a batch's cost. If any outcome fails, the batch is rolled back and done again
  // outcome by outcome, each in its own savepoint, so only the failing ones are left out.
  Result<std::optional<std::vector<Status>>> whole = CommitWhole(outcomes, now);
  if (!whole) return whole.error();
  if (*whole) return std::move(**whole);
  return CommitEach(outcomes, now);
}

// REQUIRES: mu_ is held. Nothing (an empty optional) when an outcome failed: then the
// transaction was rolled back and nothing of the batch is written.
Result<std::optional<std::vector<Status>>> SqliteStore::CommitWhole(
    const std::vector<EventOutcome>& outcomes, Timestamp now) {
  // IMMEDIATE: the write lock is taken here, before any work, so no statement in the batch can
  // fail half-way with SQLITE_BUSY because another connection started writing first.
  Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  std::vector<std::pair<std::string, std::string>> processed;  // (contact, message id)
  for (const EventOutcome& outcome : outcomes) {
    std::string inbox_contact;
    std::vector<PrivacyIncident> refused;
    if (!ApplyOutcome(outcome, now, inbox_contact, refused).ok()) {
      return std::optional<std::vector<Status>>();
    }
    if (!outcome.message_id.empty()) processed.emplace_back(std::move(inbox_contact), outcome.message_id);
  }
  // The one durable sync for the whole batch.
  if (Status status = tx->Commit(); !status.ok()) return status;
  for (const auto& [contact, message_id] : processed) ReleaseClaim(contact, message_id);
  return std::optional<std::vector<Status>>(std::vector<Status>(outcomes.size()));
}

// REQUIRES: mu_ is held.
Result<std::vector<Status>> SqliteStore::CommitEach(const std::vector<EventOutcome>& outcomes,
                                                    Timestamp now) {
  std::vector<Status> results;
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
  std::optional<InboundSeen> seen;
  if (!outcome.message_id.empty()) {
    seen.emplace();
    Status s = outcome.arrival ? RecordArrived(outcome, inbox_contact, *seen)
                               : MarkProcessed(outcome.message_id, inbox_contact, &*seen);
    if (!s.ok()) return s;
    // The window is the contact's: a message of another number (a number change being
    // handled) does not open it for this conversation.
    if (inbox_contact != conversation.contact) seen.reset();
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
  if (Status s = SaveConversation(conversation, seen ? &*seen : nullptr); !s.ok()) return s;
  if (outcome.flow_data_changed) {
    // A conversation never saved has no rows to replace: field values and consents belong to
    // its row (foreign keys), so there is nothing to delete first.
    static const EventOutcome::FlowData kNothing;
    Status s = outcome.stored                ? UpdateFlowData(conversation, *outcome.stored)
               : conversation.revision == 0 ? UpdateFlowData(conversation, kNothing)
                                            : ReplaceFlowData(conversation);
    if (!s.ok()) return s;
  }
  for (const std::string& flow_id : outcome.erase_flows) {
    if (Status s = EraseFlowData(conversation.contact, flow_id); !s.ok()) return s;
  }
  if (Status s = AppendToLedger(outcome.decisions); !s.ok()) return s;
  if (Status s = QueueOutbound(outcome.outbound, now); !s.ok()) return s;
  // Handoff (sqlite_handoff.cc): the contact's ticket opens and closes with the conversation's
  // handoff in this same savepoint, and the customer's messages to a person join its transcript.
  if (Status s = ApplyHandoff(outcome); !s.ok()) return s;
  for (const PrivacyIncident& incident : outcome.incidents) {
    if (Status s = InsertIncident(incident); !s.ok()) return s;
  }
  return Status::Ok();
}

// Marks the message processed and erases its payload (secure_delete zeroes the old bytes).
// kConflict when it was processed already (exactly-once: the outcome must not apply twice),
// kInvalidArgument when the inbox never had it.
Status SqliteStore::MarkProcessed(std::string_view message_id, std::string& contact,
                                  InboundSeen* seen) {
  // A SELECT, then an UPDATE by rowid: an UPDATE ... RETURNING would collect its rows in a
  // temporary b-tree, built anew for every message.
  Result<Statement> row = db_.Query(
      "SELECT seq, contact, processed, sent, business_number FROM inbox WHERE message_id = ?1",
      message_id);
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  if (!*found) return Status::InvalidArgument("sqlite: the message is not in the inbox");
  if (row->ColumnInt64(2) != 0) return Status::Conflict("sqlite: the message was processed already");
  const int64_t seq = row->ColumnInt64(0);
  contact = row->ColumnText(1);
  if (seen != nullptr) {
    seen->sent_ms = row->ColumnInt64(3);
    seen->business_number = row->ColumnText(4);
  }
  row->Reset();
  return db_.Run("UPDATE inbox SET processed = 1, payload = NULL WHERE seq = ?1", seq);
}

// A message that did not go through the inbox: its row is written once, processed (no payload
// to erase, no pending index entry to add and remove). kConflict when the id was seen before.
Status SqliteStore::RecordArrived(const EventOutcome& outcome, std::string& contact,
                                  InboundSeen& seen) {
  const EventOutcome::Arrival& arrival = *outcome.arrival;
  Status inserted = db_.Run(
      "INSERT INTO inbox (message_id, contact, sent, payload, business_number, processed) "
      "VALUES (?1, ?2, ?3, NULL, ?4, 1) ON CONFLICT (message_id) DO NOTHING",
      outcome.message_id, arrival.contact, ToUnixMillis(arrival.time), arrival.business_number);
  if (!inserted.ok()) return inserted;
  if (db_.Changes() != 1) return Status::Conflict("sqlite: the message was seen already");
  contact = arrival.contact;
  seen = InboundSeen{ToUnixMillis(arrival.time), arrival.business_number};
  return Status::Ok();
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
//
// The message the outcome consumed (`seen`), if it is the latest so far, becomes the
// conversation's window: kept in the row every message rewrites anyway, it costs no page of its
// own (an index of the inbox by contact did, about a fifth of all the pages a commit wrote).
Status SqliteStore::SaveConversation(const Conversation& c, const InboundSeen* seen) {
  std::optional<std::string> queue, note;
  std::optional<int64_t> priority, since;
  if (c.handoff) {
    queue = c.handoff->queue;
    note = c.handoff->note;
    priority = sqlite::PriorityRank(c.handoff->priority);
    since = ToUnixMillis(c.handoff->since);
  }
  std::optional<int64_t> sent;
  std::optional<std::string_view> number;
  if (seen != nullptr) {
    sent = seen->sent_ms;
    number = seen->business_number;
  }
  if (c.revision == 0) {
    return db_.Run(
        "INSERT INTO conversations (contact, flow_id, flow_version, phase, state, step, "
        "invalid_answers, timer, timer_due, handoff_queue, handoff_priority, handoff_note, "
        "handoff_since, revision, last_inbound, last_inbound_number) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        c.contact, c.flow_id, c.flow_version, sqlite::PhaseName(c.phase), c.state, c.step,
        c.invalid_answers, sqlite::TimerKindName(c.timer), ToUnixMillis(c.timer_due), queue,
        priority, note, since, c.revision + 1, sent, number);
  }
  // SET sees the row as it was, so both window columns compare with the old last_inbound.
  if (Status s = db_.Run(
          "UPDATE conversations SET flow_id = ?2, flow_version = ?3, phase = ?4, state = ?5, "
          "step = ?6, invalid_answers = ?7, timer = ?8, timer_due = ?9, handoff_queue = ?10, "
          "handoff_priority = ?11, handoff_note = ?12, handoff_since = ?13, revision = ?14, "
          "last_inbound_number = CASE WHEN ?16 >= COALESCE(last_inbound, ?16) "
          "THEN ?17 ELSE last_inbound_number END, "
          "last_inbound = CASE WHEN ?16 >= COALESCE(last_inbound, ?16) "
          "THEN ?16 ELSE last_inbound END "
          "WHERE contact = ?1 AND revision = ?15",
          c.contact, c.flow_id, c.flow_version, sqlite::PhaseName(c.phase), c.state, c.step,
          c.invalid_answers, sqlite::TimerKindName(c.timer), ToUnixMillis(c.timer_due), queue,
          priority, note, since, c.revision + 1, c.revision, sent, number);
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

// Writes only what differs from `stored`, what the rows hold now: an answer to one question
// is one upsert instead of rewriting every field and consent of the flow.
Status SqliteStore::UpdateFlowData(const Conversation& c, const EventOutcome::FlowData& stored) {
  for (const auto& [name, field] : c.fields) {
    const auto before = stored.fields.find(name);
    if (before != stored.fields.end() && before->second == field) continue;
    if (Status s = db_.Run(
            "INSERT INTO field_values (contact, flow_id, field, value, purpose, captured, expires) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (contact, flow_id, field) DO UPDATE "
            "SET value = excluded.value, purpose = excluded.purpose, "
            "captured = excluded.captured, expires = excluded.expires",
            c.contact, c.flow_id, name, field.value, field.purpose, ToUnixMillis(field.captured),
            ToUnixMillis(field.expires));
        !s.ok()) {
      return s;
    }
  }
  for (const auto& [name, field] : stored.fields) {
    if (c.fields.count(name) != 0) continue;
    if (Status s = db_.Run(
            "DELETE FROM field_values WHERE contact = ?1 AND flow_id = ?2 AND field = ?3",
            c.contact, c.flow_id, name);
        !s.ok()) {
      return s;
    }
  }
  for (const auto& [notice, consent] : c.consents) {
    const auto before = stored.consents.find(notice);
    if (before != stored.consents.end() && before->second == consent) continue;
    Result<std::string> purposes = sqlite::EncodeStrings(consent.purposes);
    if (!purposes) return purposes.error();
    if (Status s = db_.Run(
            "INSERT INTO consents (contact, flow_id, notice, version, purposes, granted) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (contact, flow_id, notice) DO UPDATE "
            "SET version = excluded.version, purposes = excluded.purposes, "
            "granted = excluded.granted",
            c.contact, c.flow_id, notice, consent.version, *purposes,
            ToUnixMillis(consent.granted));
        !s.ok()) {
      return s;
    }
  }
  for (const auto& [notice, consent] : stored.consents) {
    if (c.consents.count(notice) != 0) continue;
    if (Status s = db_.Run(
            "DELETE FROM consents WHERE contact = ?1 AND flow_id = ?2 AND notice = ?3",
            c.contact, c.flow_id, notice);
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Status SqliteStore::EraseFlowData(std::string_view contact, std::string_view flow_id) {
  if (Status s = db_.Run("DELETE FROM field_values WHERE contact = ?1 AND flow_id = ?2", contact,
                         flow_id);
      !s.ok()) {
    return s;
  }
  return db_.Run("DELETE FROM consents WHERE contact = ?1 AND flow_id = ?2", contact, flow_id);
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

Status SqliteStore::InsertIncident(const PrivacyIncident& incident) {
  return db_.Run(
      "INSERT INTO incidents (contact, flow_id, field, purpose, what, time) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      incident.contact, incident.flow_id, incident.field, incident.purpose, incident.what,
      ToUnixMillis(incident.time));
}

}  // namespace consentflow::engine::sqlite
