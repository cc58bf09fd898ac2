// The store contract, continued: the outbox and sending. Replies queued in order, handed out
// one per contact while the oldest is unsent, retries and permanent failures, read receipts,
// delivery statuses, the 24-hour window and the backlog.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/clock.h"
#include "tests/engine/store/store_contract.h"

namespace consentflow::engine::store_test {
namespace {

// ---- outbox

TEST_P(StoreContractTest, TheOutboxHandsOutInQueueOrderUntilSent) {
  EventOutcome outcome = Outcome(NewConversation("A"));
  OutboundMessage list{
      "A", OutboundMessage::Kind::kList, "Pick a day", {{"mon", "Monday"}}, "Days"};
  OutboundMessage location{"A", OutboundMessage::Kind::kLocationRequest, "Where are you?", {}, ""};
  OutboundMessage text{"A", OutboundMessage::Kind::kText, "Thanks", {}, ""};
  outcome.outbound = {list, location, text};
  CommitAll({outcome});

  std::vector<OutboxEntry> pending = store().PendingOutbox(10).value();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].message, list);
  EXPECT_EQ(pending[1].message, location);
  EXPECT_EQ(pending[2].message, text);
  EXPECT_TRUE(pending[0].id < pending[1].id && pending[1].id < pending[2].id);

  ASSERT_TRUE(store().MarkSent(pending[1].id, "wamid.out.2").ok());
  std::vector<OutboxEntry> left = store().PendingOutbox(10).value();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].id, pending[0].id);
  EXPECT_EQ(left[1].id, pending[2].id);
  EXPECT_EQ(store().PendingOutbox(1).value().size(), 1u);

  EXPECT_TRUE(store().MarkSent(pending[1].id, "wamid.out.2").ok());  // a retried call
  EXPECT_EQ(store().MarkSent(pending[1].id, "wamid.other").code(), StatusCode::kConflict);
  EXPECT_EQ(store().MarkSent(pending[2].id + 1000, "wamid.x").code(), StatusCode::kNotFound);
}

// ---- sending: ready entries, retries, failures, receipts, statuses, the window

OutboundMessage Text(const std::string& contact, std::string body) {
  return OutboundMessage{contact, OutboundMessage::Kind::kText, std::move(body), {}, ""};
}

// Commits a new conversation of each contact with the given replies, consuming no message.
void QueueReplies(Store& store,
                  const std::vector<std::pair<std::string, std::vector<std::string>>>& replies) {
  std::vector<EventOutcome> outcomes;
  for (const auto& [contact, bodies] : replies) {
    EventOutcome outcome = Outcome(NewConversation(contact));
    for (const std::string& body : bodies) outcome.outbound.push_back(Text(contact, body));
    outcomes.push_back(std::move(outcome));
  }
  Result<std::vector<Status>> results = store.Commit(outcomes);
  ASSERT_TRUE(results) << results.error().ToString();
  for (const Status& status : *results) ASSERT_TRUE(status.ok()) << status.ToString();
}

std::vector<std::string> Bodies(const std::vector<OutboxEntry>& entries) {
  std::vector<std::string> bodies;
  for (const OutboxEntry& e : entries) {
    bodies.push_back(e.message.body);
  }
  return bodies;
}

TEST_P(StoreContractTest, ReadyOutboxHandsOutEachContactsOldestEntryOnly) {
  QueueReplies(store(), {{"A", {"a1", "a2", "a3"}}, {"B", {"b1"}}});
  std::vector<OutboxEntry> ready = store().ReadyOutbox(At(0), 10).value();
  EXPECT_EQ(Bodies(ready), (std::vector<std::string>{"a1", "b1"}));
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].state, OutboxState::kPending);
  EXPECT_EQ(ready[0].attempts, 0u);
  EXPECT_EQ(ready[0].kind, OutboxEntry::Kind::kMessage);
  EXPECT_EQ(ready[0].message.contact, "A");

  ASSERT_TRUE(store().MarkSent(ready[0].id, "wamid.a1").ok());
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(0), 10).value()), (std::vector<std::string>{"a2", "b1"}));
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(0), 1).value()), (std::vector<std::string>{"a2"}));
  // PendingOutbox still lists every unsent message.
  EXPECT_EQ(Bodies(store().PendingOutbox(10).value()),
            (std::vector<std::string>{"a2", "a3", "b1"}));
}

TEST_P(StoreContractTest, ReadyOutboxLeavesOutWhatTheCallerHolds) {
  QueueReplies(store(), {{"A", {"a1", "a2"}}, {"B", {"b1"}}, {"C", {"c1"}}});
  std::vector<OutboxEntry> ready = store().ReadyOutbox(At(0), 10).value();
  ASSERT_EQ(Bodies(ready), (std::vector<std::string>{"a1", "b1", "c1"}));
  // a1 in flight: neither it nor a2 (still behind it) is handed out, and the limit counts
  // only what is handed out.
  OutboxQuery query;
  query.limit = 1;
  query.held = {ready[0].id};
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(0), query).value()), (std::vector<std::string>{"b1"}));
  query.limit = 10;
  query.held = {ready[0].id, ready[2].id};
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(0), query).value()), (std::vector<std::string>{"b1"}));
}

TEST_P(StoreContractTest, AnEntryBehindOnesTheCallerPassedIsHandedOut) {
  QueueReplies(store(), {{"A", {"a1", "a2", "a3"}}, {"B", {"b1", "b2"}}});
  std::vector<OutboxEntry> ready = store().ReadyOutbox(At(0), 10).value();
  ASSERT_EQ(Bodies(ready), (std::vector<std::string>{"a1", "b1"}));
  // a1 accepted, not recorded yet: a2 is next (a3 still waits behind a2); b1 only held (in
  // flight): b2 still waits.
  OutboxQuery query;
  query.held = {ready[0].id, ready[1].id};
  query.passed = {ready[0].id};
  std::set<std::string, std::less<>> waiting;
  query.waiting = &waiting;
  const std::vector<OutboxEntry> next = store().ReadyOutbox(At(0), query).value();
  ASSERT_EQ(Bodies(next), (std::vector<std::string>{"a2"}));
  EXPECT_EQ(waiting, (std::set<std::string, std::less<>>{"A", "B"}));  // a3 and b2
  // a2 accepted too: a3.
  query.held.insert(next[0].id);
  query.passed.insert(next[0].id);
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(0), query).value()), (std::vector<std::string>{"a3"}));
}

TEST_P(StoreContractTest, ReadyOutboxNarrowsToNewEntriesOrToOneContact) {
  QueueReplies(store(), {{"A", {"a1", "a2"}}, {"B", {"b1"}}});
  std::vector<OutboxEntry> ready = store().ReadyOutbox(At(0), 10).value();
  ASSERT_EQ(Bodies(ready), (std::vector<std::string>{"a1", "b1"}));
  QueueReplies(store(), {{"C", {"c1", "c2"}}});
  // Only what was queued after b1: c1 (c2 waits behind it).
  OutboxQuery after;
  after.after = ready[1].id;
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(0), after).value()), (std::vector<std::string>{"c1"}));
  // Once a1 is accepted, a look at A alone finds a2, and nothing of B or C.
  ASSERT_TRUE(store().MarkSent(ready[0].id, "wamid.a1").ok());
  OutboxQuery of_a;
  of_a.contact = "A";
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(0), of_a).value()), (std::vector<std::string>{"a2"}));
  of_a.contact = "D";
  EXPECT_TRUE(store().ReadyOutbox(At(0), of_a).value().empty());
}

TEST_P(StoreContractTest, ARetryWaitsForItsTimeAndHoldsBackTheContactsLaterEntries) {
  QueueReplies(store(), {{"A", {"a1", "a2"}}, {"B", {"b1"}}});
  const uint64_t a1 = store().ReadyOutbox(At(0), 10).value().at(0).id;

  ASSERT_TRUE(store().MarkRetry(a1, At(100), SendError{500, "server error"}).ok());
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(99), 10).value()), (std::vector<std::string>{"b1"}));
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(100), 10).value()),
            (std::vector<std::string>{"a1", "b1"}));

  ASSERT_TRUE(store().MarkRetry(a1, At(200), SendError{130429, "Rate limit hit"}).ok());
  OutboxEntry entry = store().LookupOutbox(a1).value();
  EXPECT_EQ(entry.state, OutboxState::kPending);
  EXPECT_EQ(entry.attempts, 2u);
  EXPECT_EQ(entry.next_attempt, At(200));
  EXPECT_EQ(entry.error_code, 130429);
  EXPECT_EQ(entry.error, "Rate limit hit");
  EXPECT_EQ(entry.message.body, "a1");  // kept until it is sent

  ASSERT_TRUE(store().MarkSent(a1, "wamid.a1").ok());
  EXPECT_EQ(store().MarkRetry(a1, At(300), SendError{500, "late"}).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().MarkRetry(a1 + 1000, At(300), SendError{}).code(), StatusCode::kNotFound);
  EXPECT_EQ(store().LookupOutbox(a1 + 1000).error().code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, APermanentFailureIsFinalErasesTheTextAndFreesTheNextEntry) {
  QueueReplies(store(), {{"A", {"a1", "a2"}}});
  const uint64_t a1 = store().ReadyOutbox(At(0), 10).value().at(0).id;

  ASSERT_TRUE(store().MarkFailed(a1, SendError{131009, "Parameter value is not valid"}, At(5)).ok());
  OutboxEntry entry = store().LookupOutbox(a1).value();
  EXPECT_EQ(entry.state, OutboxState::kFailed);
  EXPECT_EQ(entry.error_code, 131009);
  EXPECT_EQ(entry.status_time, At(5));
  EXPECT_TRUE(entry.message.body.empty());
  EXPECT_EQ(entry.message.contact, "A");
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(10), 10).value()), (std::vector<std::string>{"a2"}));
  EXPECT_EQ(Bodies(store().PendingOutbox(10).value()), (std::vector<std::string>{"a2"}));

  EXPECT_TRUE(store().MarkFailed(a1, SendError{131009, "again"}, At(6)).ok());  // a retried call
  EXPECT_EQ(store().MarkSent(a1, "wamid.a1").code(), StatusCode::kConflict);
  EXPECT_EQ(store().MarkRetry(a1, At(9), SendError{}).code(), StatusCode::kFailedPrecondition);
  const uint64_t a2 = store().ReadyOutbox(At(10), 10).value().at(0).id;
  ASSERT_TRUE(store().MarkSent(a2, "wamid.a2").ok());
  EXPECT_EQ(store().MarkFailed(a2, SendError{500, "x"}, At(7)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().MarkFailed(a2 + 1000, SendError{}, At(7)).code(), StatusCode::kNotFound);
  EXPECT_EQ(store().MarkSent(a2, "").code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, CommitQueuesTheRepliesOnceAndNoReadReceipt) {
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.in1", "A", 1)).value());
  EventOutcome outcome = Outcome(NewConversation("A"), "wamid.in1");
  outcome.outbound = {Text("A", "hello")};
  CommitAll({outcome});
  // Read receipts go from the engine's report to the sender in memory (EngineReport::read).
  std::vector<OutboxEntry> ready = store().ReadyOutbox(At(0), 10).value();
  ASSERT_EQ(Bodies(ready), (std::vector<std::string>{"hello"}));
  EXPECT_EQ(ready[0].kind, OutboxEntry::Kind::kMessage);
  EXPECT_EQ(ready[0].message.contact, "A");

  // A redelivered message is refused by the commit, so its replies are not queued again.
  Conversation again = Load("A");
  EventOutcome redelivered = Outcome(again, "wamid.in1");
  redelivered.outbound = {Text("A", "hello again")};
  Result<std::vector<Status>> results = store().Commit({redelivered});
  ASSERT_TRUE(results);
  EXPECT_EQ((*results)[0].code(), StatusCode::kConflict);
  EXPECT_EQ(Bodies(store().ReadyOutbox(At(0), 10).value()), (std::vector<std::string>{"hello"}));
}

TEST_P(StoreContractTest, DeliveryStatusesOnlyMoveForward) {
  QueueReplies(store(), {{"A", {"a1"}}, {"B", {"b1"}}});
  std::vector<OutboxEntry> ready = store().ReadyOutbox(At(0), 10).value();
  ASSERT_EQ(ready.size(), 2u);
  ASSERT_TRUE(store().MarkSent(ready[0].id, "wamid.a1").ok());
  ASSERT_TRUE(store().MarkSent(ready[1].id, "wamid.b1").ok());
  OutboxEntry accepted = store().LookupOutbox(ready[0].id).value();
  EXPECT_EQ(accepted.state, OutboxState::kAccepted);
  EXPECT_EQ(accepted.whatsapp_id, "wamid.a1");
  EXPECT_TRUE(accepted.message.body.empty());

  // read arrives before delivered and sent: the late ones change nothing.
  EXPECT_TRUE(store().RecordDelivery({"wamid.a1", OutboxState::kRead, At(30), {}}).value());
  EXPECT_FALSE(store().RecordDelivery({"wamid.a1", OutboxState::kDelivered, At(20), {}}).value());
  EXPECT_FALSE(store().RecordDelivery({"wamid.a1", OutboxState::kSent, At(10), {}}).value());
  EXPECT_FALSE(store().RecordDelivery({"wamid.a1", OutboxState::kRead, At(30), {}}).value());
  OutboxEntry read = store().LookupOutbox(ready[0].id).value();
  EXPECT_EQ(read.state, OutboxState::kRead);
  EXPECT_EQ(read.status_time, At(30));

  // sent, then failed with its code; a late sent does not undo the failure.
  EXPECT_TRUE(store().RecordDelivery({"wamid.b1", OutboxState::kSent, At(10), {}}).value());
  EXPECT_TRUE(store()
                  .RecordDelivery({"wamid.b1", OutboxState::kFailed, At(11),
                                   SendError{131026, "Message undeliverable"}})
                  .value());
  EXPECT_FALSE(store().RecordDelivery({"wamid.b1", OutboxState::kSent, At(10), {}}).value());
  OutboxEntry failed = store().LookupOutbox(ready[1].id).value();
  EXPECT_EQ(failed.state, OutboxState::kFailed);
  EXPECT_EQ(failed.error_code, 131026);
  EXPECT_EQ(failed.error, "Message undeliverable");
  EXPECT_TRUE(store().MarkSent(ready[1].id, "wamid.b1").ok());  // a retried call, still

  EXPECT_EQ(store().RecordDelivery({"wamid.unknown", OutboxState::kRead, At(1), {}}).error().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store().RecordDelivery({"wamid.a1", OutboxState::kAccepted, At(1), {}}).error().code(),
            StatusCode::kInvalidArgument);
}

// WhatsApp can report a send before the sender has recorded the id the API returned for it:
// such statuses wait, and recording the id applies them (the furthest wins; a 131047 failure
// still closes the window). One that never finds its message goes with PruneHistory.
TEST_P(StoreContractTest, AStatusThatArrivesBeforeItsSendIsRecordedIsAppliedThen) {
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.in1", "A", 1)).value());
  QueueReplies(store(), {{"A", {"a1"}}, {"B", {"b1"}}});
  std::vector<OutboxEntry> ready = store().ReadyOutbox(At(0), 10).value();
  ASSERT_EQ(ready.size(), 2u);

  EXPECT_EQ(store().RecordDelivery({"wamid.a1", OutboxState::kDelivered, At(20), {}}).error().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store().RecordDelivery({"wamid.a1", OutboxState::kSent, At(10), {}}).error().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store()
                .RecordDelivery({"wamid.b1", OutboxState::kFailed, At(12),
                                 SendError{131047, "Re-engagement message"}})
                .error()
                .code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(store().MarkSent(ready[0].id, "wamid.a1").ok());
  Result<std::vector<Status>> marked = store().MarkSentAll({{ready[1].id, "wamid.b1"}});
  ASSERT_TRUE(marked);
  ASSERT_TRUE((*marked)[0].ok());

  OutboxEntry a1 = store().LookupOutbox(ready[0].id).value();
  EXPECT_EQ(a1.state, OutboxState::kDelivered);
  EXPECT_EQ(a1.status_time, At(20));
  OutboxEntry b1 = store().LookupOutbox(ready[1].id).value();
  EXPECT_EQ(b1.state, OutboxState::kFailed);
  EXPECT_EQ(b1.error_code, 131047);
  EXPECT_EQ(store().ServiceWindowOf("B").value().closed_at, At(12));
  // Applied once: the same statuses again change nothing.
  EXPECT_FALSE(store().RecordDelivery({"wamid.a1", OutboxState::kDelivered, At(20), {}}).value());

  // A waiting status is kept for a day, then dropped (its message was another tool's).
  QueueReplies(store(), {{"C", {"c1"}}, {"D", {"d1"}}});
  std::vector<OutboxEntry> more = store().ReadyOutbox(At(0), 10).value();
  ASSERT_EQ(more.size(), 2u);
  for (const char* wamid : {"wamid.c1", "wamid.d1"}) {
    EXPECT_EQ(store().RecordDelivery({wamid, OutboxState::kRead, At(30), {}}).error().code(),
              StatusCode::kNotFound);
  }
  const Timestamp now = SystemClock().Now();
  ASSERT_TRUE(store().PruneHistory(now + std::chrono::hours(1), HistoryRetention{}).has_value());
  ASSERT_TRUE(store().MarkSent(more[0].id, "wamid.c1").ok());
  EXPECT_EQ(store().LookupOutbox(more[0].id).value().state, OutboxState::kRead);
  ASSERT_TRUE(store().PruneHistory(now + std::chrono::hours(25), HistoryRetention{}).has_value());
  ASSERT_TRUE(store().MarkSent(more[1].id, "wamid.d1").ok());
  EXPECT_EQ(store().LookupOutbox(more[1].id).value().state, OutboxState::kAccepted);
}

TEST_P(StoreContractTest, TheWindowIsOpenFor24HoursAfterTheContactsLatestMessage) {
  EXPECT_FALSE(store().ServiceWindowOf("A").value().OpenAt(At(0)));  // never wrote
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.1", "A", 100)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.2", "A", 50)).value());  // stamped earlier
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.3", "B", 500)).value());
  ServiceWindow window = store().ServiceWindowOf("A").value();
  EXPECT_EQ(window.last_inbound, At(100));
  EXPECT_EQ(window.closed_at, std::nullopt);
  EXPECT_TRUE(window.OpenAt(At(100)));
  EXPECT_TRUE(window.OpenAt(At(100 + 24 * 3600 - 1)));
  EXPECT_FALSE(window.OpenAt(At(100 + 24 * 3600)));
}

TEST_P(StoreContractTest, AnOutsideWindowFailureClosesTheWindowUntilTheContactWritesAgain) {
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.in1", "A", 1)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.in2", "B", 1)).value());
  QueueReplies(store(), {{"A", {"a1"}}, {"B", {"b1"}}});
  std::vector<OutboxEntry> ready = store().ReadyOutbox(At(0), 10).value();
  ASSERT_EQ(ready.size(), 2u);

  // Synchronously, from the send call.
  ASSERT_TRUE(store().MarkFailed(ready[0].id, SendError{131047, "Re-engagement message"}, At(10)).ok());
  EXPECT_EQ(store().ServiceWindowOf("A").value().closed_at, At(10));
  EXPECT_FALSE(store().ServiceWindowOf("A").value().OpenAt(At(11)));
  // Asynchronously, as a failed status.
  ASSERT_TRUE(store().MarkSent(ready[1].id, "wamid.b1").ok());
  ASSERT_TRUE(store()
                  .RecordDelivery({"wamid.b1", OutboxState::kFailed, At(12),
                                   SendError{131047, "Re-engagement message"}})
                  .value());
  EXPECT_FALSE(store().ServiceWindowOf("B").value().OpenAt(At(13)));

  // An older failure reported late does not move the closing back; a new message reopens.
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.in3", "A", 20)).value());
  EXPECT_TRUE(store().ServiceWindowOf("A").value().OpenAt(At(21)));
  EXPECT_FALSE(store().ServiceWindowOf("B").value().OpenAt(At(21)));
}

// The sender reads the windows of a batch of replies at once: the same windows, in the order
// asked, a contact that never wrote included.
TEST_P(StoreContractTest, WindowsReadTogetherAreTheWindowsReadOneByOne) {
  InboundMessage a = TextMessage("wamid.a", "A", 10);
  a.business_number = "111";
  ASSERT_TRUE(store().Enqueue(a).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.b", "B", 20)).value());
  QueueReplies(store(), {{"B", {"b1"}}});
  const std::vector<OutboxEntry> ready = store().ReadyOutbox(At(0), 10).value();
  ASSERT_EQ(ready.size(), 1u);
  ASSERT_TRUE(store().MarkFailed(ready[0].id, SendError{131047, "Re-engagement message"}, At(30)).ok());

  const std::vector<std::string> contacts = {"B", "nobody", "A"};
  const std::vector<ServiceWindow> windows = store().ServiceWindowsOf(contacts).value();
  ASSERT_EQ(windows.size(), 3u);
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    const ServiceWindow one = store().ServiceWindowOf(contacts[i]).value();
    EXPECT_EQ(windows[i].last_inbound, one.last_inbound) << contacts[i];
    EXPECT_EQ(windows[i].closed_at, one.closed_at) << contacts[i];
    EXPECT_EQ(windows[i].business_number, one.business_number) << contacts[i];
  }
  EXPECT_EQ(windows[0].last_inbound, At(20));
  EXPECT_EQ(windows[0].closed_at, At(30));
  EXPECT_EQ(windows[1].last_inbound, std::nullopt);
  EXPECT_EQ(windows[2].business_number, "111");
  EXPECT_TRUE(windows[2].OpenAt(At(11)));
  EXPECT_TRUE(store().ServiceWindowsOf({}).value().empty());
}

TEST_P(StoreContractTest, BacklogCountsThePendingEntriesAndTheOldest) {
  OutboxBacklog empty = store().Backlog().value();
  EXPECT_EQ(empty.pending, 0u);
  EXPECT_EQ(empty.oldest, std::nullopt);

  const Timestamp before = SystemClock().Now();
  QueueReplies(store(), {{"A", {"a1", "a2"}}, {"B", {"b1"}}});
  const uint64_t a1 = store().ReadyOutbox(At(0), 10).value().at(0).id;
  ASSERT_TRUE(store().MarkSent(a1, "wamid.a1").ok());
  OutboxBacklog backlog = store().Backlog().value();
  EXPECT_EQ(backlog.pending, 2u);
  ASSERT_TRUE(backlog.oldest.has_value());
  EXPECT_LE(before, *backlog.oldest);
}

}  // namespace
}  // namespace consentflow::engine::store_test
