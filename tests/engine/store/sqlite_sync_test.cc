// SqliteStore's durability, counted at the file system: a VFS under the store's own
// (counting_vfs.h) counts the fsyncs (xSync) of the write-ahead log and of the database file. It proves that
// EnqueueAll(kDeferred) and MarkSentAll commit without syncing the log (and what they wrote is
// still there), that Sync() then syncs the log exactly once and a second Sync() not at all, that
// a synced commit (EnqueueAll(kNow), Commit) syncs once and leaves Sync() nothing to do, that a
// non-durable store never syncs on Sync(), and that the WAL hook still checkpoints.
//
// A few small writes never reach the checkpoint threshold, so the database file is never synced
// in those tests; the log's counts are exact. They hold while the log has frames: the first
// commit after a complete checkpoint (or after reopening) restarts the log, and SQLite syncs the
// new log header even at synchronous=NORMAL. Here every store is new, so its migrations' frames
// are in the log and the tests' commits append to it.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/store/sqlite/sqlite_store.h"
#include "tests/engine/store/counting_vfs.h"
#include "tests/engine/store/store_contract.h"

namespace consentflow::engine::store_test {
namespace {

// ---- the tests

class SqliteSyncTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(bool durable = true) {
    Result<std::unique_ptr<Store>> store =
        OpenSqliteStore(SqliteOptions{(scratch_.path() / "store.db").string(), 5000, durable},
                        CountingVfs::kGathered);
    EXPECT_TRUE(store) << store.error().ToString();
    if (!store) return nullptr;
    vfs_.TakeSyncs();  // opening's own syncs (migrations) are not what the tests count
    return std::move(*store);
  }

  // The syncs since the last call (or since Open).
  SyncCounts Syncs() { return vfs_.TakeSyncs(); }

  static std::vector<std::string> Ids(const std::vector<InboundMessage>& messages) {
    std::vector<std::string> ids;
    for (const InboundMessage& m : messages) ids.push_back(m.id);
    return ids;
  }

  CountingVfs& vfs_ = CountingVfs::Instance();
  ScratchDir scratch_;
};

constexpr auto kDeferred = Store::Durability::kDeferred;
constexpr auto kNow = Store::Durability::kNow;
constexpr SyncCounts kNoSync{0, 0};
constexpr SyncCounts kOneLogSync{1, 0};

TEST_F(SqliteSyncTest, ADeferredEnqueueDoesNotSyncTheLogAndKeepsTheMessages) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_TRUE(store);
    Result<std::vector<bool>> fresh = store->EnqueueAll(
        {TextMessage("wamid.1", "A", 1), TextMessage("wamid.2", "B", 2)}, kDeferred);
    ASSERT_TRUE(fresh) << fresh.error().ToString();
    EXPECT_EQ(*fresh, (std::vector<bool>{true, true}));
    EXPECT_EQ(Syncs(), kNoSync);
    EXPECT_EQ(Ids(store->ClaimPending(10, std::chrono::minutes(1)).value()),
              (std::vector<std::string>{"wamid.1", "wamid.2"}));
    EXPECT_EQ(Syncs(), kNoSync);
  }
  // Committed, not just buffered: another connection (the reopened store) reads them, and the
  // claims went with the store that made them.
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(Ids(store->ClaimPending(10, std::chrono::minutes(1)).value()),
            (std::vector<std::string>{"wamid.1", "wamid.2"}));
}

TEST_F(SqliteSyncTest, SyncSyncsTheLogOnceForAllDeferredCommitsAndThenNoMore) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Sync().ok());  // nothing committed since opening
  EXPECT_EQ(Syncs(), kNoSync);

  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.1", "A", 1)}, kDeferred));
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.2", "B", 2)}, kDeferred));
  EXPECT_EQ(Syncs(), kNoSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kOneLogSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);

  // And again after the next deferred commit.
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.3", "C", 3)}, kDeferred));
  EXPECT_EQ(Syncs(), kNoSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kOneLogSync);
}

TEST_F(SqliteSyncTest, ASyncedEnqueueAfterADeferredOneLeavesSyncNothingToDo) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.1", "A", 1)}, kDeferred));
  EXPECT_EQ(Syncs(), kNoSync);
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.2", "B", 2)}, kNow));
  EXPECT_EQ(Syncs(), kOneLogSync);  // which covers wamid.1 too: the log is synced as a whole
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
}

// A server's engine round: the webhook's messages go in deferred, the engine commits its outcome
// (synced), and the Sync() before the webhook is answered costs nothing.
TEST_F(SqliteSyncTest, TheEnginesCommitAfterADeferredEnqueueLeavesSyncNothingToDo) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.1", "A", 1)}, kDeferred));
  ASSERT_EQ(store->ClaimPending(10, std::chrono::minutes(1)).value().size(), 1u);
  EXPECT_EQ(Syncs(), kNoSync);

  Result<std::vector<Status>> committed = store->Commit({Outcome(NewConversation("A"), "wamid.1")});
  ASSERT_TRUE(committed) << committed.error().ToString();
  ASSERT_EQ(committed->size(), 1u);
  ASSERT_TRUE((*committed)[0].ok()) << (*committed)[0].ToString();
  EXPECT_EQ(Syncs(), kOneLogSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
}

// The round's inbox write is covered by the engine's synced commit even when the outbox
// sender's relaxed records land in between: Sync(upto) looks only as far as the round's write.
TEST_F(SqliteSyncTest, SyncUpToAPointIgnoresRelaxedCommitsAfterALaterSyncedOne) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  EventOutcome outcome = Outcome(NewConversation("A"));
  outcome.outbound = {OutboundMessage{"A", OutboundMessage::Kind::kText, "one", {}, ""}};
  ASSERT_TRUE(store->Commit({outcome}));
  const uint64_t queued = store->PendingOutbox(10).value().at(0).id;
  (void)Syncs();

  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.1", "B", 1)}, kDeferred));
  const uint64_t round = store->Commits();
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.2", "C", 2)}, kNow));  // a synced commit
  ASSERT_TRUE(store->MarkSentAll({{queued, "wamid.out.1"}}));            // then a relaxed one
  EXPECT_EQ(Syncs(), kOneLogSync);
  EXPECT_GT(store->Commits(), round);
  ASSERT_TRUE(store->Sync(round).ok());
  EXPECT_EQ(Syncs(), kNoSync);  // the round's write was synced by the later commit
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kOneLogSync);  // the relaxed record was not
}

TEST_F(SqliteSyncTest, AnEnqueueNowSyncsTheLogOnceByItself) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  Result<std::vector<bool>> fresh =
      store->EnqueueAll({TextMessage("wamid.1", "A", 1), TextMessage("wamid.2", "B", 2)}, kNow);
  ASSERT_TRUE(fresh) << fresh.error().ToString();
  EXPECT_EQ(*fresh, (std::vector<bool>{true, true}));
  EXPECT_EQ(Syncs(), kOneLogSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
}

TEST_F(SqliteSyncTest, MarkSentAllLeavesTheLogUnsyncedUntilSync) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  EventOutcome outcome = Outcome(NewConversation("A"));
  outcome.outbound = {OutboundMessage{"A", OutboundMessage::Kind::kText, "one", {}, ""},
                      OutboundMessage{"A", OutboundMessage::Kind::kText, "two", {}, ""}};
  Result<std::vector<Status>> committed = store->Commit({outcome});
  ASSERT_TRUE(committed) << committed.error().ToString();
  ASSERT_TRUE((*committed)[0].ok()) << (*committed)[0].ToString();
  std::vector<OutboxEntry> pending = store->PendingOutbox(10).value();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(Syncs(), kOneLogSync);  // the commit that queued them

  Result<std::vector<Status>> marked =
      store->MarkSentAll({{pending[0].id, "wamid.out.1"}, {pending[1].id, "wamid.out.2"}});
  ASSERT_TRUE(marked) << marked.error().ToString();
  for (const Status& status : *marked) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Syncs(), kNoSync);
  EXPECT_EQ(store->LookupOutbox(pending[1].id).value().state, OutboxState::kAccepted);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kOneLogSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
}

// synchronous=NORMAL throughout: nothing is durable before a checkpoint, and Sync() does not
// pretend otherwise (it has nothing to do).
TEST_F(SqliteSyncTest, ANonDurableStoreNeverSyncsTheLog) {
  std::unique_ptr<Store> store = Open(/*durable=*/false);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.1", "A", 1)}, kDeferred));
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.2", "B", 2)}, kNow));
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
  EXPECT_EQ(store->ClaimPending(10, std::chrono::minutes(1)).value().size(), 2u);
}

// The store's WAL hook replaces SQLite's, which is what ran automatic checkpoints: it must run
// them itself once the log reaches wal_autocheckpoint (8,192 frames). A checkpoint copies the
// log into the database file and syncs that file; nothing else syncs it.
TEST_F(SqliteSyncTest, TheWalHookStillCheckpointsALongLog) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  // Each message fills most of a 4 KiB page, so this one commit writes over 8,192 frames.
  std::vector<InboundMessage> messages;
  for (int i = 0; i < 9000; ++i) {
    messages.push_back(TextMessage("wamid." + std::to_string(i), "A", i, std::string(3000, 'x')));
  }
  ASSERT_TRUE(store->EnqueueAll(messages, kDeferred));
  EXPECT_GE(Syncs().database, 1);
}

}  // namespace
}  // namespace consentflow::engine::store_test
