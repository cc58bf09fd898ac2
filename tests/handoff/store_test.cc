// Tickets and transcripts in the SQLite store, driven by the real engine: opened and closed in
// the engine's commit, claimed atomically across connections, replies through the outbox with
// the 24-hour window, hand-back resuming the flow, retention; agents, sessions, audit.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "engine/handoff/transitions.h"
#include "engine/server/handoff_ticket_ids.h"
#include "engine/store/sqlite/sqlite_db.h"
#include "tests/handoff/handoff_test_support.h"

namespace consentflow::engine::handoff {
namespace {

using testing::EngineFixture;
using testing::kMenuQuestion;

class HandoffStoreTest : public EngineFixture {
 protected:
  Ticket Claim(uint64_t id, const std::string& agent) {
    Result<Ticket> t = store_->ClaimTicket(id, agent, clock_.Now());
    EXPECT_TRUE(t) << t.error().message();
    return t ? *t : Ticket{};
  }
  AuditEntry Audit(const std::string& action) {
    return {0, clock_.Now(), "ann", action, 0, "", ""};
  }
  Result<TranscriptEntry> Reply(uint64_t id, const std::string& agent, const std::string& text) {
    OutboundMessage m;
    m.body = text;
    TranscriptEntry e;
    e.agent = agent;
    e.text = text;
    e.time = clock_.Now();
    e.expires = clock_.Now() + kDefaultTranscriptRetention;
    return store_->QueueAgentReply(id, m, e);
  }
};

TEST_F(HandoffStoreTest, AHandoffOpensAWaitingTicketInTheSameCommit) {
  const uint64_t id = HandOff("c1");
  Result<Ticket> t = store_->FindTicket(id);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->contact, "c1");
  EXPECT_EQ(t->flow_id, "desk");
  EXPECT_EQ(t->queue, "support");
  EXPECT_EQ(t->priority, dsl::ast::Priority::kHigh);
  EXPECT_EQ(t->note, "Asked for a person");
  EXPECT_EQ(t->since, clock_.Now());
  EXPECT_EQ(t->state, TicketState::kWaiting);
  EXPECT_TRUE(t->agent.empty());
  // The conversation's queue entry and the ticket agree.
  Result<std::vector<QueuedHandoff>> queue = store_->HandoffQueue("support");
  ASSERT_TRUE(queue);
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ(queue->front().contact, "c1");
  EXPECT_EQ(store_->FindTicket(id + 100).error().code(), StatusCode::kNotFound);
}

TEST_F(HandoffStoreTest, OpenTicketsComeInWaitingOrder) {
  const uint64_t first = HandOff("c1");
  clock_.Advance(std::chrono::minutes(1));
  const uint64_t second = HandOff("c2");
  Result<std::vector<Ticket>> open = store_->OpenTickets("");
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].id, first);
  EXPECT_EQ((*open)[1].id, second);
  EXPECT_TRUE(store_->OpenTickets("sales")->empty());
}

TEST_F(HandoffStoreTest, AParkedCustomersMessageGoesToTheTranscriptNotTheBot) {
  const uint64_t id = HandOff("c1");
  const std::size_t replies = Outbox("c1").size();
  clock_.Advance(std::chrono::seconds(30));
  Send("c1", "Is anyone there? Order 482913");
  Send("c1", "A person");  // a menu title: the bot must not answer it either
  EXPECT_EQ(Outbox("c1").size(), replies) << "the bot stays silent";
  Result<std::vector<TranscriptEntry>> transcript = store_->Transcript(id);
  ASSERT_TRUE(transcript);
  ASSERT_EQ(transcript->size(), 2u);
  const TranscriptEntry& e = transcript->front();
  EXPECT_EQ(e.author, TranscriptEntry::Author::kCustomer);
  EXPECT_EQ(e.text, "Is anyone there? Order 482913");
  EXPECT_EQ(e.kind, "text");
  EXPECT_EQ(e.time, clock_.Now());
  EXPECT_EQ(e.expires, clock_.Now() + kDefaultTranscriptRetention);
  EXPECT_FALSE(e.message_id.empty());
  EXPECT_EQ(e.ticket_id, id);
}

TEST_F(HandoffStoreTest, ConcurrentClaimsFromManyConnectionsExactlyOneWins) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 6;
  std::vector<std::unique_ptr<Store>> connections;
  for (int i = 0; i < kThreads; ++i) connections.push_back(Open());
  for (int round = 0; round < kRounds; ++round) {
    const uint64_t id = HandOff("c" + std::to_string(round));
    std::atomic<int> won{0}, conflicts{0}, other{0};
    std::string winner;
    std::mutex winner_mu;
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        const std::string agent = "agent" + std::to_string(i);
        start.arrive_and_wait();
        Result<Ticket> t = connections[i]->ClaimTicket(id, agent, clock_.Now());
        if (t) {
          ++won;
          std::lock_guard lock(winner_mu);
          winner = agent;
        } else if (t.error().code() == StatusCode::kConflict) {
          ++conflicts;
        } else {
          ++other;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(won.load(), 1) << "round " << round;
    EXPECT_EQ(conflicts.load(), kThreads - 1);
    EXPECT_EQ(other.load(), 0);
    Result<Ticket> t = store_->FindTicket(id);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->state, TicketState::kClaimed);
    EXPECT_EQ(t->agent, winner);
  }
}

TEST_F(HandoffStoreTest, AnUpdateFromAStaleCopyIsRefused) {
  const uint64_t id = HandOff("c1");
  const Ticket claimed = Claim(id, "ann");
  Result<Ticket> released = store_->UpdateTicket(Released(claimed), Audit("release"));
  ASSERT_TRUE(released) << released.error().message();
  EXPECT_EQ(released->state, TicketState::kWaiting);
  EXPECT_EQ(released->revision, claimed.revision + 1);
  // The same change again, from the copy read before: someone else got there first.
  EXPECT_EQ(
      store_->UpdateTicket(TransferredToQueue(claimed, "sales"), Audit("transfer")).error().code(),
      StatusCode::kConflict);
  Result<Ticket> moved =
      store_->UpdateTicket(TransferredToQueue(*released, "sales"), Audit("transfer"));
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->queue, "sales");
  EXPECT_EQ(moved->since, claimed.since) << "a transfer keeps the ticket's place";
  Ticket closed = *moved;
  closed.state = TicketState::kClosed;
  EXPECT_EQ(store_->UpdateTicket(closed, Audit("close")).error().code(),
            StatusCode::kInvalidArgument);
  // Claiming twice: the second is a conflict.
  Claim(id, "bob");
  EXPECT_EQ(store_->ClaimTicket(id, "cat", clock_.Now()).error().code(), StatusCode::kConflict);
  EXPECT_EQ(store_->ClaimTicket(id + 50, "cat", clock_.Now()).error().code(),
            StatusCode::kNotFound);
  // Each change that happened wrote its audit entry in its own transaction; the refused ones none.
  std::vector<std::string> audit;
  const std::vector<AuditEntry> entries = store_->ReadAudit(0, 100).value();
  for (const AuditEntry& e : entries) {
    audit.push_back(e.agent + " " + e.action);
    EXPECT_EQ(e.ticket_id, id);
    EXPECT_EQ(e.contact, "c1");
  }
  EXPECT_EQ(audit,
            (std::vector<std::string>{"ann claim", "ann release", "ann transfer", "bob claim"}));
}

TEST_F(HandoffStoreTest, AReplyGoesThroughTheOutboxAndShowsItsDeliveryStatus) {
  const uint64_t id = HandOff("c1");
  EXPECT_EQ(Reply(id, "ann", "Hi").error().code(), StatusCode::kConflict) << "not claimed";
  Claim(id, "ann");
  EXPECT_EQ(Reply(id, "bob", "Hi").error().code(), StatusCode::kConflict) << "not bob's";
  const std::size_t before = Outbox("c1").size();
  Result<TranscriptEntry> reply = Reply(id, "ann", "Hello, I'm Ann. How can I help?");
  ASSERT_TRUE(reply) << reply.error().message();
  ASSERT_TRUE(reply->outbox_id);
  EXPECT_EQ(reply->delivery, "pending");
  const std::vector<std::string> outbox = Outbox("c1");
  ASSERT_EQ(outbox.size(), before + 1);
  EXPECT_EQ(outbox.back(), "Hello, I'm Ann. How can I help?");
  // The sender and the webhook move it on; the transcript shows where it stands.
  ASSERT_TRUE(store_->MarkSent(*reply->outbox_id, "wamid.out.1").ok());
  Result<bool> delivered =
      store_->RecordDelivery({"wamid.out.1", OutboxState::kDelivered, clock_.Now(), {}});
  ASSERT_TRUE(delivered && *delivered);
  Result<std::vector<TranscriptEntry>> transcript = store_->Transcript(id);
  ASSERT_TRUE(transcript);
  ASSERT_EQ(transcript->size(), 1u);
  EXPECT_EQ(transcript->front().author, TranscriptEntry::Author::kAgent);
  EXPECT_EQ(transcript->front().agent, "ann");
  EXPECT_EQ(transcript->front().delivery, "delivered");
  EXPECT_EQ(transcript->front().text, "Hello, I'm Ann. How can I help?");
}

TEST_F(HandoffStoreTest, NoReplyOnceTheTwentyFourHourWindowHasPassed) {
  const uint64_t id = HandOff("c1");
  Claim(id, "ann");
  clock_.Advance(std::chrono::hours(24));
  const std::size_t before = Outbox("c1").size();
  Result<TranscriptEntry> late = Reply(id, "ann", "Sorry for the wait");
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Outbox("c1").size(), before);
  EXPECT_TRUE(store_->Transcript(id)->empty());
  // The customer writes again: the window opens again.
  Send("c1", "Hello?");
  EXPECT_TRUE(Reply(id, "ann", "Here now"));
}

TEST_F(HandoffStoreTest, ATemplateGoesOutAfterTheWindowWhereFreeTextCannot) {
  const uint64_t id = HandOff("c1");
  Claim(id, "ann");
  clock_.Advance(std::chrono::hours(25));
  ASSERT_EQ(Reply(id, "ann", "Sorry for the wait").error().code(), StatusCode::kFailedPrecondition);
  OutboundMessage follow_up;
  follow_up.kind = OutboundMessage::Kind::kTemplate;
  follow_up.body = "Hello Lena, we have news about your request.";
  follow_up.template_name = "follow_up";
  follow_up.template_language = "en";
  follow_up.template_params = {"Lena"};
  TranscriptEntry e;
  e.agent = "ann";
  e.text = follow_up.body;
  e.time = clock_.Now();
  e.expires = clock_.Now() + kDefaultTranscriptRetention;
  Result<TranscriptEntry> sent = store_->QueueAgentReply(id, follow_up, e);
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_EQ(sent->kind, "template");
  // The outbox keeps what the sender needs to send it again after a restart.
  Result<OutboxEntry> queued = store_->LookupOutbox(*sent->outbox_id);
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->message.kind, OutboundMessage::Kind::kTemplate);
  EXPECT_EQ(queued->message.contact, "c1");
  EXPECT_EQ(queued->message.template_name, "follow_up");
  EXPECT_EQ(queued->message.template_language, "en");
  EXPECT_EQ(queued->message.template_params, std::vector<std::string>{"Lena"});
  EXPECT_EQ(queued->message.body, "Hello Lena, we have news about your request.");
  Result<std::vector<TranscriptEntry>> transcript = store_->Transcript(id);
  ASSERT_EQ(transcript->size(), 1u);
  EXPECT_EQ(transcript->front().kind, "template");
  EXPECT_EQ(transcript->front().delivery, "pending");
  const std::vector<AuditEntry> audit = store_->ReadAudit(0, 100).value();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().action, "reply");
  EXPECT_EQ(audit.back().detail, "template=follow_up");
}

TEST_F(HandoffStoreTest, AContactsOpenTicketAndTheOneClosedLast) {
  EXPECT_FALSE(store_->ContactTicket("c1", true).value());
  const uint64_t first = HandOff("c1");
  EXPECT_EQ(store_->ContactTicket("c1", true).value()->id, first);
  EXPECT_FALSE(store_->ContactTicket("c1", false).value());
  ASSERT_TRUE(engine_->Act({AgentAction::Kind::kHandBack, "c1", "ann", "person"}));
  const uint64_t second = store_->ContactTicket("c1", true).value()->id;
  EXPECT_NE(second, first);
  EXPECT_EQ(store_->ContactTicket("c1", false).value()->id, first);
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(engine_->Act({AgentAction::Kind::kClose, "c1", "ann", ""}));
  EXPECT_FALSE(store_->ContactTicket("c1", true).value());
  EXPECT_EQ(store_->ContactTicket("c1", false).value()->id, second);
}

TEST_F(HandoffStoreTest, EventsFromTheEnginesCommitsGetTheirTicketIds) {
  // As the server wires it: resolved on the engine's thread, right after each commit.
  server::HandoffTicketIds ids(*store_);
  std::vector<HandoffEvent> resolved;
  EngineOptions options;
  options.on_handoff = [&](const HandoffEvent& e) {
    HandoffEvent copy = e;
    ids.Resolve(copy);
    resolved.push_back(copy);
  };
  engine_ = std::make_unique<Engine>(*store_, registry_, clock_, nullptr, options);
  const uint64_t first = HandOff("c1");
  Send("c1", "hello?");
  // Handed back to a state that hands off again: one commit closes the first, opens a second.
  ASSERT_TRUE(engine_->Act({AgentAction::Kind::kHandBack, "c1", "ann", "person"}));
  const uint64_t second = store_->ContactTicket("c1", true).value()->id;
  Send("c1", "still me");
  ASSERT_TRUE(engine_->Act({AgentAction::Kind::kClose, "c1", "ann", ""}));
  std::vector<std::pair<std::string, uint64_t>> seen;
  for (const HandoffEvent& e : resolved) {
    seen.emplace_back(e.kind == HandoffEvent::Kind::kMessage ? "message" : e.state, e.ticket_id);
  }
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, uint64_t>>{{"waiting", first},
                                                                 {"message", first},
                                                                 {"closed", first},
                                                                 {"waiting", second},
                                                                 {"message", second},
                                                                 {"closed", second}}));
  // After a restart nothing is remembered: the store still knows which ticket closed last.
  server::HandoffTicketIds fresh(*store_);
  HandoffEvent closed{HandoffEvent::Kind::kTicketChanged, 0, "c1", "support", "closed", ""};
  fresh.Resolve(closed);
  EXPECT_EQ(closed.ticket_id, second);
}

TEST_F(HandoffStoreTest, HandBackResumesTheFlowAtTheAgentsStateAndClosesTheTicket) {
  const uint64_t id = HandOff("c1");
  Claim(id, "ann");
  Result<EngineReport> acted = engine_->Act({AgentAction::Kind::kHandBack, "c1", "ann", "start"});
  ASSERT_TRUE(acted) << acted.error().message();
  EXPECT_EQ(acted->handled, 1u);
  Result<Ticket> t = store_->FindTicket(id);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->state, TicketState::kClosed);
  EXPECT_EQ(t->outcome, kOutcomeHandedBack);
  EXPECT_EQ(t->closed_at, clock_.Now());
  EXPECT_EQ(Outbox("c1").back(), kMenuQuestion) << "the bot asks again where it resumed";
  Send("c1", "Opening hours");
  EXPECT_EQ(Outbox("c1").back(), kMenuQuestion);  // hours says, then -> start asks again
  const std::vector<std::string> outbox = Outbox("c1");
  EXPECT_EQ(outbox[outbox.size() - 2], "We are open 9 to 5.");
  EXPECT_TRUE(store_->OpenTickets("")->empty());
}

TEST_F(HandoffStoreTest, HandBackToAStateThatHandsOffAgainOpensANewTicket) {
  const uint64_t id = HandOff("c1");
  ASSERT_TRUE(engine_->Act({AgentAction::Kind::kHandBack, "c1", "ann", "person"}));
  EXPECT_EQ(store_->FindTicket(id)->outcome, kOutcomeHandedBack);
  Result<std::vector<Ticket>> open = store_->OpenTickets("support");
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_NE(open->front().id, id);
  EXPECT_EQ(open->front().state, TicketState::kWaiting);
}

TEST_F(HandoffStoreTest, AnUnknownStateOrAConversationNotWithAPersonIsRefusedAndNothingChanges) {
  const uint64_t id = HandOff("c1");
  Result<EngineReport> nowhere =
      engine_->Act({AgentAction::Kind::kHandBack, "c1", "ann", "nowhere"});
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->FindTicket(id)->open());
  ASSERT_TRUE(engine_->Act({AgentAction::Kind::kClose, "c1", "ann", ""}));
  EXPECT_EQ(store_->FindTicket(id)->outcome, kOutcomeClosed);
  Result<std::optional<Conversation>> c = store_->LoadConversation("c1");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->phase, Phase::kIdle);
  Result<EngineReport> again = engine_->Act({AgentAction::Kind::kClose, "c1", "ann", ""});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), StatusCode::kFailedPrecondition);
}

TEST_F(HandoffStoreTest, AWithdrawalDuringTheHandoffEndsTheTicket) {
  const uint64_t id = HandOff("c1");
  Send("c1", "STOP");
  Result<Ticket> t = store_->FindTicket(id);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->state, TicketState::kClosed);
  EXPECT_EQ(t->outcome, kOutcomeEnded);
  EXPECT_TRUE(store_->Transcript(id)->empty()) << "the withdrawal itself is not kept";
}

TEST_F(HandoffStoreTest, TheTicketFollowsAContactWhoChangesNumber) {
  const uint64_t id = HandOff("c1");
  InboundMessage change;
  change.id = "wamid.change";
  change.contact = "c1";
  change.time = clock_.Now();
  change.kind = MessageKind::kContactChange;
  change.text = "c9";
  ASSERT_TRUE(engine_->Receive(change));
  ASSERT_TRUE(engine_->ProcessPending());
  Send("c9", "New number, same problem");
  Result<Ticket> t = store_->FindTicket(id);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->contact, "c9");
  EXPECT_TRUE(t->open());
  Result<std::vector<TranscriptEntry>> transcript = store_->Transcript(id);
  ASSERT_TRUE(transcript);
  ASSERT_EQ(transcript->size(), 1u);
  EXPECT_EQ(transcript->front().text, "New number, same problem");
}

TEST_F(HandoffStoreTest, TranscriptsAndClosedTicketsAreErasedWhenTheirTimeIsUp) {
  const uint64_t id = HandOff("c1");
  Send("c1", "My order is late");
  clock_.Advance(std::chrono::hours(24 * 10));
  Send("c1", "Still waiting");
  ASSERT_TRUE(engine_->Act({AgentAction::Kind::kClose, "c1", "sue", ""}));
  ASSERT_EQ(store_->Transcript(id)->size(), 2u);
  clock_.Advance(std::chrono::hours(24 * 20));  // the first message is 30 days old
  Result<std::size_t> swept = engine_->SweepRetention();
  ASSERT_TRUE(swept) << swept.error().message();
  Result<std::vector<TranscriptEntry>> left = store_->Transcript(id);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().text, "Still waiting");
  EXPECT_TRUE(store_->FindTicket(id)) << "the ticket is kept until 30 days after it closed";
  clock_.Advance(std::chrono::hours(24 * 10));
  ASSERT_TRUE(engine_->SweepRetention());
  EXPECT_EQ(store_->FindTicket(id).error().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->Transcript(id)->empty());
}

TEST_F(HandoffStoreTest, TheEngineAnnouncesOpenedClosedTicketsAndNewMessages) {
  HandOff("c1");
  Send("c1", "hello?");
  ASSERT_TRUE(engine_->Act({AgentAction::Kind::kClose, "c1", "ann", ""}));
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(events_[0].kind, HandoffEvent::Kind::kTicketChanged);
  EXPECT_EQ(events_[0].state, "waiting");
  EXPECT_EQ(events_[0].queue, "support");
  EXPECT_EQ(events_[0].contact, "c1");
  EXPECT_EQ(events_[1].kind, HandoffEvent::Kind::kMessage);
  EXPECT_EQ(events_[2].kind, HandoffEvent::Kind::kTicketChanged);
  EXPECT_EQ(events_[2].state, "closed");
  EXPECT_EQ(events_[2].queue, "support");
}

TEST_F(HandoffStoreTest, AgentsSessionsAndFailedLogins) {
  AgentAccount ann{
      {"ann", Role::kAgent, {"support", "sales"}}, "$argon2id$v=19$m=8,t=1,p=1$x$y", clock_.Now()};
  ASSERT_TRUE(store_->AddAgent(ann).ok());
  EXPECT_EQ(store_->AddAgent(ann).code(), StatusCode::kConflict);
  Result<std::optional<AgentAccount>> found = store_->FindAgent("ann");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->profile.queues, ann.profile.queues);
  EXPECT_EQ((*found)->password_hash, ann.password_hash);
  EXPECT_FALSE(*store_->FindAgent("nobody"));

  ASSERT_TRUE(store_->CreateSession("digest1", "ann", clock_.Now() + std::chrono::hours(1)).ok());
  EXPECT_EQ(store_->SessionAgent("digest1", clock_.Now()).value(),
            std::optional<std::string>("ann"));
  EXPECT_FALSE(store_->SessionAgent("digest1", clock_.Now() + std::chrono::hours(1)).value())
      << "expired";
  EXPECT_FALSE(store_->SessionAgent("other", clock_.Now()).value());
  ASSERT_TRUE(store_->DeleteSession("digest1").ok());
  EXPECT_FALSE(store_->SessionAgent("digest1", clock_.Now()).value());

  EXPECT_EQ(store_->LoginFailuresOf("agent:ann")->failures, 0u);
  ASSERT_TRUE(store_->SetLoginFailures("agent:ann", {3, clock_.Now()}).ok());
  EXPECT_EQ(store_->LoginFailuresOf("agent:ann")->failures, 3u);
  EXPECT_EQ(store_->LoginFailuresOf("agent:ann")->last_failure, clock_.Now());
  ASSERT_TRUE(store_->SetLoginFailures("agent:ann", {}).ok());
  EXPECT_EQ(store_->LoginFailuresOf("agent:ann")->failures, 0u);
}

TEST_F(HandoffStoreTest, AuditEntriesAreKeptForTheirRetentionThenErased) {
  const Timestamp t0 = clock_.Now();
  const Duration day = std::chrono::hours(24);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(store_->AppendAudit({0, t0 + i * day, "ann", "login", 0, "", ""}));
  }
  EXPECT_EQ(store_->EraseAuditBefore(t0 - day).value(), 0u) << "nothing that old";
  EXPECT_EQ(store_->EraseAuditBefore(t0 + day).value(), 2u);
  Result<std::vector<AuditEntry>> left = store_->ReadAudit(0, 10);
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ(left->front().time, t0 + 2 * day);
  EXPECT_EQ(left->front().id, 3u) << "ids are never reused";
  // Still append-only for everyone else.
  Result<sqlite::Db> raw = sqlite::Db::Open(DatabasePath());
  ASSERT_TRUE(raw);
  EXPECT_FALSE(raw->Run("DELETE FROM audit").ok());
  ASSERT_TRUE(store_->AppendAudit({0, t0 + 4 * day, "sue", "login", 0, "", ""}));
  EXPECT_EQ(store_->ReadAudit(0, 10)->back().id, 5u);

  // The engine's retention sweep, with the audit retention the server configures.
  EngineOptions options;
  options.audit_retention = 2 * day;
  engine_ = std::make_unique<Engine>(*store_, registry_, clock_, nullptr, options);
  clock_.Advance(5 * day);  // now t0 + 5 days: entries up to t0 + 3 days go
  ASSERT_TRUE(engine_->SweepRetention());
  left = store_->ReadAudit(0, 10);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().agent, "sue");
  EXPECT_EQ(store_->EraseAuditBefore(clock_.Now() + day).value(), 1u) << "all of it";
  EXPECT_TRUE(store_->ReadAudit(0, 10)->empty());
  EXPECT_EQ(store_->EraseAuditBefore(clock_.Now() + day).value(), 0u);
}

TEST_F(HandoffStoreTest, FailedLoginCountsADayOldAreErased) {
  ASSERT_TRUE(store_->SetLoginFailures("source:203.0.113.7", {12, clock_.Now()}).ok());
  clock_.Advance(std::chrono::hours(23));
  ASSERT_TRUE(store_->SetLoginFailures("agent:ann", {2, clock_.Now()}).ok());
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(engine_->SweepRetention());
  EXPECT_EQ(store_->LoginFailuresOf("source:203.0.113.7")->failures, 0u);
  EXPECT_EQ(store_->LoginFailuresOf("agent:ann")->failures, 2u);
}

TEST_F(HandoffStoreTest, TheAuditLogIsAppendOnly) {
  Result<uint64_t> first =
      store_->AppendAudit({0, clock_.Now(), "ann", "view_ticket", 4, "c1", ""});
  Result<uint64_t> second = store_->AppendAudit({0, clock_.Now(), "sue", "login", 0, "", ""});
  ASSERT_TRUE(first && second);
  EXPECT_LT(*first, *second);
  Result<std::vector<AuditEntry>> all = store_->ReadAudit(0, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].agent, "ann");
  EXPECT_EQ((*all)[0].ticket_id, 4u);
  EXPECT_EQ((*all)[0].contact, "c1");
  EXPECT_EQ((*all)[1].ticket_id, 0u);
  EXPECT_EQ(store_->ReadAudit(*first, 10)->size(), 1u);
  Result<sqlite::Db> raw = sqlite::Db::Open(DatabasePath());
  ASSERT_TRUE(raw);
  EXPECT_FALSE(raw->Run("UPDATE audit SET agent = 'mallory'").ok());
  EXPECT_FALSE(raw->Run("DELETE FROM audit").ok());
}

}  // namespace
}  // namespace consentflow::engine::handoff
