// The agent API as a handler (no sockets), on a manual clock: sessions and their expiry, the
// login slowdown, access control on every endpoint, the audit log, claims, transfers, replies
// and the 24-hour window, hand-back and close through the engine, events.
#include "engine/server/agent_api.h"

#include <gtest/gtest.h>

#include <future>
#include <latch>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/handoff/credentials.h"
#include "tests/handoff/handoff_test_support.h"

namespace consentflow::engine::server {
namespace {

using json = nlohmann::json;
using handoff::testing::EngineFixture;
using handoff::testing::kMenuQuestion;

struct Answer {
  int status = 0;
  json body;
  std::string retry_after;
};

class AgentApiTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    AddAgent("ann", handoff::Role::kAgent, {});  // support through [[queues]] members
    AddAgent("cat", handoff::Role::kAgent, {"support"});
    AddAgent("bob", handoff::Role::kAgent, {"sales"});
    AddAgent("sue", handoff::Role::kSupervisor, {});
    AgentApiOptions options;
    options.queues = {{"support", "Customer support", {"ann"}}, {"sales", "Sales", {}}};
    options.dummy_cost = handoff::PasswordCost::Minimum();
    options.templates = {{"follow_up", "en", "Hello {{1}}, we have news about {{2}}.", 2},
                         {"follow_up", "de", "Hallo {{1}}, es gibt Neues zu {{2}}.", 2},
                         {"still_there", "en", "Are you still there?", 0}};
    // As the server does it on the engine's thread (the registry is not changed in these tests).
    options.flow_states = [this](std::string contact,
                                 std::function<void(Result<FlowStates>)> done) {
      Result<std::optional<Conversation>> c = store_->LoadConversation(contact);
      if (!c || !*c) return done(Status::NotFound("no conversation"));
      const dsl::Program* program = registry_.Find((*c)->flow_id, (*c)->flow_version);
      if (program == nullptr) return done(Status::NotFound("no flow"));
      FlowStates states{program->flow_id, program->version, {}, ""};
      for (const dsl::ProgramState& state : program->states) states.states.push_back(state.id);
      states.start = program->states[program->start].id;
      done(std::move(states));
    };
    pool_ = std::make_unique<BlockingPool>(4, 256);
    // Runs on the pool thread: the test thread never drives the engine while a request runs.
    auto run_action = [this](AgentAction action, std::function<void(Status)> done) {
      Result<EngineReport> report = engine_->Act(action);
      done(report ? Status::Ok() : report.error());
    };
    bus_.Subscribe([this](const handoff::HandoffEvent& e) {
      std::lock_guard lock(published_mu_);
      published_.push_back(e);
    });
    api_ = std::make_unique<AgentApi>(*store_, *pool_, clock_, run_action, bus_, options);
  }

  void TearDown() override {
    pool_->Stop();
    api_.reset();
    EngineFixture::TearDown();
  }

  Answer Call(const std::string& method, const std::string& target, const std::string& token = "",
              const std::string& body = "", const std::string& peer = "") {
    HttpRequest request;
    request.method = method;
    request.peer = peer;
    const std::size_t q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) request.query = target.substr(q + 1);
    if (!token.empty()) request.headers.emplace_back("authorization", "Bearer " + token);
    request.body = body;
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    std::future<HttpResponse> future = promise->get_future();
    api_->Handle(request, [promise](HttpResponse r) { promise->set_value(std::move(r)); });
    const HttpResponse response = future.get();
    Answer answer;
    answer.status = response.status;
    EXPECT_EQ(response.content_type.find("application/json"), 0u) << target;
    answer.body = json::parse(response.body, nullptr, false);
    EXPECT_FALSE(answer.body.is_discarded()) << response.body;
    for (const auto& [name, value] : response.headers) {
      if (name == "Retry-After") answer.retry_after = value;
    }
    return answer;
  }

  std::string Login(const std::string& name) {
    const Answer a =
        Call("POST", "/api/login", "", json{{"name", name}, {"password", name + "-secret"}}.dump());
    EXPECT_EQ(a.status, 200) << a.body.dump();
    return a.status == 200 ? a.body["token"].get<std::string>() : "";
  }

  std::string Path(uint64_t id, const std::string& action = "") {
    return "/api/tickets/" + std::to_string(id) + (action.empty() ? "" : "/" + action);
  }

  std::vector<handoff::AuditEntry> Audit() { return store_->ReadAudit(0, 1000).value(); }

  std::unique_ptr<BlockingPool> pool_;
  handoff::HandoffEventBus bus_;
  std::mutex published_mu_;
  std::vector<handoff::HandoffEvent> published_;
  std::unique_ptr<AgentApi> api_;
};

TEST_F(AgentApiTest, LoginGivesASessionThatExpiresOrEndsAtLogout) {
  const Answer ok = Call("POST", "/api/login", "", R"({"name":"ann","password":"ann-secret"})");
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["agent"]["role"], "agent");
  EXPECT_EQ(ok.body["agent"]["queues"], json::array({"support"})) << "from [[queues]] members";
  const std::string token = ok.body["token"];
  EXPECT_EQ(Call("GET", "/api/queues", token).status, 200);
  clock_.Advance(std::chrono::hours(12));
  EXPECT_EQ(Call("GET", "/api/queues", token).status, 401) << "expired";
  const std::string again = Login("ann");
  EXPECT_EQ(Call("POST", "/api/logout", again).status, 200);
  EXPECT_EQ(Call("GET", "/api/queues", again).status, 401);
}

TEST_F(AgentApiTest, WrongPasswordsAreRefusedAndRepeatedOnesSlowDown) {
  EXPECT_EQ(Call("POST", "/api/login", "", "not json").status, 400);
  EXPECT_EQ(Call("POST", "/api/login", "", R"({"name":"ann"})").status, 400);
  const Answer unknown = Call("POST", "/api/login", "", R"({"name":"zed","password":"x"})");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body["error"], "wrong name or password");
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Call("POST", "/api/login", "", R"({"name":"ann","password":"guess"})").status, 401)
        << i;
  }
  // The fifth try within a second is refused without looking at the password, even the right one.
  const Answer slowed = Call("POST", "/api/login", "", R"({"name":"ann","password":"ann-secret"})");
  EXPECT_EQ(slowed.status, 429);
  EXPECT_EQ(slowed.retry_after, "1");
  EXPECT_EQ(Call("POST", "/api/login", "", R"({"name":"cat","password":"cat-secret"})").status, 200)
      << "another account is not slowed";
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Call("POST", "/api/login", "", R"({"name":"ann","password":"guess"})").status, 401);
  const Answer doubled =
      Call("POST", "/api/login", "", R"({"name":"ann","password":"ann-secret"})");
  EXPECT_EQ(doubled.status, 429);
  EXPECT_EQ(doubled.retry_after, "2");
  clock_.Advance(std::chrono::seconds(2));
  Login("ann");
  // Success cleared the count.
  EXPECT_EQ(Call("POST", "/api/login", "", R"({"name":"ann","password":"guess"})").status, 401);
  EXPECT_EQ(Call("POST", "/api/login", "", R"({"name":"ann","password":"ann-secret"})").status,
            200);
}

TEST_F(AgentApiTest, EveryEndpointNeedsAValidSession) {
  const uint64_t id = HandOff("c1");
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"POST", "/api/logout"},
      {"GET", "/api/queues"},
      {"GET", "/api/tickets"},
      {"GET", "/api/tickets?queue=support"},
      {"GET", Path(id)},
      {"POST", Path(id, "claim")},
      {"POST", Path(id, "release")},
      {"POST", Path(id, "transfer")},
      {"POST", Path(id, "reply")},
      {"POST", Path(id, "template")},
      {"GET", Path(id, "states")},
      {"GET", "/api/templates"},
      {"POST", Path(id, "handback")},
      {"POST", Path(id, "close")},
      {"GET", "/api/audit"}};
  for (const auto& [method, path] : endpoints) {
    const Answer anonymous = Call(method, path);
    EXPECT_EQ(anonymous.status, 401) << method << " " << path;
    EXPECT_TRUE(anonymous.body.contains("error"));
    EXPECT_EQ(Call(method, path, std::string(64, 'a')).status, 401) << method << " " << path;
  }
  EXPECT_TRUE(Audit().empty()) << "nothing was opened";
  EXPECT_EQ(Call("GET", "/api/nothing").status, 404);
  EXPECT_EQ(Call("GET", "/api/tickets/x").status, 404);
  EXPECT_EQ(Call("POST", Path(id, "steal")).status, 404);
  EXPECT_EQ(Call("GET", Path(id, "claim")).status, 405);
  EXPECT_EQ(Call("POST", "/api/queues").status, 405);
}

TEST_F(AgentApiTest, AnAgentOfAnotherQueueIsForbiddenEverywhereOnTheTicket) {
  const uint64_t id = HandOff("c1");
  const std::string bob = Login("bob");
  const std::string body = R"({"queue":"sales","agent":"","text":"hi","state":"start"})";
  for (const std::string action :
       {"", "claim", "release", "transfer", "reply", "template", "states", "handback", "close"}) {
    const bool get = action.empty() || action == "states";
    const Answer a = Call(get ? "GET" : "POST", Path(id, action), bob, get ? "" : body);
    EXPECT_EQ(a.status, 403) << action << " " << a.body.dump();
    EXPECT_EQ(a.body.dump().find("c1"), std::string::npos) << "no contact in errors";
  }
  EXPECT_EQ(Call("GET", "/api/tickets?queue=support", bob).status, 403);
  EXPECT_EQ(Call("GET", "/api/tickets?queue=nowhere", bob).status, 404);
  EXPECT_TRUE(Call("GET", "/api/tickets", bob).body["tickets"].empty());
  const Answer queues = Call("GET", "/api/queues", bob);
  ASSERT_EQ(queues.body["queues"].size(), 1u);
  EXPECT_EQ(queues.body["queues"][0]["name"], "sales");
  EXPECT_EQ(Call("GET", Path(id + 1000), bob).status, 404);
  EXPECT_TRUE(Audit().size() == 1u) << "only bob's login";
}

TEST_F(AgentApiTest, QueuesAndTicketsAsAnAgentAndAsASupervisor) {
  const uint64_t id = HandOff("c1");
  const std::string ann = Login("ann");
  const Answer queues = Call("GET", "/api/queues", ann);
  ASSERT_EQ(queues.status, 200);
  ASSERT_EQ(queues.body["queues"].size(), 1u);
  EXPECT_EQ(
      queues.body["queues"][0],
      (json{{"name", "support"}, {"title", "Customer support"}, {"waiting", 1}, {"claimed", 0}}));
  const Answer tickets = Call("GET", "/api/tickets?queue=support", ann);
  ASSERT_EQ(tickets.body["tickets"].size(), 1u);
  const json& t = tickets.body["tickets"][0];
  EXPECT_EQ(t["id"], id);
  EXPECT_EQ(t["state"], "waiting");
  EXPECT_EQ(t["priority"], "high");
  EXPECT_EQ(t["note"], "Asked for a person");
  EXPECT_EQ(t["since"], "2026-01-01T00:00:00.000Z");
  const std::string sue = Login("sue");
  EXPECT_EQ(Call("GET", "/api/queues", sue).body["queues"].size(), 2u) << "a supervisor sees all";
  EXPECT_EQ(Call("GET", "/api/tickets", sue).body["tickets"].size(), 1u);
}

TEST_F(AgentApiTest, OpeningATicketIsAuditedAndShowsTranscriptFieldsConsentsAndTheWindow) {
  const uint64_t id = HandOff("c1");
  Send("c1", "My parcel never came");
  const std::string ann = Login("ann");
  const Answer open = Call("GET", Path(id), ann);
  ASSERT_EQ(open.status, 200) << open.body.dump();
  ASSERT_EQ(open.body["transcript"].size(), 1u);
  EXPECT_EQ(open.body["transcript"][0]["text"], "My parcel never came");
  EXPECT_EQ(open.body["transcript"][0]["author"], "customer");
  EXPECT_EQ(open.body["contact"]["id"], "c1");
  EXPECT_TRUE(open.body["contact"]["fields"].is_object());
  EXPECT_TRUE(open.body["window"]["open"].get<bool>());
  EXPECT_EQ(open.body["window"]["closes_at"], "2026-01-02T00:00:00.000Z");
  const std::vector<handoff::AuditEntry> audit = Audit();
  ASSERT_EQ(audit.size(), 2u);  // login, view
  EXPECT_EQ(audit[1].agent, "ann");
  EXPECT_EQ(audit[1].action, "view_ticket");
  EXPECT_EQ(audit[1].ticket_id, id);
  EXPECT_EQ(audit[1].contact, "c1");
  EXPECT_EQ(audit[1].time, clock_.Now());
  // A supervisor reads the log; an agent may not.
  EXPECT_EQ(Call("GET", "/api/audit", ann).status, 403);
  const Answer log = Call("GET", "/api/audit?after=1&limit=10", Login("sue"));
  ASSERT_EQ(log.status, 200);
  ASSERT_EQ(log.body["entries"].size(), 2u);  // the view and sue's login
  EXPECT_EQ(log.body["entries"][0]["action"], "view_ticket");
}

TEST_F(AgentApiTest, ClaimReleaseAndTransferFollowTheRules) {
  const uint64_t id = HandOff("c1");
  const std::string ann = Login("ann"), cat = Login("cat"), sue = Login("sue");
  const Answer claimed = Call("POST", Path(id, "claim"), ann);
  ASSERT_EQ(claimed.status, 200);
  EXPECT_EQ(claimed.body["ticket"]["agent"], "ann");
  EXPECT_EQ(Call("POST", Path(id, "claim"), cat).status, 409);
  EXPECT_EQ(Call("POST", Path(id, "release"), cat).status, 403);
  EXPECT_EQ(Call("POST", Path(id, "transfer"), cat, R"({"queue":"sales"})").status, 403);
  EXPECT_EQ(Call("POST", Path(id, "release"), sue).status, 200) << "a supervisor may";
  EXPECT_EQ(Call("POST", Path(id, "release"), ann).status, 409) << "waiting already";
  EXPECT_EQ(Call("POST", Path(id, "transfer"), cat, R"({"queue":"nowhere"})").status, 400);
  EXPECT_EQ(Call("POST", Path(id, "transfer"), cat, R"({})").status, 400);
  EXPECT_EQ(Call("POST", Path(id, "transfer"), cat, R"({"agent":"ann","queue":"sales"})").status,
            400);
  EXPECT_EQ(Call("POST", Path(id, "transfer"), cat, R"({"agent":"bob"})").status, 400)
      << "bob is not in support";
  const Answer to_ann = Call("POST", Path(id, "transfer"), cat, R"({"agent":"ann"})");
  ASSERT_EQ(to_ann.status, 200);
  EXPECT_EQ(to_ann.body["ticket"]["state"], "claimed");
  EXPECT_EQ(to_ann.body["ticket"]["agent"], "ann");
  const Answer to_sales = Call("POST", Path(id, "transfer"), ann, R"({"queue":"sales"})");
  ASSERT_EQ(to_sales.status, 200);
  EXPECT_EQ(to_sales.body["ticket"]["queue"], "sales");
  EXPECT_EQ(to_sales.body["ticket"]["state"], "waiting");
  EXPECT_EQ(Call("GET", Path(id), ann).status, 403) << "no longer ann's queue";
  const std::string bob = Login("bob");
  EXPECT_EQ(Call("POST", Path(id, "claim"), bob).status, 200);
  std::vector<std::string> actions;
  for (const handoff::AuditEntry& e : Audit()) {
    if (e.action != "login") actions.push_back(e.action + (e.detail.empty() ? "" : " " + e.detail));
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"claim", "release", "transfer agent=ann",
                                               "transfer queue=sales", "claim"}));
  std::lock_guard lock(published_mu_);
  ASSERT_EQ(published_.size(), 5u);
  EXPECT_EQ(published_.back().kind, handoff::HandoffEvent::Kind::kTicketChanged);
  EXPECT_EQ(published_.back().ticket_id, id);
  EXPECT_EQ(published_.back().queue, "sales");
  EXPECT_EQ(published_.back().state, "claimed");
  EXPECT_EQ(published_.back().agent, "bob");
}

TEST_F(AgentApiTest, ManyAgentsClaimingAtOnceExactlyOneGetsTheChat) {
  const uint64_t id = HandOff("c1");
  const std::vector<std::string> tokens = {Login("ann"), Login("cat"), Login("sue")};
  constexpr int kPerAgent = 6;
  std::vector<int> statuses(tokens.size() * kPerAgent);
  std::latch start(static_cast<std::ptrdiff_t>(statuses.size()));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      statuses[i] = Call("POST", Path(id, "claim"), tokens[i % tokens.size()]).status;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409),
            static_cast<long>(statuses.size()) - 1);
}

TEST_F(AgentApiTest, ARepliesGoesOutThroughTheOutboxWithItsDeliveryStatus) {
  const uint64_t id = HandOff("c1");
  const std::string ann = Login("ann"), cat = Login("cat");
  EXPECT_EQ(Call("POST", Path(id, "reply"), ann, R"({"text":"Hi"})").status, 409) << "claim first";
  ASSERT_EQ(Call("POST", Path(id, "claim"), ann).status, 200);
  EXPECT_EQ(Call("POST", Path(id, "reply"), cat, R"({"text":"Hi"})").status, 409) << "ann's chat";
  EXPECT_EQ(Call("POST", Path(id, "reply"), ann, R"({"text":""})").status, 400);
  EXPECT_EQ(
      Call("POST", Path(id, "reply"), ann, json{{"text", std::string(5000, 'x')}}.dump()).status,
      400);
  const Answer sent =
      Call("POST", Path(id, "reply"), ann, R"({"text":"Hello, Ann here. Let me check."})");
  ASSERT_EQ(sent.status, 202) << sent.body.dump();
  EXPECT_EQ(sent.body["message"]["delivery"], "pending");
  EXPECT_EQ(Outbox("c1").back(), "Hello, Ann here. Let me check.");
  const uint64_t outbox_id = sent.body["outbox_id"];
  ASSERT_TRUE(store_->MarkSent(outbox_id, "wamid.reply.1").ok());
  ASSERT_TRUE(
      store_->RecordDelivery({"wamid.reply.1", OutboxState::kRead, clock_.Now(), {}}).value());
  const Answer open = Call("GET", Path(id), ann);
  ASSERT_EQ(open.body["transcript"].size(), 1u);
  EXPECT_EQ(open.body["transcript"][0]["author"], "agent");
  EXPECT_EQ(open.body["transcript"][0]["agent"], "ann");
  EXPECT_EQ(open.body["transcript"][0]["delivery"], "read");
  std::lock_guard lock(published_mu_);
  EXPECT_EQ(published_.back().kind, handoff::HandoffEvent::Kind::kMessage);
}

TEST_F(AgentApiTest, AfterTheTwentyFourHourWindowTheApiSaysSo) {
  const uint64_t id = HandOff("c1");
  const std::string ann = Login("ann");
  ASSERT_EQ(Call("POST", Path(id, "claim"), ann).status, 200);
  clock_.Advance(std::chrono::hours(25));
  const std::string again = Login("ann");  // the first session has expired meanwhile
  const Answer late = Call("POST", Path(id, "reply"), again, R"({"text":"Sorry for the wait"})");
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late.body["window_open"], false);
  const Answer open = Call("GET", Path(id), again);
  EXPECT_EQ(open.body["window"]["open"], false);
  EXPECT_TRUE(open.body["window"]["closes_at"].is_null());
}

TEST_F(AgentApiTest, HandBackResumesTheFlowAndCloseEndsIt) {
  const uint64_t first = HandOff("c1");
  const uint64_t second = HandOff("c2");
  const std::string ann = Login("ann"), cat = Login("cat"), sue = Login("sue");
  ASSERT_EQ(Call("POST", Path(first, "claim"), ann).status, 200);
  EXPECT_EQ(Call("POST", Path(first, "handback"), ann, R"({})").status, 400);
  EXPECT_EQ(Call("POST", Path(first, "handback"), ann, R"({"state":"nowhere"})").status, 400);
  EXPECT_EQ(Call("POST", Path(first, "handback"), cat, R"({"state":"start"})").status, 403);
  const Answer back = Call("POST", Path(first, "handback"), ann, R"({"state":"start"})");
  ASSERT_EQ(back.status, 200) << back.body.dump();
  EXPECT_EQ(back.body["ticket"]["state"], "closed");
  EXPECT_EQ(back.body["ticket"]["outcome"], "handed_back");
  EXPECT_EQ(Outbox("c1").back(), kMenuQuestion) << "the bot's next question";
  EXPECT_EQ(Call("POST", Path(first, "close"), ann).status, 409) << "closed already";
  EXPECT_EQ(Call("POST", Path(second, "close"), cat).status, 409) << "an agent claims first";
  const Answer closed = Call("POST", Path(second, "close"), sue);
  ASSERT_EQ(closed.status, 200);
  EXPECT_EQ(closed.body["ticket"]["outcome"], "closed");
  const std::vector<handoff::AuditEntry> audit = Audit();
  EXPECT_EQ(audit.back().action, "close");
  EXPECT_EQ(audit[audit.size() - 2].action, "hand_back");
  EXPECT_EQ(audit[audit.size() - 2].detail, "state=start");
}

TEST_F(AgentApiTest, FailedLoginsSlowDownPerAddressToo) {
  const std::string office = "203.0.113.7";
  const auto login = [&](const std::string& name, const std::string& password,
                         const std::string& from) {
    return Call("POST", "/api/login", "", json{{"name", name}, {"password", password}}.dump(), from);
  };
  // Ten failures from one address, spread over names so no account is slowed: still free.
  const std::vector<std::string> names = {"ann", "cat", "bob", "zed", "max"};
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(login(names[i % names.size()], "guess", office).status, 401) << i;
  }
  EXPECT_EQ(login("sue", "sue-secret", office).status, 200) << "ten are free per address";
  // The eleventh failure from there makes the next attempt wait, whatever the name.
  EXPECT_EQ(login("yan", "guess", office).status, 401);
  const Answer slowed = login("sue", "sue-secret", office);
  EXPECT_EQ(slowed.status, 429);
  EXPECT_EQ(slowed.retry_after, "1");
  EXPECT_EQ(login("sue", "sue-secret", "198.51.100.2").status, 200) << "another address is not slowed";
  EXPECT_EQ(login("sue", "sue-secret", "").status, 200) << "no address: per account only";
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(login("sue", "sue-secret", office).status, 200);
  // That success did not clear the address's count: the next failure waits 2 s.
  EXPECT_EQ(login("yan", "guess", office).status, 401);
  EXPECT_EQ(login("sue", "sue-secret", office).retry_after, "2");
  // An IPv6 network counts as one address.
  for (int i = 0; i < 11; ++i) {
    const std::string from = "2001:db8:7:7::" + std::to_string(i + 1);
    EXPECT_EQ(login("v6-" + std::to_string(i), "guess", from).status, 401) << i;
  }
  EXPECT_EQ(login("sue", "sue-secret", "2001:db8:7:7::99").status, 429);
  EXPECT_EQ(login("sue", "sue-secret", "2001:db8:7:8::1").status, 200);
}

TEST_F(AgentApiTest, TemplatesAreListedForAnyoneLoggedIn) {
  const Answer list = Call("GET", "/api/templates", Login("bob"));
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["templates"].size(), 3u);
  EXPECT_EQ(list.body["templates"][0], (json{{"name", "follow_up"},
                                             {"language", "en"},
                                             {"body", "Hello {{1}}, we have news about {{2}}."},
                                             {"params", 2}}));
  EXPECT_EQ(Call("POST", "/api/templates", Login("bob")).status, 405);
}

TEST_F(AgentApiTest, ATemplateReachesTheCustomerAfterTheWindowWithItsDeliveryStatus) {
  const uint64_t id = HandOff("c1");
  const std::string ann = Login("ann"), cat = Login("cat"), sue = Login("sue");
  const std::string send = R"({"name":"follow_up","language":"en","params":["Lena","your order"]})";
  EXPECT_EQ(Call("POST", Path(id, "template"), ann, send).status, 409) << "claim first";
  ASSERT_EQ(Call("POST", Path(id, "claim"), ann).status, 200);
  EXPECT_EQ(Call("POST", Path(id, "template"), cat, send).status, 409) << "ann's chat";
  EXPECT_EQ(Call("POST", Path(id, "template"), Login("bob"), send).status, 403) << "not bob's queue";
  clock_.Advance(std::chrono::hours(25));
  const std::string again = Login("ann");
  EXPECT_EQ(Call("POST", Path(id, "reply"), again, R"({"text":"Hello?"})").status, 409);

  // Wrong requests say what is wrong.
  const auto refused = [&](const std::string& body) {
    const Answer a = Call("POST", Path(id, "template"), again, body);
    EXPECT_EQ(a.status, 400) << body;
    return a.body["error"].get<std::string>();
  };
  EXPECT_EQ(refused(R"({})"),
            "send {\"name\": ..., \"params\": [...]}: GET /api/templates lists them");
  EXPECT_EQ(refused(R"({"name":"nope","params":[]})"),
            "no template 'nope' is set up; GET /api/templates lists them");
  EXPECT_EQ(refused(R"({"name":"follow_up","language":"fr","params":["a","b"]})"),
            "no template 'follow_up' in 'fr' is set up; GET /api/templates lists them");
  EXPECT_EQ(refused(R"({"name":"follow_up","params":["a","b"]})"),
            "template 'follow_up' has several languages; name one");
  EXPECT_EQ(refused(R"({"name":"follow_up","language":"en","params":["Lena"]})"),
            "template 'follow_up' takes 2 parameters, not 1");
  EXPECT_EQ(refused(R"({"name":"follow_up","language":"en","params":"Lena"})"),
            "'params' must be a list of texts");
  EXPECT_EQ(refused(R"({"name":"follow_up","language":"en","params":["Lena",3]})"),
            "'params' must be a list of texts");
  EXPECT_EQ(refused(json{{"name", "follow_up"},
                         {"language", "en"},
                         {"params", {"Lena", std::string(1025, 'x')}}}
                        .dump()),
            "parameter {{2}} is longer than 1024 bytes");
  EXPECT_EQ(refused(R"({"name":"follow_up","language":"en","params":["Le\nna","x"]})"),
            "parameter {{1}} has a new line or a tab; WhatsApp refuses those in parameters");

  const Answer sent = Call("POST", Path(id, "template"), again, send);
  ASSERT_EQ(sent.status, 202) << sent.body.dump();
  EXPECT_EQ(sent.body["message"]["kind"], "template");
  EXPECT_EQ(sent.body["message"]["text"], "Hello Lena, we have news about your order.");
  EXPECT_EQ(sent.body["message"]["delivery"], "pending");
  EXPECT_EQ(Outbox("c1").back(), "Hello Lena, we have news about your order.");
  const uint64_t outbox_id = sent.body["outbox_id"];
  Result<OutboxEntry> queued = store_->LookupOutbox(outbox_id);
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->message.kind, OutboundMessage::Kind::kTemplate);
  EXPECT_EQ(queued->message.template_params, (std::vector<std::string>{"Lena", "your order"}));
  ASSERT_TRUE(store_->MarkSent(outbox_id, "wamid.template.1").ok());
  ASSERT_TRUE(
      store_->RecordDelivery({"wamid.template.1", OutboxState::kDelivered, clock_.Now(), {}}).value());
  const Answer open = Call("GET", Path(id), again);
  ASSERT_EQ(open.body["transcript"].size(), 1u);
  EXPECT_EQ(open.body["transcript"][0]["kind"], "template");
  EXPECT_EQ(open.body["transcript"][0]["delivery"], "delivered");
  EXPECT_EQ(Audit().back().detail, "") << "the view after it";
  EXPECT_EQ(Audit()[Audit().size() - 2].detail, "template=follow_up");
  // A template without parameters needs no "params"; a supervisor claims first, as for replies.
  EXPECT_EQ(Call("POST", Path(id, "template"), Login("sue"), R"({"name":"still_there"})").status,
            409);
  EXPECT_EQ(Call("POST", Path(id, "template"), again, R"({"name":"still_there"})").status, 202);
  std::lock_guard lock(published_mu_);
  EXPECT_EQ(published_.back().kind, handoff::HandoffEvent::Kind::kMessage);
  EXPECT_EQ(published_.back().ticket_id, id);
}

TEST_F(AgentApiTest, TheStatesOfTheTicketsFlowForTheHandBack) {
  const uint64_t id = HandOff("c1");
  const Answer states = Call("GET", Path(id, "states"), Login("ann"));
  ASSERT_EQ(states.status, 200) << states.body.dump();
  EXPECT_EQ(states.body, (json{{"flow", "desk"},
                               {"version", 1},
                               {"start", "start"},
                               {"states", {"start", "hours", "person"}}}));
  EXPECT_EQ(Call("GET", Path(id, "states"), Login("sue")).status, 200) << "a supervisor sees all";
  EXPECT_EQ(Call("GET", Path(id, "states"), Login("bob")).status, 403);
  EXPECT_EQ(Call("GET", Path(id + 1000, "states"), Login("ann")).status, 404);
  EXPECT_EQ(Call("POST", Path(id, "states"), Login("ann")).status, 405);
  // Every state listed is one a hand-back accepts.
  const std::string ann = Login("ann");
  ASSERT_EQ(Call("POST", Path(id, "claim"), ann).status, 200);
  EXPECT_EQ(Call("POST", Path(id, "handback"), ann, R"({"state":"hours"})").status, 200);
}

}  // namespace
}  // namespace consentflow::engine::server
