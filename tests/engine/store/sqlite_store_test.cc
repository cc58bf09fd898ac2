#include "engine/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "engine/ledger.h"
#include "engine/store/sqlite/sqlite_db.h"
#include "engine/store/sqlite/sqlite_schema.h"
#include "tests/engine/store/store_contract.h"

namespace consentflow::engine::store_test {
namespace {

using sqlite::Db;
using sqlite::Statement;

Result<std::unique_ptr<Store>> OpenInMemory(const std::filesystem::path&) {
  return OpenSqliteStore(SqliteOptions{":memory:", 5000, /*durable=*/false});
}

Result<std::unique_ptr<Store>> OpenFile(const std::filesystem::path& scratch) {
  return OpenSqliteStore(SqliteOptions{(scratch / "store.db").string()});
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
                         ::testing::Values(StoreBackend{"memory", OpenInMemory},
                                           StoreBackend{"file", OpenFile}),
                         StoreBackendName);

// The whole file, as bytes; "" when it does not exist.
std::string FileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Tests that look at the database file behind the store, through a connection of their own.
class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string path() const { return (scratch_.path() / "store.db").string(); }

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(SqliteOptions{path()});
    EXPECT_TRUE(store) << store.error().ToString();
    return store ? std::move(*store) : nullptr;
  }

  // A second connection to the file, as an operator's sqlite3 shell would have.
  Db Raw() {
    Result<Db> db = Db::Open(path());
    EXPECT_TRUE(db) << db.error().ToString();
    return std::move(*db);
  }

  // The file as schema version `version` left it, with `rows` written into it: what a
  // migration test then opens with the current schema.
  void WriteOldDatabase(int version, std::string_view rows) {
    Db raw = Raw();
    ASSERT_TRUE(sqlite::MigrateTo(raw, version).ok());
    ASSERT_TRUE(raw.Exec(rows).ok());
  }

  // Is `text` anywhere in the database file or its write-ahead log?
  bool OnDisk(std::string_view text) const {
    return FileBytes(path()).find(text) != std::string::npos ||
           FileBytes(path() + "-wal").find(text) != std::string::npos;
  }

  static void CommitOk(Store& store, const std::vector<EventOutcome>& outcomes) {
    Result<std::vector<Status>> results = store.Commit(outcomes);
    ASSERT_TRUE(results) << results.error().ToString();
    for (const Status& status : *results) ASSERT_TRUE(status.ok()) << status.ToString();
  }

  ScratchDir scratch_;
};

TEST_F(SqliteStoreTest, ReopeningKeepsEverythingAndDoesNotMigrateAgain) {
  Conversation conversation = NewConversation("4915100");
  Consent(conversation, "marketing", {"offers"});
  Field(conversation, "email", "anna@example.org", "offers");
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->Enqueue(TextMessage("wamid.1", "4915100", 1)).value());
    EventOutcome outcome = Outcome(conversation, "wamid.1");
    outcome.decisions = {GrantDecision("4915100", "marketing", 2)};
    CommitOk(*store, {outcome});
  }
  {
    Db raw = Raw();
    EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM schema_version").value(),
              std::to_string(sqlite::LatestSchemaVersion()));
  }
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  conversation.revision = 1;
  EXPECT_EQ(store->LoadConversation("4915100").value(), conversation);
  EXPECT_FALSE(store->Enqueue(TextMessage("wamid.1", "4915100", 1)).value());

  // The chain goes on from the entry written before the restart.
  EventOutcome next = Outcome(conversation);
  next.decisions = {GrantDecision("4915100", "marketing", 3)};
  CommitOk(*store, {next});
  LedgerVerifier verifier;
  std::vector<LedgerEntry> ledger = store->ReadLedger(1, 10).value();
  for (const LedgerEntry& entry : ledger) {
    EXPECT_TRUE(verifier.Add(entry)) << verifier.problem();
  }
  EXPECT_EQ(verifier.checked(), 2u);

  Db raw = Raw();
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM schema_version").value(),
            std::to_string(sqlite::LatestSchemaVersion()));
}

// A database written by schema version 1: its outbox keeps every entry, sent ones as accepted,
// and AUTOINCREMENT's high-water mark.
TEST_F(SqliteStoreTest, MigrationTwoKeepsTheOutboxOfAVersionOneDatabase) {
  WriteOldDatabase(1, R"sql(
INSERT INTO outbox VALUES (1, 'A', NULL, 10, 'wamid.sent', 11);
INSERT INTO outbox VALUES (2, 'A', '{"kind":"text","body":"Hi","choices":[],"list_button":""}', 12, NULL, NULL);
INSERT INTO outbox VALUES (7, 'B', NULL, 13, 'wamid.pruned', 14);
DELETE FROM outbox WHERE id = 7;
)sql");
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  OutboxEntry sent = store->LookupOutbox(1).value();
  EXPECT_EQ(sent.state, OutboxState::kAccepted);
  EXPECT_EQ(sent.whatsapp_id, "wamid.sent");
  std::vector<OutboxEntry> pending = store->PendingOutbox(10).value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, 2u);
  EXPECT_EQ(pending[0].message.body, "Hi");
  EXPECT_EQ(store->ReadyOutbox(At(0), 10).value().size(), 1u);
  EXPECT_TRUE(store->RecordDelivery({"wamid.sent", OutboxState::kDelivered, At(1), {}}).value());

  Db raw = Raw();
  EXPECT_EQ(raw.QueryText("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").value(), "7");
  EXPECT_EQ(raw.QueryText("SELECT MAX(version) FROM schema_version").value(),
            std::to_string(sqlite::LatestSchemaVersion()));
}

// Migration 4 rewrites CHECKs with IN lists as comparisons: the rows of a version-3 database
// stay, the constraints still hold, and writing a row no longer builds a temporary b-tree.
TEST_F(SqliteStoreTest, MigrationFourKeepsTheRowsAndTheConstraintsAndDropsTheTemporaryTables) {
  WriteOldDatabase(3, R"sql(
INSERT INTO conversations (contact, flow_id, flow_version, phase, state, step, invalid_answers,
                           timer, timer_due, revision)
  VALUES ('A', 'f', 1, 'waiting', 2, 0, 0, 'step_timeout', 99, 1);
INSERT INTO outbox (contact, kind, message, queued, state, next_attempt)
  VALUES ('A', 'message', '{"kind":"text","body":"Hi","choices":[],"list_button":""}', 5, 'pending', 0);
)sql");
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->LoadConversation("A").value()->state, 2u);
  EXPECT_EQ(store->PendingOutbox(10).value().size(), 1u);

  Db raw = Raw();
  EXPECT_EQ(raw.QueryText("PRAGMA integrity_check").value(), "ok");
  EXPECT_FALSE(raw.Run("UPDATE conversations SET phase = 'asleep'").ok());
  EXPECT_FALSE(raw.Run("UPDATE conversations SET timer = 'egg'").ok());
  EXPECT_FALSE(raw.Run("UPDATE outbox SET state = 'lost'").ok());
  EXPECT_TRUE(raw.Run("UPDATE outbox SET state = 'failed', message = NULL").ok());
  // The statements the engine runs for every event open no temporary table any more.
  for (const char* sql :
       {"INSERT INTO outbox (contact, kind, message, queued, state, next_attempt) "
        "VALUES ('A', 'message', 'm', 1, 'pending', 0)",
        "UPDATE conversations SET phase = 'idle', timer = 'none' WHERE contact = 'A'",
        "INSERT INTO ledger (sequence, contact, flow_id, notice_id, notice_version, "
        "notice_sha256, purposes, decision, time, evidence, previous_hash, hash) "
        "VALUES (1, 'A', 'f', 'n', 1, 's', '[]', 'granted', 1, 'e', 'p', 'h')",
        "UPDATE tickets SET state = 'closed', outcome = 'ended' WHERE id = 1"}) {
    Result<Statement> explain = raw.Prepare(std::string("EXPLAIN ") + sql);
    ASSERT_TRUE(explain) << explain.error().ToString();
    int ephemeral = 0;
    while (explain->Step().value()) ephemeral += explain->ColumnText(1) == "OpenEphemeral";
    EXPECT_EQ(ephemeral, 0) << sql;
  }
}

// Migration 8: read receipts leave the outbox. A version-7 database's pending receipts go (they
// would never be sent); accepted ones stay as history, and so does every message.
TEST_F(SqliteStoreTest, MigrationEightDropsPendingReadReceiptsAndKeepsTheRest) {
  WriteOldDatabase(7, R"sql(
INSERT INTO outbox (id, contact, kind, receipt_for, queued, state, next_attempt)
  VALUES (1, 'A', 'read_receipt', 'wamid.in1', 5, 'accepted', 0);
INSERT INTO outbox (id, contact, kind, message, queued, state, next_attempt)
  VALUES (2, 'A', 'message', '{"kind":"text","body":"Hi","choices":[],"list_button":""}', 5, 'pending', 0);
INSERT INTO outbox (id, contact, kind, receipt_for, queued, state, next_attempt)
  VALUES (3, 'A', 'read_receipt', 'wamid.in2', 6, 'pending', 0);
)sql");
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->LookupOutbox(1).value().kind, OutboxEntry::Kind::kReadReceipt);
  EXPECT_EQ(store->LookupOutbox(3).error().code(), StatusCode::kNotFound);
  std::vector<OutboxEntry> ready = store->ReadyOutbox(At(10), 10).value();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].message.body, "Hi");
  Db raw = Raw();
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM sqlite_master WHERE name = 'outbox_receipt'").value(),
            "0");
  EXPECT_EQ(raw.QueryText("PRAGMA integrity_check").value(), "ok");
}

// Migration 9: the window moves into the conversation. A version-8 database's conversations
// take their contact's latest processed message (by the time WhatsApp stamped); a waiting
// message still counts through the inbox; the inbox's index by contact goes.
TEST_F(SqliteStoreTest, MigrationNineKeepsEveryContactsWindow) {
  WriteOldDatabase(8, R"sql(
INSERT INTO conversations (contact, flow_id, flow_version, phase, state, step, invalid_answers,
                           timer, timer_due, revision)
  VALUES ('A', 'f', 1, 'waiting', 0, 0, 0, 'none', 0, 1),
         ('B', 'f', 1, 'waiting', 0, 0, 0, 'none', 0, 1);
-- At(0) is 1,767,225,600 s after the epoch; the inbox keeps milliseconds.
INSERT INTO inbox (message_id, contact, sent, payload, business_number, processed) VALUES
  ('m1', 'A', 1767225620000, NULL, '222', 1),
  ('m2', 'A', 1767225610000, NULL, '111', 1),
  ('m3', 'B', 1767225605000, NULL, '111', 1),
  ('m4', 'B', 1767225630000, '{}', '333', 0),
  ('m5', 'C', 1767225640000, NULL, '111', 1);
)sql");
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  const ServiceWindow a = store->ServiceWindowOf("A").value();
  EXPECT_EQ(a.last_inbound, At(20));
  EXPECT_EQ(a.business_number, "222");
  const ServiceWindow b = store->ServiceWindowOf("B").value();  // the waiting message is later
  EXPECT_EQ(b.last_inbound, At(30));
  EXPECT_EQ(b.business_number, "333");
  // C's message was processed without a conversation: nothing about C is kept, no window.
  EXPECT_EQ(store->ServiceWindowOf("C").value().last_inbound, std::nullopt);
  Db raw = Raw();
  EXPECT_EQ(raw.QueryText("SELECT last_inbound || ' ' || last_inbound_number FROM conversations "
                          "WHERE contact = 'B'")
                .value(),
            "1767225605000 111");
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM sqlite_master WHERE name = 'inbox_contact_sent'")
                .value(),
            "0");
  EXPECT_EQ(raw.QueryText("PRAGMA integrity_check").value(), "ok");
}

// ReadyOutbox asks, for each pending entry, whether an older one of the same contact and kind
// is pending: the lane index (migration 7) answers that without reading the table.
TEST_F(SqliteStoreTest, TheOlderEntryProbeUsesTheLaneIndex) {
  ASSERT_TRUE(Open());
  Db raw = Raw();
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM sqlite_master WHERE name = 'outbox_pending_contact'")
                .value(),
            "0");
  Result<Statement> plan = raw.Prepare(
      "EXPLAIN QUERY PLAN SELECT 1 FROM outbox AS older WHERE older.state = 'pending' "
      "AND older.contact = 'A' AND older.id < 5 AND older.kind = 'message'");
  ASSERT_TRUE(plan) << plan.error().ToString();
  std::string details;
  while (plan->Step().value()) details += plan->ColumnText(3) + "\n";
  EXPECT_NE(details.find("COVERING INDEX outbox_pending_lane"), std::string::npos) << details;
}

TEST_F(SqliteStoreTest, TheConnectionIsSetUpForDurabilityAndErasure) {
  Db db = Raw();
  ASSERT_TRUE(sqlite::ConfigureConnection(db, SqliteOptions{path(), 1234}).ok());
  EXPECT_EQ(db.QueryText("PRAGMA secure_delete").value(), "1");
  EXPECT_EQ(db.QueryText("PRAGMA journal_mode").value(), "wal");
  EXPECT_EQ(db.QueryText("PRAGMA synchronous").value(), "2");  // FULL
  EXPECT_EQ(db.QueryText("PRAGMA foreign_keys").value(), "1");
  EXPECT_EQ(db.QueryText("PRAGMA busy_timeout").value(), "1234");
  EXPECT_EQ(db.QueryText("PRAGMA wal_autocheckpoint").value(), "8192");

  Db relaxed = Raw();
  ASSERT_TRUE(sqlite::ConfigureConnection(relaxed, SqliteOptions{path(), 10, false}).ok());
  EXPECT_EQ(relaxed.QueryText("PRAGMA synchronous").value(), "1");  // NORMAL
  EXPECT_EQ(relaxed.QueryText("PRAGMA secure_delete").value(), "1");
}

TEST_F(SqliteStoreTest, AProcessedMessagesTextIsGoneFromTheTableAndTheFile) {
  constexpr std::string_view kSecret = "my-secret-answer-8c1f02";
  // Between other rows and followed by more text, so the old cell is not simply overwritten
  // by the shorter row that replaces it: only secure_delete clears it.
  const std::string text = std::string(kSecret) + ", and more words " + std::string(200, '.');
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->Enqueue(TextMessage("wamid.0", "4915100", 1, "before")).value());
    ASSERT_TRUE(store->Enqueue(TextMessage("wamid.1", "4915100", 2, text)).value());
    ASSERT_TRUE(store->Enqueue(TextMessage("wamid.2", "4915100", 3, "after")).value());
  }
  // Closing checkpointed the text into the database file: the page that the erasure rewrites.
  ASSERT_TRUE(OnDisk(kSecret));
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_TRUE(store);
    Conversation conversation = NewConversation("4915100");
    Conversation next = conversation;
    next.revision = 1;
    CommitOk(*store, {Outcome(conversation, "wamid.0"), Outcome(next, "wamid.1")});
  }

  Db raw = Raw();
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM inbox WHERE message_id = 'wamid.1' AND "
                          "processed = 1 AND payload IS NULL AND contact = '4915100'")
                .value(),
            "1");
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM inbox WHERE payload IS NOT NULL").value(), "1");
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM inbox WHERE instr(payload, 'secret') > 0").value(),
            "0");
  // secure_delete: the old cell was zeroed, not just unlinked.
  EXPECT_FALSE(OnDisk(kSecret));
}

TEST_F(SqliteStoreTest, AnExpiredFieldValueIsGoneFromTheFile) {
  constexpr std::string_view kValue = "anna.secret-7d2e@example.org";
  Conversation conversation = NewConversation("4915100");
  Consent(conversation, "marketing", {"offers"});
  Field(conversation, "email", std::string(kValue), "offers", 100);
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_TRUE(store);
    CommitOk(*store, {Outcome(conversation)});
  }
  ASSERT_TRUE(OnDisk(kValue));

  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  ASSERT_EQ(store->EraseExpiredFields(At(100)).value(), 1u);
  // While the store is still open: the sweep's checkpoint also emptied the log.
  EXPECT_FALSE(OnDisk(kValue));
}

TEST_F(SqliteStoreTest, ADatabaseFromANewerVersionIsRefused) {
  ASSERT_TRUE(Open());
  {
    Db raw = Raw();
    ASSERT_TRUE(raw.Run("INSERT INTO schema_version (version, name, applied) VALUES (?1, ?2, 0)",
                        sqlite::LatestSchemaVersion() + 1, "from the future")
                    .ok());
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(SqliteOptions{path()});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SqliteStoreTest, TheLedgerTableIsAppendOnly) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_TRUE(store);
    EventOutcome outcome = Outcome(NewConversation("A"));
    outcome.decisions = {GrantDecision("A", "marketing", 1)};
    CommitOk(*store, {outcome});
  }
  Db raw = Raw();
  EXPECT_FALSE(raw.Run("UPDATE ledger SET decision = 'declined'").ok());
  EXPECT_FALSE(raw.Run("DELETE FROM ledger").ok());
  EXPECT_EQ(raw.QueryText("SELECT decision FROM ledger").value(), "granted");
}

TEST_F(SqliteStoreTest, OpeningAFileInAMissingDirectoryFails) {
  Result<std::unique_ptr<Store>> store =
      OpenSqliteStore(SqliteOptions{(scratch_.path() / "missing" / "store.db").string()});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), StatusCode::kInternal);
}

TEST_F(SqliteStoreTest, ALockedDatabaseIsUnavailable) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  Db other = Raw();
  ASSERT_TRUE(other.Exec("BEGIN IMMEDIATE").ok());

  store.reset();
  Result<std::unique_ptr<Store>> impatient = OpenSqliteStore(SqliteOptions{path(), 50});
  ASSERT_TRUE(impatient) << impatient.error().ToString();  // opening only reads
  Result<bool> enqueued = (*impatient)->Enqueue(TextMessage("wamid.1", "A", 1));
  ASSERT_FALSE(enqueued);
  EXPECT_EQ(enqueued.error().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(other.Exec("ROLLBACK").ok());
  EXPECT_TRUE((*impatient)->Enqueue(TextMessage("wamid.1", "A", 1)).value());
}

}  // namespace
}  // namespace consentflow::engine::store_test
