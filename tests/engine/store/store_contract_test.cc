#include "tests/engine/store/store_contract.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "engine/ledger.h"

namespace consentflow::engine::store_test {
namespace {

constexpr Duration kClaim = std::chrono::minutes(1);

std::vector<std::string> Ids(const std::vector<InboundMessage>& messages) {
  std::vector<std::string> ids;
  for (const InboundMessage& message : messages) ids.push_back(message.id);
  return ids;
}

// ---- inbox

TEST_P(StoreContractTest, EnqueueIgnoresARedelivery) {
  ASSERT_EQ(store().Enqueue(TextMessage("wamid.1", "4915100", 1, "first")).value(), true);
  EXPECT_EQ(store().Enqueue(TextMessage("wamid.1", "4915100", 2, "changed")).value(), false);

  std::vector<InboundMessage> pending = store().ClaimPending(10, kClaim).value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].text, "first");
  EXPECT_EQ(pending[0].time, At(1));
}

TEST_P(StoreContractTest, EnqueueAllTakesManyInOneGoAndTellsWhichWereNew) {
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.1", "4915100", 1)).value());
  const Result<std::vector<bool>> fresh = store().EnqueueAll(
      {TextMessage("wamid.1", "4915100", 1), TextMessage("wamid.2", "4915100", 2),
       TextMessage("wamid.3", "4915200", 3), TextMessage("wamid.2", "4915100", 2)});
  ASSERT_TRUE(fresh) << fresh.error().ToString();
  EXPECT_EQ(*fresh, (std::vector<bool>{false, true, true, false}));
  const Result<std::vector<InboundMessage>> pending = store().ClaimPending(10, std::chrono::minutes(1));
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->size(), 3u);
}

TEST_P(StoreContractTest, EnqueueAllIsAllOrNothing) {
  const Result<std::vector<bool>> fresh =
      store().EnqueueAll({TextMessage("wamid.1", "4915100", 1), TextMessage("", "4915100", 2)});
  EXPECT_FALSE(fresh);
  const Result<std::vector<InboundMessage>> pending = store().ClaimPending(10, std::chrono::minutes(1));
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());
}

TEST_P(StoreContractTest, EnqueueStillIgnoresARedeliveryAfterTheMessageWasProcessed) {
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.1", "4915100", 1)).value());
  CommitAll({Outcome(NewConversation("4915100"), "wamid.1")});

  EXPECT_EQ(store().Enqueue(TextMessage("wamid.1", "4915100", 1)).value(), false);
  EXPECT_TRUE(store().ClaimPending(10, kClaim).value().empty());
}

TEST_P(StoreContractTest, ClaimPendingReturnsEveryPartOfTheMessage) {
  InboundMessage message = TextMessage("wamid.1", "4915100", 7, "Ciao! 👋");
  message.kind = MessageKind::kButtonReply;
  message.reply_id = "yes";
  message.location = GeoPoint{52.520008, 13.404954};
  message.referral = AdReferral{"ad-120", "ad"};
  ASSERT_TRUE(store().Enqueue(message).value());

  std::vector<InboundMessage> pending = store().ClaimPending(10, kClaim).value();
  ASSERT_EQ(pending.size(), 1u);
  const InboundMessage& got = pending[0];
  EXPECT_EQ(got.id, "wamid.1");
  EXPECT_EQ(got.contact, "4915100");
  EXPECT_EQ(got.time, At(7));
  EXPECT_EQ(got.kind, MessageKind::kButtonReply);
  EXPECT_EQ(got.text, "Ciao! 👋");
  EXPECT_EQ(got.reply_id, "yes");
  ASSERT_TRUE(got.location.has_value());
  EXPECT_EQ(got.location->latitude, 52.520008);
  EXPECT_EQ(got.location->longitude, 13.404954);
  ASSERT_TRUE(got.referral.has_value());
  EXPECT_EQ(got.referral->source_id, "ad-120");
  EXPECT_EQ(got.referral->source_type, "ad");
}

TEST_P(StoreContractTest, ClaimPendingHandsOutOldestFirst) {
  // Enqueued out of order, as webhooks may arrive; two share a second (arrival breaks the tie).
  ASSERT_TRUE(store().Enqueue(TextMessage("b3", "B", 3)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("a2", "A", 2)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("a1", "A", 1)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("c2", "C", 2)).value());

  EXPECT_EQ(Ids(store().ClaimPending(10, kClaim).value()),
            (std::vector<std::string>{"a1", "a2", "c2", "b3"}));
}

TEST_P(StoreContractTest, ClaimPendingStopsAtTheLimit) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(
        store().Enqueue(TextMessage("m" + std::to_string(i), "C" + std::to_string(i), i)).value());
  }
  EXPECT_EQ(Ids(store().ClaimPending(2, kClaim).value()), (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(Ids(store().ClaimPending(10, kClaim).value()),
            (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_TRUE(store().ClaimPending(0, kClaim).value().empty());
}

TEST_P(StoreContractTest, ClaimPendingSkipsContactsAnotherCallHolds) {
  ASSERT_TRUE(store().Enqueue(TextMessage("a1", "A", 1)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("a2", "A", 2)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("b1", "B", 3)).value());

  EXPECT_EQ(Ids(store().ClaimPending(1, kClaim).value()), (std::vector<std::string>{"a1"}));
  // a2 is not claimed, but its contact is: handing it out would break the contact's order.
  EXPECT_EQ(Ids(store().ClaimPending(10, kClaim).value()), (std::vector<std::string>{"b1"}));
  EXPECT_TRUE(store().ClaimPending(10, kClaim).value().empty());
}

TEST_P(StoreContractTest, CommitReleasesTheContactsClaim) {
  ASSERT_TRUE(store().Enqueue(TextMessage("a1", "A", 1)).value());
  ASSERT_EQ(Ids(store().ClaimPending(10, kClaim).value()), (std::vector<std::string>{"a1"}));
  ASSERT_TRUE(store().Enqueue(TextMessage("a2", "A", 2)).value());
  EXPECT_TRUE(store().ClaimPending(10, kClaim).value().empty());

  CommitAll({Outcome(NewConversation("A"), "a1")});
  EXPECT_EQ(Ids(store().ClaimPending(10, kClaim).value()), (std::vector<std::string>{"a2"}));
}

TEST_P(StoreContractTest, AnExpiredClaimCanBeClaimedAgain) {
  ASSERT_TRUE(store().Enqueue(TextMessage("a1", "A", 1)).value());
  ASSERT_EQ(store().ClaimPending(10, std::chrono::milliseconds(30)).value().size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  EXPECT_EQ(Ids(store().ClaimPending(10, kClaim).value()), (std::vector<std::string>{"a1"}));
}

// ---- commit

TEST_P(StoreContractTest, CommitSavesEverythingOfTheOutcome) {
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.in", "4915100", 1, "YES")).value());

  Conversation conversation = NewConversation("4915100");
  conversation.phase = Phase::kHandoff;
  conversation.invalid_answers = 2;
  conversation.timer = TimerKind::kFlowTimeout;
  conversation.timer_due = At(3600);
  conversation.handoff = HandoffTicket{"sales", dsl::ast::Priority::kHigh, "wants a call", At(9)};
  Consent(conversation, "marketing", {"offers", "service"});
  Field(conversation, "email", "anna@example.org", "offers", 86400);
  Field(conversation, "name", "Anna", "service", 3600);

  EventOutcome outcome = Outcome(conversation, "wamid.in");
  outcome.decisions = {GrantDecision("4915100", "marketing", 8)};
  OutboundMessage reply{"4915100",
                        OutboundMessage::Kind::kButtons,
                        "Thanks, Anna!",
                        {{"more", "Tell me more"}, {"stop", "Stop"}},
                        ""};
  OutboundMessage note{"4915100", OutboundMessage::Kind::kText, "An agent will reply.", {}, ""};
  outcome.outbound = {reply, note};
  outcome.incidents = {PrivacyIncident{"4915100", "onboarding", "phone", "calls",
                                       "hook tried to set 'phone' without consent", At(8)}};
  const Timestamp before = SystemClock().Now();
  CommitAll({outcome});
  const Timestamp after = SystemClock().Now();

  Conversation expected = conversation;
  expected.revision = 1;
  EXPECT_EQ(Load("4915100"), expected);

  std::vector<OutboxEntry> outbox = store().PendingOutbox(10).value();
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[0].message, reply);
  EXPECT_EQ(outbox[1].message, note);
  EXPECT_LT(outbox[0].id, outbox[1].id);
  // Stamped by the store itself: Commit takes no clock.
  EXPECT_TRUE(before <= outbox[0].queued && outbox[0].queued <= after);

  std::vector<LedgerEntry> ledger = store().ReadLedger(1, 10).value();
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0], MakeLedgerEntry(outcome.decisions[0], 1, kGenesisHash));

  std::vector<PrivacyIncident> incidents = store().ReadIncidents(10).value();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].field, "phone");
  EXPECT_EQ(incidents[0].what, "hook tried to set 'phone' without consent");
  EXPECT_EQ(incidents[0].time, At(8));

  EXPECT_TRUE(store().ClaimPending(10, kClaim).value().empty());
}

TEST_P(StoreContractTest, EachCommitBumpsTheRevision) {
  Conversation conversation = CommitNew(NewConversation("A"));
  conversation.step = 4;
  CommitAll({Outcome(conversation)});
  Conversation stored = Load("A");
  EXPECT_EQ(stored.revision, 2u);
  EXPECT_EQ(stored.step, 4u);
}

TEST_P(StoreContractTest, AStaleRevisionFailsOnlyItsOwnOutcome) {
  Conversation b = CommitNew(NewConversation("B"));
  ASSERT_TRUE(store().Enqueue(TextMessage("a1", "A", 1)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("b1", "B", 1)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("c1", "C", 1)).value());

  EventOutcome a = Outcome(NewConversation("A"), "a1");
  a.decisions = {GrantDecision("A", "marketing", 10)};
  a.outbound = {OutboundMessage{"A", OutboundMessage::Kind::kText, "to A", {}, ""}};
  Conversation stale_b = b;
  stale_b.revision = 0;
  stale_b.state = 9;
  EventOutcome stale = Outcome(stale_b, "b1");
  stale.decisions = {GrantDecision("B", "marketing", 11)};
  stale.outbound = {OutboundMessage{"B", OutboundMessage::Kind::kText, "to B", {}, ""}};
  EventOutcome c = Outcome(NewConversation("C"), "c1");
  c.decisions = {GrantDecision("C", "marketing", 12)};

  Result<std::vector<Status>> results = store().Commit({a, stale, c});
  ASSERT_TRUE(results) << results.error().ToString();
  ASSERT_EQ(results->size(), 3u);
  EXPECT_TRUE((*results)[0].ok()) << (*results)[0].ToString();
  EXPECT_EQ((*results)[1].code(), StatusCode::kConflict);
  EXPECT_TRUE((*results)[2].ok()) << (*results)[2].ToString();

  EXPECT_EQ(Load("B"), b);
  EXPECT_EQ(Load("A").revision, 1u);
  EXPECT_EQ(Load("C").revision, 1u);
  std::vector<OutboxEntry> outbox = store().PendingOutbox(10).value();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].message.body, "to A");
  std::vector<LedgerEntry> ledger = store().ReadLedger(1, 10).value();
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].contact, "A");
  EXPECT_EQ(ledger[1].contact, "C");
  // The failed outcome's message is still to be processed.
  EXPECT_EQ(Ids(store().ClaimPending(10, kClaim).value()), (std::vector<std::string>{"b1"}));
}

TEST_P(StoreContractTest, ANewContactMustComeWithRevisionZero) {
  Conversation conversation = NewConversation("A");
  conversation.revision = 3;
  Result<std::vector<Status>> results = store().Commit({Outcome(conversation)});
  ASSERT_TRUE(results);
  EXPECT_EQ((*results)[0].code(), StatusCode::kConflict);
  EXPECT_FALSE(store().LoadConversation("A").value().has_value());
}

TEST_P(StoreContractTest, OutcomesOfOneContactInOneBatchApplyInOrder) {
  Conversation first = NewConversation("A");
  Conversation second = first;
  second.revision = 1;
  second.step = 7;
  CommitAll({Outcome(first), Outcome(second)});
  EXPECT_EQ(Load("A").revision, 2u);
  EXPECT_EQ(Load("A").step, 7u);
}

TEST_P(StoreContractTest, AMessageIsCommittedOnlyOnce) {
  ASSERT_TRUE(store().Enqueue(TextMessage("a1", "A", 1)).value());
  Conversation second = NewConversation("A");
  second.revision = 1;
  Result<std::vector<Status>> results =
      store().Commit({Outcome(NewConversation("A"), "a1"), Outcome(second, "a1")});
  ASSERT_TRUE(results);
  EXPECT_TRUE((*results)[0].ok());
  EXPECT_EQ((*results)[1].code(), StatusCode::kConflict);
  EXPECT_EQ(Load("A").revision, 1u);
}

TEST_P(StoreContractTest, AMessageThatWasNeverEnqueuedIsRefused) {
  Result<std::vector<Status>> results = store().Commit({Outcome(NewConversation("A"), "nope")});
  ASSERT_TRUE(results);
  EXPECT_EQ((*results)[0].code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(store().LoadConversation("A").value().has_value());
}

// ---- messages that did not go through the inbox (EventOutcome::arrival)

EventOutcome Arrived(Conversation conversation, const std::string& message_id, int64_t second,
                     const std::string& business_number = "") {
  EventOutcome outcome = Outcome(conversation, message_id);
  outcome.arrival = EventOutcome::Arrival{conversation.contact, At(second), business_number};
  return outcome;
}

TEST_P(StoreContractTest, HasPendingTellsWhetherAnyMessageIsUnprocessed) {
  EXPECT_FALSE(store().HasPending().value());
  ASSERT_TRUE(store().Enqueue(TextMessage("p1", "A", 1)).value());
  EXPECT_TRUE(store().HasPending().value());
  ASSERT_EQ(store().ClaimPending(10, kClaim).value().size(), 1u);
  EXPECT_TRUE(store().HasPending().value()) << "claimed is not processed";
  CommitAll({Outcome(NewConversation("A"), "p1")});
  EXPECT_FALSE(store().HasPending().value());
}

TEST_P(StoreContractTest, AnArrivedMessageIsRecordedProcessedWithItsOutcome) {
  CommitAll({Arrived(NewConversation("A"), "arr1", 5, "106540352242922")});
  EXPECT_EQ(Load("A").revision, 1u);
  EXPECT_FALSE(store().HasPending().value());
  EXPECT_TRUE(store().ClaimPending(10, kClaim).value().empty());
  // Its id is known: a redelivery through the inbox is recognised.
  EXPECT_FALSE(store().Enqueue(TextMessage("arr1", "A", 5)).value());
  // It opened the contact's window, for the number it was sent to.
  const ServiceWindow window = store().ServiceWindowOf("A").value();
  EXPECT_EQ(window.last_inbound, At(5));
  EXPECT_EQ(window.business_number, "106540352242922");
}

TEST_P(StoreContractTest, AnArrivedMessageSeenBeforeIsRefusedAndChangesNothing) {
  ASSERT_TRUE(store().Enqueue(TextMessage("seen", "A", 1)).value());
  CommitAll({Outcome(NewConversation("A"), "seen")});
  ASSERT_TRUE(store().Enqueue(TextMessage("waiting", "B", 2)).value());
  Conversation again = NewConversation("A");
  again.revision = 1;
  again.step = 9;
  EventOutcome seen = Arrived(again, "seen", 3);
  seen.outbound.push_back(OutboundMessage{"A", OutboundMessage::Kind::kText, "again", {}, ""});
  Result<std::vector<Status>> results =
      store().Commit({seen, Arrived(NewConversation("B"), "waiting", 2)});
  ASSERT_TRUE(results);
  EXPECT_EQ((*results)[0].code(), StatusCode::kConflict) << "processed already";
  EXPECT_EQ((*results)[1].code(), StatusCode::kConflict) << "in the inbox already";
  EXPECT_EQ(Load("A").revision, 1u);
  EXPECT_EQ(Load("A").step, NewConversation("A").step);
  EXPECT_FALSE(store().LoadConversation("B").value().has_value());
  EXPECT_TRUE(store().ReadyOutbox(At(10), 10).value().empty()) << "no reply of a refused outcome";
}

TEST_P(StoreContractTest, AFieldWithoutConsentIsRefusedAndTheIncidentIsKept) {
  ASSERT_TRUE(store().Enqueue(TextMessage("bad1", "BAD", 1)).value());
  ASSERT_TRUE(store().Enqueue(TextMessage("ok1", "OK", 2)).value());
  Conversation bad = NewConversation("BAD");
  Consent(bad, "service_notice", {"service"});
  Field(bad, "name", "Bea", "service");
  Field(bad, "email", "bea@example.org", "offers");  // no consent covers 'offers'
  EventOutcome refused = Outcome(bad, "bad1");
  refused.decisions = {GrantDecision("BAD", "service_notice", 3)};
  refused.outbound = {OutboundMessage{"BAD", OutboundMessage::Kind::kText, "hi", {}, ""}};
  Conversation ok = NewConversation("OK");
  Consent(ok, "marketing", {"offers"});
  Field(ok, "email", "olga@example.org", "offers");

  Result<std::vector<Status>> results = store().Commit({refused, Outcome(ok, "ok1")});
  ASSERT_TRUE(results) << results.error().ToString();
  EXPECT_EQ((*results)[0].code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*results)[0].message().find("bea@example.org"), std::string::npos);
  EXPECT_TRUE((*results)[1].ok()) << (*results)[1].ToString();

  EXPECT_FALSE(store().LoadConversation("BAD").value().has_value());
  EXPECT_EQ(Load("OK").fields.size(), 1u);
  EXPECT_TRUE(store().ReadLedger(1, 10).value().empty());
  EXPECT_TRUE(store().PendingOutbox(10).value().empty());
  EXPECT_EQ(Ids(store().ClaimPending(10, kClaim).value()), (std::vector<std::string>{"bad1"}));

  std::vector<PrivacyIncident> incidents = store().ReadIncidents(10).value();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].contact, "BAD");
  EXPECT_EQ(incidents[0].flow_id, "onboarding");
  EXPECT_EQ(incidents[0].field, "email");
  EXPECT_EQ(incidents[0].purpose, "offers");
  EXPECT_EQ(incidents[0].what.find("bea@example.org"), std::string::npos);
}

TEST_P(StoreContractTest, CommitReplacesTheFieldsAndConsentsOfItsFlowOnly) {
  Conversation a = NewConversation("A", "onboarding");
  Consent(a, "marketing", {"offers"});
  Consent(a, "service_notice", {"service"});
  Field(a, "email", "anna@example.org", "offers");
  Field(a, "name", "Anna", "service");
  a = CommitNew(a);

  // Withdrawn marketing: the consent and the field it covered go.
  a.consents.erase("marketing");
  a.fields.erase("email");
  CommitAll({Outcome(a)});
  Conversation stored = Load("A");
  EXPECT_EQ(stored.consents.size(), 1u);
  EXPECT_EQ(stored.fields.size(), 1u);
  EXPECT_EQ(stored.fields.count("name"), 1u);

  // Moving to another flow keeps the first flow's data under that flow.
  Conversation moved = stored;
  moved.flow_id = "support";
  moved.fields.clear();
  moved.consents.clear();
  Consent(moved, "support_notice", {"support"});
  Field(moved, "ticket", "T-17", "support");
  CommitAll({Outcome(moved)});
  stored = Load("A");
  EXPECT_EQ(stored.flow_id, "support");
  EXPECT_EQ(stored.fields.count("ticket"), 1u);
  EXPECT_EQ(stored.fields.count("name"), 0u);
}

TEST_P(StoreContractTest, LoadFlowDataReadsAnotherFlowOfTheContact) {
  Conversation a = NewConversation("A", "onboarding");
  Consent(a, "service_notice", {"service"});
  Field(a, "name", "Anna", "service");
  a = CommitNew(a);
  Conversation moved = a;
  moved.flow_id = "support";
  moved.fields.clear();
  moved.consents.clear();
  CommitAll({Outcome(moved)});

  Conversation current = Load("A");
  ASSERT_TRUE(store().LoadFlowData("onboarding", current).ok());
  EXPECT_EQ(current.fields, a.fields);
  EXPECT_EQ(current.consents, a.consents);
  EXPECT_EQ(current.flow_id, "support");  // only fields and consents are written

  ASSERT_TRUE(store().LoadFlowData("never-used", current).ok());
  EXPECT_TRUE(current.fields.empty());
  EXPECT_TRUE(current.consents.empty());
}

TEST_P(StoreContractTest, LoadConversationOfAnUnknownContactIsEmpty) {
  Result<std::optional<Conversation>> loaded = store().LoadConversation("nobody");
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->has_value());
}

// ---- ledger

TEST_P(StoreContractTest, TheLedgerChainContinuesAcrossBatches) {
  EventOutcome first = Outcome(NewConversation("A"));
  first.decisions = {GrantDecision("A", "marketing", 1), GrantDecision("A", "service_notice", 2)};
  CommitAll({first});

  Conversation stale = NewConversation("A");  // revision 0 again: refused with its decision
  EventOutcome refused = Outcome(stale);
  refused.decisions = {GrantDecision("A", "marketing", 3)};
  Conversation b = NewConversation("B");
  EventOutcome second = Outcome(b);
  ConsentDecision withdrawal = GrantDecision("B", "marketing", 4);
  withdrawal.decision = Decision::kWithdrawn;
  second.decisions = {withdrawal};
  Result<std::vector<Status>> results = store().Commit({refused, second});
  ASSERT_TRUE(results);
  EXPECT_EQ((*results)[0].code(), StatusCode::kConflict);
  EXPECT_TRUE((*results)[1].ok());

  std::vector<LedgerEntry> ledger = store().ReadLedger(1, 100).value();
  ASSERT_EQ(ledger.size(), 3u);
  LedgerVerifier verifier;
  for (const LedgerEntry& entry : ledger) {
    EXPECT_TRUE(verifier.Add(entry)) << verifier.problem();
  }
  EXPECT_EQ(verifier.checked(), 3u);
  EXPECT_EQ(ledger[2], MakeLedgerEntry(withdrawal, 3, ledger[1].hash));

  std::vector<LedgerEntry> middle = store().ReadLedger(2, 1).value();
  ASSERT_EQ(middle.size(), 1u);
  EXPECT_EQ(middle[0], ledger[1]);
  EXPECT_TRUE(store().ReadLedger(4, 10).value().empty());
}

TEST_P(StoreContractTest, ConcurrentCommitsKeepTheLedgerOneChain) {
  constexpr int kThreads = 4;
  constexpr int kCommits = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Conversation conversation = NewConversation("T" + std::to_string(t));
      for (int i = 0; i < kCommits; ++i) {
        EventOutcome outcome = Outcome(conversation);
        outcome.decisions = {GrantDecision(conversation.contact, "marketing", i)};
        Result<std::vector<Status>> results = store().Commit({outcome});
        if (!results || !(*results)[0].ok()) ++failures;
        ++conversation.revision;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  std::vector<LedgerEntry> ledger = store().ReadLedger(1, 1000).value();
  EXPECT_EQ(ledger.size(), static_cast<std::size_t>(kThreads * kCommits));
  LedgerVerifier verifier;
  for (const LedgerEntry& entry : ledger) ASSERT_TRUE(verifier.Add(entry)) << verifier.problem();
}

// ---- timers

TEST_P(StoreContractTest, DueTimersAreTheDueOnesEarliestFirst) {
  struct Timer {
    const char* contact;
    TimerKind kind;
    int64_t due;
  };
  for (const Timer& timer :
       {Timer{"late", TimerKind::kStepTimeout, 30}, Timer{"first", TimerKind::kFlowTimeout, 10},
        Timer{"second", TimerKind::kStepTimeout, 20}, Timer{"no-timer", TimerKind::kNone, 5},
        Timer{"future", TimerKind::kStepTimeout, 100}}) {
    Conversation conversation = NewConversation(timer.contact);
    conversation.timer = timer.kind;
    conversation.timer_due = At(timer.due);
    CommitNew(conversation);
  }

  std::vector<TimerFired> due = store().DueTimers(At(30), 10).value();
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].contact, "first");
  EXPECT_EQ(due[0].due, At(10));
  EXPECT_EQ(due[1].contact, "second");
  EXPECT_EQ(due[2].contact, "late");  // due exactly now counts
  EXPECT_EQ(store().DueTimers(At(30), 1).value().size(), 1u);
  EXPECT_TRUE(store().DueTimers(At(9), 10).value().empty());
}

// ---- retention

TEST_P(StoreContractTest, EraseExpiredFieldsErasesOnlyExpiredValues) {
  Conversation a = NewConversation("A");
  Consent(a, "service_notice", {"service"});
  Field(a, "name", "Anna", "service", 10);
  Field(a, "city", "Berlin", "service", 20);
  Field(a, "phone", "+49151", "service", 30);
  CommitNew(a);
  Conversation b = NewConversation("B");
  Consent(b, "service_notice", {"service"});
  Field(b, "name", "Ben", "service", 40);
  CommitNew(b);

  EXPECT_EQ(store().EraseExpiredFields(At(20)).value(), 2u);  // at or before
  Conversation stored = Load("A");
  ASSERT_EQ(stored.fields.size(), 1u);
  EXPECT_EQ(stored.fields.count("phone"), 1u);
  EXPECT_EQ(stored.consents.size(), 1u);
  EXPECT_EQ(Load("B").fields.size(), 1u);
  EXPECT_EQ(store().EraseExpiredFields(At(20)).value(), 0u);
}

TEST_P(StoreContractTest, EraseExpiredFieldsMakesLoadedCopiesStale) {
  Conversation a = NewConversation("A");
  Consent(a, "service_notice", {"service"});
  Field(a, "name", "Anna", "service", 10);
  CommitNew(a);
  Conversation loaded = Load("A");

  ASSERT_EQ(store().EraseExpiredFields(At(10)).value(), 1u);
  // Saving the copy loaded before the sweep would write the erased value back.
  Result<std::vector<Status>> results = store().Commit({Outcome(loaded)});
  ASSERT_TRUE(results);
  EXPECT_EQ((*results)[0].code(), StatusCode::kConflict);

  Conversation reloaded = Load("A");
  EXPECT_TRUE(reloaded.fields.empty());
  CommitAll({Outcome(reloaded)});
}

// ---- handoff

TEST_P(StoreContractTest, HandoffQueueIsMostUrgentFirstThenOldestFirst) {
  using dsl::ast::Priority;
  struct Waiting {
    const char* contact;
    const char* queue;
    Priority priority;
    int64_t since;
    Phase phase;
  };
  for (const Waiting& w :
       {Waiting{"low", "sales", Priority::kLow, 1, Phase::kHandoff},
        Waiting{"urgent-new", "sales", Priority::kUrgent, 3, Phase::kHandoff},
        Waiting{"high", "sales", Priority::kHigh, 2, Phase::kHandoff},
        Waiting{"urgent-old", "sales", Priority::kUrgent, 1, Phase::kHandoff},
        Waiting{"normal", "sales", Priority::kNormal, 0, Phase::kHandoff},
        Waiting{"support", "support", Priority::kUrgent, 0, Phase::kHandoff},
        Waiting{"back-to-bot", "sales", Priority::kUrgent, 0, Phase::kWaiting}}) {
    Conversation conversation = NewConversation(w.contact);
    conversation.phase = w.phase;
    conversation.handoff = HandoffTicket{w.queue, w.priority, "note", At(w.since)};
    CommitNew(conversation);
  }

  std::vector<QueuedHandoff> queue = store().HandoffQueue("sales").value();
  std::vector<std::string> contacts;
  for (const QueuedHandoff& entry : queue) contacts.push_back(entry.contact);
  EXPECT_EQ(contacts,
            (std::vector<std::string>{"urgent-old", "urgent-new", "high", "normal", "low"}));
  ASSERT_FALSE(queue.empty());
  EXPECT_EQ(queue[0].flow_id, "onboarding");
  EXPECT_EQ(queue[0].ticket, (HandoffTicket{"sales", Priority::kUrgent, "note", At(1)}));
  EXPECT_TRUE(store().HandoffQueue("nobody").value().empty());
}

}  // namespace
}  // namespace consentflow::engine::store_test
