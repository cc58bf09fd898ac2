// The handoff domain on its own: who may do what, what commands do to a ticket, the waiting
// order, the login slowdown, credentials and the event bus.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "engine/handoff/access.h"
#include "engine/handoff/credentials.h"
#include "engine/handoff/event_bus.h"
#include "engine/handoff/login_throttle.h"
#include "engine/handoff/message_template.h"
#include "engine/handoff/transitions.h"

namespace consentflow::engine::handoff {
namespace {

using dsl::ast::Priority;
using Kind = Verdict::Kind;

const Timestamp kT0 = FromUnixSeconds(1'767'225'600);

AgentProfile Agent(std::string name, std::set<std::string, std::less<>> queues) {
  return AgentProfile{std::move(name), Role::kAgent, std::move(queues)};
}
AgentProfile Supervisor(std::string name) {
  return AgentProfile{std::move(name), Role::kSupervisor, {}};
}

Ticket Waiting(std::string queue = "support") {
  Ticket t;
  t.id = 7;
  t.contact = "4915112345678";
  t.queue = std::move(queue);
  t.since = kT0;
  return t;
}
Ticket ClaimedBy(std::string agent) {
  return TransferredToAgent(Waiting(), std::move(agent), kT0 + std::chrono::minutes(1));
}

TEST(Access, AnAgentSeesOnlyTheirQueuesASupervisorSeesAll) {
  const AgentProfile ann = Agent("ann", {"support"});
  const AgentProfile bob = Agent("bob", {"sales"});
  EXPECT_TRUE(CanSeeTicket(ann, Waiting()));
  EXPECT_FALSE(CanSeeTicket(bob, Waiting()));
  EXPECT_TRUE(CanSeeTicket(Supervisor("sue"), Waiting()));
  EXPECT_EQ(Check(bob, Waiting(), TicketAction::kView).kind, Kind::kForbidden);
  EXPECT_EQ(Check(bob, Waiting(), TicketAction::kClaim).kind, Kind::kForbidden);
  // The holder of a ticket transferred to them sees it even outside their queues.
  EXPECT_TRUE(CanSeeTicket(bob, ClaimedBy("bob")));
}

TEST(Access, EveryActionByStateAndActor) {
  const AgentProfile ann = Agent("ann", {"support"});
  const AgentProfile cat = Agent("cat", {"support"});
  const AgentProfile sue = Supervisor("sue");
  struct Case {
    const char* what;
    AgentProfile actor;
    Ticket ticket;
    TicketAction action;
    Kind want;
  };
  const Ticket closed = [] {
    Ticket t = Waiting();
    t.state = TicketState::kClosed;
    return t;
  }();
  const Case cases[] = {
      {"claim a waiting one", ann, Waiting(), TicketAction::kClaim, Kind::kAllowed},
      {"claim a claimed one", cat, ClaimedBy("ann"), TicketAction::kClaim, Kind::kConflict},
      {"claim one's own", ann, ClaimedBy("ann"), TicketAction::kClaim, Kind::kConflict},
      {"claim a closed one", ann, closed, TicketAction::kClaim, Kind::kConflict},
      {"release one's own", ann, ClaimedBy("ann"), TicketAction::kRelease, Kind::kAllowed},
      {"release another's", cat, ClaimedBy("ann"), TicketAction::kRelease, Kind::kForbidden},
      {"supervisor releases another's", sue, ClaimedBy("ann"), TicketAction::kRelease,
       Kind::kAllowed},
      {"release a waiting one", ann, Waiting(), TicketAction::kRelease, Kind::kConflict},
      {"transfer a waiting one", cat, Waiting(), TicketAction::kTransfer, Kind::kAllowed},
      {"transfer another's", cat, ClaimedBy("ann"), TicketAction::kTransfer, Kind::kForbidden},
      {"supervisor transfers another's", sue, ClaimedBy("ann"), TicketAction::kTransfer,
       Kind::kAllowed},
      {"reply to one's own", ann, ClaimedBy("ann"), TicketAction::kReply, Kind::kAllowed},
      {"reply unclaimed", ann, Waiting(), TicketAction::kReply, Kind::kConflict},
      {"reply to another's", cat, ClaimedBy("ann"), TicketAction::kReply, Kind::kConflict},
      {"supervisor replies to another's", sue, ClaimedBy("ann"), TicketAction::kReply,
       Kind::kConflict},
      {"hand back one's own", ann, ClaimedBy("ann"), TicketAction::kHandBack, Kind::kAllowed},
      {"hand back another's", cat, ClaimedBy("ann"), TicketAction::kHandBack, Kind::kForbidden},
      {"hand back unclaimed", ann, Waiting(), TicketAction::kHandBack, Kind::kConflict},
      {"supervisor closes a waiting one", sue, Waiting(), TicketAction::kClose, Kind::kAllowed},
      {"close another's", cat, ClaimedBy("ann"), TicketAction::kClose, Kind::kForbidden},
      {"close a closed one", sue, closed, TicketAction::kClose, Kind::kConflict},
      {"view a closed one", ann, closed, TicketAction::kView, Kind::kAllowed},
  };
  for (const Case& c : cases) {
    const Verdict v = Check(c.actor, c.ticket, c.action);
    EXPECT_EQ(v.kind, c.want) << c.what << ": " << v.reason;
  }
}

TEST(Transitions, ReleaseAndTransferKeepTheTicketsPlace) {
  const Ticket claimed = ClaimedBy("ann");
  EXPECT_EQ(claimed.state, TicketState::kClaimed);
  EXPECT_EQ(claimed.agent, "ann");
  const Ticket released = Released(claimed);
  EXPECT_EQ(released.state, TicketState::kWaiting);
  EXPECT_TRUE(released.agent.empty());
  EXPECT_FALSE(released.claimed_at);
  EXPECT_EQ(released.since, kT0);
  const Ticket moved = TransferredToQueue(claimed, "sales");
  EXPECT_EQ(moved.queue, "sales");
  EXPECT_EQ(moved.state, TicketState::kWaiting);
  EXPECT_EQ(moved.since, kT0);
}

TEST(WaitingOrder, PriorityThenOldestThenId) {
  std::vector<Ticket> tickets;
  auto add = [&](uint64_t id, Priority p, int minutes) {
    Ticket t = Waiting();
    t.id = id;
    t.priority = p;
    t.since = kT0 + std::chrono::minutes(minutes);
    tickets.push_back(t);
  };
  add(1, Priority::kNormal, 0);
  add(2, Priority::kUrgent, 9);
  add(3, Priority::kHigh, 5);
  add(4, Priority::kHigh, 1);
  add(5, Priority::kNormal, 0);
  add(6, Priority::kLow, -60);
  SortWaiting(tickets);
  std::vector<uint64_t> order;
  for (const Ticket& t : tickets) order.push_back(t.id);
  EXPECT_EQ(order, (std::vector<uint64_t>{2, 4, 3, 1, 5, 6}));
}

TEST(LoginThrottle, FreeFailuresThenDoublingDelaysUpToACap) {
  EXPECT_EQ(DelayAfter(0), Duration::zero());
  EXPECT_EQ(DelayAfter(3), Duration::zero());
  EXPECT_EQ(DelayAfter(4), std::chrono::seconds(1));
  EXPECT_EQ(DelayAfter(5), std::chrono::seconds(2));
  EXPECT_EQ(DelayAfter(8), std::chrono::seconds(16));
  EXPECT_EQ(DelayAfter(40), std::chrono::minutes(15));
  EXPECT_EQ(DelayAfter(4'000'000'000u), std::chrono::minutes(15));
}

TEST(LoginThrottle, AttemptsDuringTheWaitAreRefusedAndOldCountsAreForgotten) {
  LoginFailures record;
  Timestamp now = kT0;
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(RetryAfter(record, now)) << "attempt " << i;
    record = AfterFailure(record, now);
  }
  ASSERT_TRUE(RetryAfter(record, now));
  EXPECT_EQ(*RetryAfter(record, now), std::chrono::seconds(1));
  now += std::chrono::seconds(1);
  EXPECT_FALSE(RetryAfter(record, now));
  record = AfterFailure(record, now);
  EXPECT_EQ(record.failures, 5u);
  ASSERT_TRUE(RetryAfter(record, now));
  EXPECT_EQ(*RetryAfter(record, now), std::chrono::seconds(2));
  EXPECT_EQ(*RetryAfter(record, now + std::chrono::milliseconds(1500)),
            std::chrono::milliseconds(500));
  EXPECT_FALSE(RetryAfter(record, now + std::chrono::seconds(2)));
  // An hour later the count starts again.
  const LoginFailures later = AfterFailure(record, now + std::chrono::hours(2));
  EXPECT_EQ(later.failures, 1u);
}

TEST(LoginThrottle, FailuresCountPerAccountAndPerAddressOrIpv6Network) {
  EXPECT_EQ(AccountKey("ann"), "agent:ann");
  EXPECT_EQ(SourceKey("203.0.113.7"), "source:203.0.113.7");
  EXPECT_EQ(SourceKey("::ffff:203.0.113.7"), "source:203.0.113.7") << "an IPv4 client";
  EXPECT_EQ(SourceKey("2001:db8:1:2:aaaa::1"), "source:2001:db8:1:2::/64");
  EXPECT_EQ(SourceKey("2001:db8:1:2:bbbb::9"), SourceKey("2001:db8:1:2:aaaa::1"))
      << "one network, one count";
  EXPECT_NE(SourceKey("2001:db8:1:3::1"), SourceKey("2001:db8:1:2::1"));
  EXPECT_EQ(SourceKey(""), "");
  EXPECT_EQ(SourceKey("not an address"), "");
  EXPECT_EQ(DelayAfter(10, SourceThrottlePolicy()), Duration::zero()) << "ten free per address";
  EXPECT_EQ(DelayAfter(11, SourceThrottlePolicy()), std::chrono::seconds(1));
}

TEST(MessageTemplates, NamesLanguagesAndPlaceholders) {
  EXPECT_TRUE(ValidTemplateName("follow_up_2"));
  EXPECT_FALSE(ValidTemplateName("Follow-up"));
  EXPECT_FALSE(ValidTemplateName(""));
  for (const char* code : {"en", "fil", "en_US", "zh_HK"}) EXPECT_TRUE(ValidLanguageCode(code)) << code;
  for (const char* code : {"e", "english", "en-US", "en_us", "en_", "EN"}) {
    EXPECT_FALSE(ValidLanguageCode(code)) << code;
  }
  EXPECT_EQ(Placeholders("Hi {{1}}, {{2}} and {{1}}; not {{x}} or {1} or {{}}"),
            (std::vector<std::size_t>{1, 2, 1}));
  EXPECT_EQ(CheckTemplateBody("Hi {{1}}, {{2}}", 2), "");
  EXPECT_EQ(CheckTemplateBody("Hi {{2}}", 2), "'params' is 2 but the body never uses {{1}}");
  EXPECT_EQ(CheckTemplateBody("Hi {{0}}", 0),
            "the body uses {{0}} but 'params' is 0; set 'params' to the number of parameters");
  EXPECT_EQ(CheckTemplateBody("", 0), "the body is empty; copy the approved template's body text");
}

TEST(MessageTemplates, ValuesAreCheckedThenRendered) {
  const MessageTemplate t{"follow_up", "en", "Hello {{1}}, about {{2}}: {{1}}?", 2};
  EXPECT_EQ(CheckTemplateValues(t, {"Lena", "order 48213"}), "");
  EXPECT_EQ(RenderTemplate(t, {"Lena", "order 48213"}), "Hello Lena, about order 48213: Lena?");
  EXPECT_EQ(RenderTemplate(t, {"{{2}}", "x"}), "Hello {{2}}, about x: {{2}}?")
      << "a value is not rendered again";
  EXPECT_EQ(CheckTemplateValues(t, {"Lena"}), "template 'follow_up' takes 2 parameters, not 1");
  EXPECT_EQ(CheckTemplateValues(t, {"Lena", ""}), "parameter {{2}} is empty");
  EXPECT_EQ(CheckTemplateValues(t, {"Lena", std::string(1025, 'x')}),
            "parameter {{2}} is longer than 1024 bytes");
  EXPECT_EQ(CheckTemplateValues(t, {"Le\nna", "x"}),
            "parameter {{1}} has a new line or a tab; WhatsApp refuses those in parameters");
  EXPECT_EQ(CheckTemplateValues(t, {"Lena", "a     b"}),
            "parameter {{2}} has more than 4 spaces in a row; WhatsApp refuses that in parameters");
  EXPECT_EQ(CheckTemplateValues(t, {"Lena", "a    b"}), "") << "four spaces are fine";
}

TEST(Credentials, Argon2idHashesVerifyOnlyTheirPassword) {
  Result<std::string> hash = HashPassword("correct horse", PasswordCost::Minimum());
  ASSERT_TRUE(hash) << hash.error().message();
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse "));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(VerifyPassword("not a hash", "correct horse"));
  // Salted: the same password hashes differently each time.
  EXPECT_NE(*hash, HashPassword("correct horse", PasswordCost::Minimum()).value());
  EXPECT_FALSE(HashPassword("", PasswordCost::Minimum()));
  EXPECT_FALSE(HashPassword(std::string(kMaxPasswordBytes + 1, 'x'), PasswordCost::Minimum()));
}

TEST(Credentials, TokensAreRandomAndOnlyTheirDigestIsKept) {
  const std::string a = NewSessionToken();
  const std::string b = NewSessionToken();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(TokenDigest(a), TokenDigest(a));
  EXPECT_NE(TokenDigest(a), TokenDigest(b));
  EXPECT_NE(TokenDigest(a), a);
  EXPECT_EQ(TokenDigest(a).size(), 64u);
}

TEST(EventBus, EverySubscriberGetsEveryEventUntilItUnsubscribes) {
  HandoffEventBus bus;
  std::vector<HandoffEvent> first, second;
  const uint64_t a = bus.Subscribe([&](const HandoffEvent& e) { first.push_back(e); });
  bus.Subscribe([&](const HandoffEvent& e) { second.push_back(e); });
  bus.Publish({HandoffEvent::Kind::kTicketChanged, 3, "c", "support", "claimed", "ann"});
  bus.Unsubscribe(a);
  bus.Publish({HandoffEvent::Kind::kMessage, 3, "c", "support", "", ""});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].agent, "ann");
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[1].kind, HandoffEvent::Kind::kMessage);
  EXPECT_STREQ(HandoffEventKindName(second[0].kind), "ticket");
}

TEST(EventBus, PublishingFromManyThreadsLosesNothing) {
  HandoffEventBus bus;
  std::atomic<int> received{0};
  bus.Subscribe([&](const HandoffEvent&) { ++received; });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) bus.Publish({});
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(received.load(), 1000);
}

}  // namespace
}  // namespace consentflow::engine::handoff
