// The store contract, continued: PruneHistory keeps each record the engine needs only for a
// while as long as HistoryRetention says, and not longer.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "tests/engine/store/store_contract.h"

namespace consentflow::engine::store_test {
namespace {

using std::chrono::hours;

constexpr hours kDay{24};

TEST_P(StoreContractTest, PruneHistoryForgetsProcessedMessageIdsAfterTheirTimeButKeepsPendingOnes) {
  ASSERT_TRUE(store().Enqueue(TextMessage("old", "A", 0)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("recent", "B", 0)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("waiting", "C", 0)).value());
  // "old" and "recent" are processed; "waiting" is not yet.
  CommitAll({Outcome(NewConversation("A"), "old")});
  ASSERT_TRUE(store().Enqueue(TextMessage("recent2", "B", 8 * 24 * 3600)).value());
  CommitAll({Outcome(NewConversation("B"), "recent")});
  CommitAll({[&] {
    Conversation b = Load("B");
    return Outcome(b, "recent2");
  }()});

  // Nine days after "old": past the 8 days a message id is kept, so a redelivery of it would
  // be new again (WhatsApp stops redelivering after 7). "recent2", a day old, is kept.
  ASSERT_TRUE(store().PruneHistory(At(0) + 9 * kDay, HistoryRetention{}).has_value());
  EXPECT_TRUE(store().Enqueue(TextMessage("old", "A", 0)).value());
  EXPECT_FALSE(store().Enqueue(TextMessage("recent2", "B", 8 * 24 * 3600)).value());
  // A pending message stays, however old.
  std::vector<InboundMessage> pending = store().ClaimPending(10, std::chrono::seconds(60)).value();
  std::vector<std::string> ids;
  for (const InboundMessage& m : pending) ids.push_back(m.id);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "waiting"), ids.end());
}

TEST_P(StoreContractTest, PruneHistoryDropsFinalOutboxEntriesAndOldIncidentsOnly) {
  ASSERT_TRUE(store().Enqueue(TextMessage("m1", "A", 1)).value());
  EventOutcome outcome = Outcome(NewConversation("A"), "m1");
  outcome.outbound = {OutboundMessage{"A", OutboundMessage::Kind::kText, "sent one", {}, ""},
                      OutboundMessage{"A", OutboundMessage::Kind::kText, "still to send", {}, ""}};
  outcome.incidents = {PrivacyIncident{"A", "onboarding", "phone", "calls", "a refused field",
                                       At(1)}};
  CommitAll({outcome});
  std::vector<OutboxEntry> queued = store().PendingOutbox(10).value();
  ASSERT_EQ(queued.size(), 2u);
  ASSERT_TRUE(store().MarkSent(queued[0].id, "wamid.out1").ok());

  // The store stamps outbox entries with the system clock; "now" is measured from there.
  const Timestamp now = SystemClock().Now();
  // A day later the sent entry is not old enough (30 days by default).
  ASSERT_TRUE(store().PruneHistory(now + kDay, HistoryRetention{}).has_value());
  EXPECT_TRUE(store().LookupOutbox(queued[0].id).has_value());

  HistoryRetention keep;
  keep.sent_messages = kDay;
  keep.incidents = 400 * kDay;
  ASSERT_TRUE(store().PruneHistory(now + 2 * kDay, keep).has_value());
  EXPECT_EQ(store().LookupOutbox(queued[0].id).error().code(), StatusCode::kNotFound);
  // The entry still to send is kept whatever its age.
  ASSERT_EQ(store().PendingOutbox(10).value().size(), 1u);
  EXPECT_EQ(store().PendingOutbox(10).value()[0].id, queued[1].id);
  EXPECT_EQ(store().ReadIncidents(10).value().size(), 1u);

  keep.incidents = kDay;
  ASSERT_TRUE(store().PruneHistory(At(1) + 2 * kDay, keep).has_value());
  EXPECT_TRUE(store().ReadIncidents(10).value().empty());
}

}  // namespace
}  // namespace consentflow::engine::store_test
