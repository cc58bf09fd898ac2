#include "engine/store/sqlite/sqlite_schema.h"

#include <chrono>
#include <iterator>
#include <string>
#include <string_view>

namespace consentflow::engine::sqlite {
namespace {

struct Migration {
  int64_t version;
  std::string_view name;
  std::string_view sql;
  // The SQL edits table definitions in sqlite_schema in place (writable_schema): the schema
  // cookie is then raised, so every connection parses the tables again.
  bool edits_schema_text = false;
};

// Conventions of every table:
// - times are INTEGER milliseconds since the Unix epoch, UTC (Timestamp's precision);
// - enums are stored by name ('waiting', 'step_timeout', ...) so the data reads without the code,
//   except handoff_priority, an INTEGER rank (0 low .. 3 urgent) so an index can order by it;
// - lists (purposes, reply choices) and the inbound payload are JSON text;
// - what the language contract says must be erased (an inbound text once processed, an outbound
//   text once sent) lives in one nullable column per table, set to NULL when erased, and a CHECK
//   keeps a processed or sent row from holding it.
constexpr Migration kMigrations[] = {
    {1, "create the store", R"sql(
-- Durable inbox and, after processing, the dedupe record of every message id ever seen.
-- `seq` is the arrival order: it breaks ties between messages WhatsApp stamped in one second.
CREATE TABLE inbox (
  seq        INTEGER PRIMARY KEY,
  message_id TEXT    NOT NULL UNIQUE CHECK (message_id <> ''),
  contact    TEXT    NOT NULL,
  sent       INTEGER NOT NULL,
  payload    TEXT,
  processed  INTEGER NOT NULL DEFAULT 0 CHECK (processed IN (0, 1)),
  CHECK (processed = 1 OR payload IS NOT NULL),
  CHECK (processed = 0 OR payload IS NULL)
);
-- ClaimPending: the pending messages, oldest first.
CREATE INDEX inbox_pending ON inbox (sent, seq) WHERE processed = 0;

CREATE TABLE conversations (
  contact          TEXT    PRIMARY KEY,
  flow_id          TEXT    NOT NULL,
  flow_version     INTEGER NOT NULL,
  phase            TEXT    NOT NULL CHECK (phase IN ('idle', 'waiting', 'handoff')),
  state            INTEGER NOT NULL,
  step             INTEGER NOT NULL,
  invalid_answers  INTEGER NOT NULL,
  timer            TEXT    NOT NULL CHECK (timer IN ('none', 'step_timeout', 'flow_timeout')),
  timer_due        INTEGER NOT NULL,
  handoff_queue    TEXT,
  handoff_priority INTEGER CHECK (handoff_priority BETWEEN 0 AND 3),
  handoff_note     TEXT,
  handoff_since    INTEGER,
  revision         INTEGER NOT NULL CHECK (revision >= 1),
  CHECK ((handoff_queue IS NULL) = (handoff_priority IS NULL) AND
         (handoff_queue IS NULL) = (handoff_note IS NULL) AND
         (handoff_queue IS NULL) = (handoff_since IS NULL))
);
-- DueTimers: running timers by due time (contact breaks ties, so the order is total).
CREATE INDEX conversations_timer_due ON conversations (timer_due, contact) WHERE timer <> 'none';
-- HandoffQueue: one queue's waiting chats, most urgent first, then oldest first.
CREATE INDEX conversations_handoff
  ON conversations (handoff_queue, handoff_priority DESC, handoff_since, contact)
  WHERE phase = 'handoff';

-- Field values and consents belong to (contact, flow): a contact keeps them per flow when a
-- conversation moves between flows. Deleting a conversation row deletes them too.
CREATE TABLE field_values (
  contact  TEXT    NOT NULL REFERENCES conversations (contact) ON DELETE CASCADE,
  flow_id  TEXT    NOT NULL,
  field    TEXT    NOT NULL,
  value    TEXT    NOT NULL,
  purpose  TEXT    NOT NULL,
  captured INTEGER NOT NULL,
  expires  INTEGER NOT NULL,
  PRIMARY KEY (contact, flow_id, field)
) WITHOUT ROWID;
-- EraseExpiredFields.
CREATE INDEX field_values_expires ON field_values (expires);

CREATE TABLE consents (
  contact  TEXT    NOT NULL REFERENCES conversations (contact) ON DELETE CASCADE,
  flow_id  TEXT    NOT NULL,
  notice   TEXT    NOT NULL,
  version  INTEGER NOT NULL,
  purposes TEXT    NOT NULL,
  granted  INTEGER NOT NULL,
  PRIMARY KEY (contact, flow_id, notice)
) WITHOUT ROWID;

-- The hash-chained consent ledger (engine/ledger.h). Append-only, enforced by the triggers.
CREATE TABLE ledger (
  sequence       INTEGER PRIMARY KEY CHECK (sequence >= 1),
  contact        TEXT    NOT NULL,
  flow_id        TEXT    NOT NULL,
  notice_id      TEXT    NOT NULL,
  notice_version INTEGER NOT NULL,
  notice_sha256  TEXT    NOT NULL,
  purposes       TEXT    NOT NULL,
  decision       TEXT    NOT NULL CHECK (decision IN ('granted', 'declined', 'withdrawn')),
  time           INTEGER NOT NULL,
  evidence       TEXT    NOT NULL,
  previous_hash  TEXT    NOT NULL,
  hash           TEXT    NOT NULL UNIQUE
);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
  BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
  BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;

-- Replies waiting to be sent. AUTOINCREMENT: an id is never reused, even after old rows are
-- pruned, so a late MarkSent cannot hit a newer message.
CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  contact    TEXT    NOT NULL,
  message    TEXT,
  queued     INTEGER NOT NULL,
  sent_wamid TEXT,
  sent_at    INTEGER,
  CHECK ((sent_wamid IS NULL) = (sent_at IS NULL)),
  CHECK ((sent_wamid IS NULL) = (message IS NOT NULL))
);
-- PendingOutbox.
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_wamid IS NULL;

CREATE TABLE incidents (
  id      INTEGER PRIMARY KEY,
  contact TEXT    NOT NULL,
  flow_id TEXT    NOT NULL,
  field   TEXT    NOT NULL,
  purpose TEXT    NOT NULL,
  what    TEXT    NOT NULL,
  time    INTEGER NOT NULL
);
)sql"},
    {2, "outbox: delivery states, retries, read receipts; the 24-hour window", R"sql(
-- The outbox is rebuilt (SQLite cannot change a CHECK in place): an entry now has a kind (a
-- reply, or a read receipt for an inbound message), a delivery state that statuses move forward,
-- a retry schedule, and the last error. A reply's text is kept only while it may still be sent.
CREATE TABLE outbox_v2 (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  contact      TEXT    NOT NULL,
  kind         TEXT    NOT NULL CHECK (kind IN ('message', 'read_receipt')),
  message      TEXT,
  receipt_for  TEXT,
  queued       INTEGER NOT NULL,
  state        TEXT    NOT NULL
               CHECK (state IN ('pending', 'accepted', 'sent', 'failed', 'delivered', 'read')),
  attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt INTEGER NOT NULL,
  error_code   INTEGER,
  error        TEXT,
  sent_wamid   TEXT,
  sent_at      INTEGER,
  status_at    INTEGER,
  CHECK ((kind = 'read_receipt') = (receipt_for IS NOT NULL)),
  CHECK (kind = 'read_receipt' OR (state = 'pending') = (message IS NOT NULL)),
  CHECK (kind = 'message' OR message IS NULL),
  CHECK (state <> 'pending' OR (sent_wamid IS NULL AND sent_at IS NULL)),
  CHECK (kind = 'read_receipt' OR state IN ('pending', 'failed') OR sent_wamid IS NOT NULL)
);
INSERT INTO outbox_v2 (id, contact, kind, message, queued, state, next_attempt, sent_wamid,
                       sent_at, status_at)
  SELECT id, contact, 'message', message, queued,
         CASE WHEN sent_wamid IS NULL THEN 'pending' ELSE 'accepted' END, 0, sent_wamid,
         sent_at, sent_at
  FROM outbox;
-- Keep AUTOINCREMENT's high-water mark, so an id is still never reused.
DELETE FROM sqlite_sequence WHERE name = 'outbox_v2';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_v2', seq FROM sqlite_sequence
  WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_v2 RENAME TO outbox;

-- PendingOutbox and ReadyOutbox: the pending entries in queue order, and per contact (an entry
-- waits while an older one of its contact is pending).
CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';
CREATE INDEX outbox_pending_contact ON outbox (contact, id) WHERE state = 'pending';
-- RecordDelivery finds a message by the wamid the API returned.
CREATE INDEX outbox_wamid ON outbox (sent_wamid) WHERE sent_wamid IS NOT NULL;
-- One read receipt per inbound message.
CREATE UNIQUE INDEX outbox_receipt ON outbox (receipt_for) WHERE kind = 'read_receipt';

-- ServiceWindowOf: a contact's latest message. (Pruning the inbox must keep the last 24 hours.)
CREATE INDEX inbox_contact_sent ON inbox (contact, sent);

-- The latest outside-window failure (131047) per contact: the window stays closed until the
-- contact writes a message sent after it.
CREATE TABLE closed_windows (
  contact   TEXT    PRIMARY KEY,
  closed_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    {3, "handoff: tickets, transcripts, agents, sessions, failed logins, audit", R"sql(
-- A chat handed to people (engine/handoff/ticket.h). Opened and closed by Commit in the same
-- transaction as the conversation entering or leaving the handoff; agents move it between
-- 'waiting' and 'claimed'. `revision` rises with every change (the optimistic check).
CREATE TABLE tickets (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  contact    TEXT    NOT NULL,
  flow_id    TEXT    NOT NULL,
  queue      TEXT    NOT NULL,
  priority   INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
  note       TEXT    NOT NULL,
  since      INTEGER NOT NULL,
  state      TEXT    NOT NULL CHECK (state IN ('waiting', 'claimed', 'closed')),
  agent      TEXT,
  claimed_at INTEGER,
  closed_at  INTEGER,
  outcome    TEXT    CHECK (outcome IN ('closed', 'handed_back', 'ended')),
  keep_until INTEGER,
  purposes   TEXT    NOT NULL,
  revision   INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
  CHECK ((state = 'claimed') = (agent IS NOT NULL)),
  CHECK ((state = 'claimed') = (claimed_at IS NOT NULL)),
  CHECK ((state = 'closed') = (closed_at IS NOT NULL)),
  CHECK ((state = 'closed') = (outcome IS NOT NULL)),
  CHECK ((state = 'closed') = (keep_until IS NOT NULL))
);
-- At most one open ticket per contact; Commit finds it by contact.
CREATE UNIQUE INDEX tickets_open_contact ON tickets (contact) WHERE state <> 'closed';
-- OpenTickets: a queue's open tickets in waiting order.
CREATE INDEX tickets_open_queue ON tickets (queue, priority DESC, since, id) WHERE state <> 'closed';
-- EraseExpiredHandoffData.
CREATE INDEX tickets_keep_until ON tickets (keep_until) WHERE state = 'closed';

-- The customer's messages while a person had the chat and the agents' replies, kept for the
-- purpose 'support' until `expires` (engine/handoff/transcript.h).
CREATE TABLE transcripts (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  author     TEXT    NOT NULL CHECK (author IN ('customer', 'agent')),
  agent      TEXT,
  kind       TEXT    NOT NULL,
  text       TEXT    NOT NULL,
  time       INTEGER NOT NULL,
  expires    INTEGER NOT NULL,
  message_id TEXT,
  outbox_id  INTEGER,
  CHECK ((author = 'agent') = (agent IS NOT NULL))
);
CREATE INDEX transcripts_ticket ON transcripts (ticket_id, id);
CREATE INDEX transcripts_expires ON transcripts (expires);

-- Agent accounts: the Argon2id hash only (engine/handoff/credentials.h); queues a JSON array.
CREATE TABLE agents (
  name          TEXT    PRIMARY KEY CHECK (name <> ''),
  role          TEXT    NOT NULL CHECK (role IN ('agent', 'supervisor')),
  queues        TEXT    NOT NULL,
  password_hash TEXT    NOT NULL,
  created       INTEGER NOT NULL
) WITHOUT ROWID;
-- Login sessions by the digest of their token (never the token).
CREATE TABLE agent_sessions (
  token_digest TEXT    PRIMARY KEY,
  agent        TEXT    NOT NULL REFERENCES agents (name) ON DELETE CASCADE,
  expires      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX agent_sessions_expires ON agent_sessions (expires);
-- Failed logins per account ('agent:NAME') and per source ('source:ADDRESS').
CREATE TABLE login_failures (
  key          TEXT    PRIMARY KEY,
  failures     INTEGER NOT NULL CHECK (failures >= 0),
  last_failure INTEGER NOT NULL
) WITHOUT ROWID;

-- Who opened which transcript or contact, and who did what to which ticket. Append-only.
CREATE TABLE audit (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  time      INTEGER NOT NULL,
  agent     TEXT    NOT NULL,
  action    TEXT    NOT NULL,
  ticket_id INTEGER,
  contact   TEXT,
  detail    TEXT    NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Chats handed off before this migration get their ticket now.
INSERT INTO tickets (contact, flow_id, queue, priority, note, since, state, purposes)
  SELECT contact, flow_id, handoff_queue, handoff_priority, handoff_note, handoff_since, 'waiting',
         '[]'
  FROM conversations WHERE phase = 'handoff';
)sql"},
    {4, "CHECKs without IN lists", R"sql(
-- A CHECK (x IN (a, b, c)) of three or more values builds a temporary b-tree of the values every
-- time a row is written (SQLite turns only lists of one or two into comparisons): that was a
-- sixth of the engine's time. The same constraints written as comparisons change no row, so the
-- table definitions are edited in place (the "simpler procedure" of SQLite's ALTER TABLE
-- documentation) instead of rebuilding the tables.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(replace(sql,
    'phase IN (''idle'', ''waiting'', ''handoff'')',
    'phase = ''idle'' OR phase = ''waiting'' OR phase = ''handoff'''),
    'timer IN (''none'', ''step_timeout'', ''flow_timeout'')',
    'timer = ''none'' OR timer = ''step_timeout'' OR timer = ''flow_timeout''')
  WHERE type = 'table' AND name = 'conversations';
UPDATE sqlite_schema SET sql = replace(sql,
    'decision IN (''granted'', ''declined'', ''withdrawn'')',
    'decision = ''granted'' OR decision = ''declined'' OR decision = ''withdrawn''')
  WHERE type = 'table' AND name = 'ledger';
UPDATE sqlite_schema SET sql = replace(sql,
    'state IN (''pending'', ''accepted'', ''sent'', ''failed'', ''delivered'', ''read'')',
    'state = ''pending'' OR state = ''accepted'' OR state = ''sent'' OR state = ''failed'' OR ' ||
    'state = ''delivered'' OR state = ''read''')
  WHERE type = 'table' AND name = 'outbox';
UPDATE sqlite_schema SET sql = replace(replace(sql,
    'state IN (''waiting'', ''claimed'', ''closed'')',
    'state = ''waiting'' OR state = ''claimed'' OR state = ''closed'''),
    'outcome IN (''closed'', ''handed_back'', ''ended'')',
    'outcome = ''closed'' OR outcome = ''handed_back'' OR outcome = ''ended''')
  WHERE type = 'table' AND name = 'tickets';
PRAGMA writable_schema = OFF;
)sql", /*edits_schema_text=*/true},
    {5, "inbox: the business number each message was sent to", R"sql(
-- Replies go out from the number the contact wrote to (a 24-hour window belongs to one business
-- number). A phone number id of the business: not personal data, so it stays after processing.
ALTER TABLE inbox ADD COLUMN business_number TEXT NOT NULL DEFAULT '';
)sql"},
    {6, "statuses that arrive before their send is recorded", R"sql(
-- WhatsApp can report a message sent (or failed) before the sender has recorded the id the API
-- returned for it. Such a status waits here and is applied when MarkSent records that id; one
-- that never finds its message (another tool on the same number) goes after a day.
CREATE TABLE early_statuses (
  wamid      TEXT    NOT NULL,
  state      TEXT    NOT NULL CHECK (state = 'sent' OR state = 'failed' OR state = 'delivered' OR
                                     state = 'read'),
  time       INTEGER NOT NULL,
  error_code INTEGER,
  error      TEXT,
  received   INTEGER NOT NULL,
  PRIMARY KEY (wamid, state)
) WITHOUT ROWID;
CREATE INDEX early_statuses_received ON early_statuses (received);
)sql"},
    {7, "outbox: read receipts and messages are separate lanes", R"sql(
-- ReadyOutbox orders a contact's pending entries per kind (a reply does not wait for a read
-- receipt), so its "an older one is pending" probe looks up contact and kind together (state is
-- in the index too, so that the probe never reads the table).
DROP INDEX outbox_pending_contact;
CREATE INDEX outbox_pending_lane ON outbox (contact, kind, state, id) WHERE state = 'pending';
)sql"},
    {8, "read receipts leave the outbox", R"sql(
-- A read receipt is sent from memory once its message's outcome is committed (best effort: a
-- later receipt marks the earlier messages read too), so none is queued any more. Those still
-- pending would never be sent: gone. Accepted ones stay as history until pruned.
DELETE FROM outbox WHERE kind = 'read_receipt' AND state = 'pending';
DROP INDEX outbox_receipt;
)sql"},
    {9, "the 24-hour window is kept with the conversation", R"sql(
-- ServiceWindowOf read a contact's latest message through an index of the whole inbox by
-- contact: one more page written for nearly every message, since no two contacts share one.
-- The latest processed message's time and business number now live in the conversation's row,
-- which each message rewrites anyway; messages still waiting are found through an index of
-- only those (which a number change also needs, to move them).
ALTER TABLE conversations ADD COLUMN last_inbound INTEGER;
ALTER TABLE conversations ADD COLUMN last_inbound_number TEXT;
UPDATE conversations SET
  last_inbound = (SELECT sent FROM inbox WHERE inbox.contact = conversations.contact AND
                  processed = 1 ORDER BY sent DESC, seq DESC LIMIT 1),
  last_inbound_number = (SELECT business_number FROM inbox WHERE
                         inbox.contact = conversations.contact AND processed = 1
                         ORDER BY sent DESC, seq DESC LIMIT 1);
DROP INDEX inbox_contact_sent;
CREATE INDEX inbox_pending_contact ON inbox (contact, sent) WHERE processed = 0;
)sql"},
};

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status ApplyMigration(Db& db, const Migration& migration) {
  Result<Transaction> tx = Transaction::Begin(db, Transaction::Mode::kImmediate);
  if (!tx) return tx.error();
  // Read again under the write lock: another process may have migrated in the meantime.
  Result<int64_t> current = SchemaVersion(db);
  if (!current) return current.error();
  if (*current >= migration.version) return Status::Ok();
  if (*current != migration.version - 1) {
    return Status::Internal("sqlite: schema version " + std::to_string(*current) +
                            " cannot take migration " + std::to_string(migration.version));
  }
  if (Status status = db.Exec(migration.sql); !status.ok()) return status;
  if (migration.edits_schema_text) {
    Result<std::string> cookie = db.QueryText("PRAGMA schema_version");
    if (!cookie) return cookie.error();
    const std::string next = std::to_string(std::stoll(*cookie) + 1);
    if (Status status = db.Exec("PRAGMA schema_version = " + next); !status.ok()) return status;
  }
  Result<Statement> record =
      db.Prepare("INSERT INTO schema_version (version, name, applied) VALUES (?1, ?2, ?3)");
  if (!record) return record.error();
  if (Status status = record->BindAll(migration.version, migration.name, NowMillis());
      !status.ok()) {
    return status;
  }
  if (Status status = record->Run(); !status.ok()) return status;
  return tx->Commit();
}

// Sets `pragma` (a constant assignment) and reads `check` back, expecting `want`: a PRAGMA
// that SQLite does not know, or cannot apply, fails silently otherwise.
Status SetPragma(Db& db, std::string_view pragma, std::string_view check, std::string_view want) {
  if (Status status = db.Exec(pragma); !status.ok()) return status;
  Result<std::string> value = db.QueryText(check);
  if (!value) return value.error();
  if (*value != want) {
    return Status::FailedPrecondition("sqlite: '" + std::string(pragma) + "' did not take (got '" +
                                      *value + "')");
  }
  return Status::Ok();
}

}  // namespace

Status ConfigureConnection(Db& db, const SqliteOptions& options) {
  // First, so that switching to WAL already waits for a lock another process holds.
  const int rc = sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  if (rc != SQLITE_OK) return SqliteError(db.get(), rc, "busy_timeout");

  // WAL: readers never block the writer, and a commit is one sequential append plus one fsync.
  // An in-memory database reports 'memory' and has no file to protect.
  Result<std::string> journal = db.QueryText("PRAGMA journal_mode = WAL");
  if (!journal) return journal.error();
  if (*journal != "wal" && *journal != "memory") {
    return Status::FailedPrecondition("sqlite: cannot switch the database to WAL (journal mode '" +
                                      *journal + "')");
  }
  // Log frames are page images and may hold text that has since been erased. The log file is
  // reused from its start after each checkpoint (cutting it to nothing every time made each
  // commit grow the file again, a fifth of the engine's time) and kept to 64 MiB; the retention
  // sweep, every 10 minutes, checkpoints and truncates it to zero, which bounds how long an
  // erased text survives there.
  if (Status status = db.Exec("PRAGMA journal_size_limit = 67108864"); !status.ok()) return status;
  // A checkpoint copies every page the log holds into the database file and syncs it; the same
  // hot pages (the inbox's and outbox's indexes) are rewritten by nearly every commit, so a
  // checkpoint every 8,192 frames (32 MiB) instead of SQLite's 1,000 copies each of them
  // once for eight times as many commits.
  if (Status status = db.Exec("PRAGMA wal_autocheckpoint = 8192"); !status.ok()) return status;

  // FULL syncs the log at every commit, so a committed outcome survives a power cut; NORMAL
  // syncs only at checkpoints (WAL keeps the file consistent either way).
  if (Status status = options.durable
                          ? SetPragma(db, "PRAGMA synchronous = FULL", "PRAGMA synchronous", "2")
                          : SetPragma(db, "PRAGMA synchronous = NORMAL", "PRAGMA synchronous", "1");
      !status.ok()) {
    return status;
  }
  if (Status status = SetPragma(db, "PRAGMA foreign_keys = ON", "PRAGMA foreign_keys", "1");
      !status.ok()) {
    return status;
  }
  // A batch of events changes many pages: keep them all in memory until the commit writes each
  // once (SQLite's default 2 MiB cache spills mid-transaction under group commit).
  if (Status status = db.Exec("PRAGMA cache_size = -65536"); !status.ok()) return status;
  // Each outcome of a batch runs in a savepoint, whose journal (the page images to roll back
  // to) is a temporary file by default: one write per page per outcome. Kept in memory, and
  // gone after the batch, it never reaches a disk, so erased text cannot linger there either.
  if (Status status = SetPragma(db, "PRAGMA temp_store = MEMORY", "PRAGMA temp_store", "2");
      !status.ok()) {
    return status;
  }
  // The language contract: an erased text leaves no copy in a free page.
  return SetPragma(db, "PRAGMA secure_delete = ON", "PRAGMA secure_delete", "1");
}

int64_t LatestSchemaVersion() { return std::prev(std::end(kMigrations))->version; }

Result<int64_t> SchemaVersion(Db& db) {
  Result<Statement> query = db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!query) return query.error();
  Result<bool> row = query->Step();
  if (!row) return row.error();
  return *row ? query->ColumnInt64(0) : int64_t{0};
}

Status Migrate(Db& db) { return MigrateTo(db, LatestSchemaVersion()); }

Status MigrateTo(Db& db, int64_t version) {
  // The one table that exists before any migration: it says which of them ran.
  if (Status status =
          db.Exec("CREATE TABLE IF NOT EXISTS schema_version ("
                  " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)");
      !status.ok()) {
    return status;
  }
  Result<int64_t> current = SchemaVersion(db);
  if (!current) return current.error();
  if (*current > LatestSchemaVersion()) {
    return Status::FailedPrecondition("sqlite: the database has schema version " +
                                      std::to_string(*current) + ", newer than this program's " +
                                      std::to_string(LatestSchemaVersion()) +
                                      "; upgrade consentflow");
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= *current || migration.version > version) continue;
    if (Status status = ApplyMigration(db, migration); !status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace consentflow::engine::sqlite
