// The console push (/api/events, agent_events.h) on a real HTTP server, with sessions from real
// logins through the agent API: a missing or wrong token closes with 4401; an agent gets the
// events of their queues and of tickets they hold, a supervisor all of them; a session ended
// meanwhile is closed within the recheck.
#include "engine/server/agent_events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/handoff/credentials.h"
#include "engine/server/agent_api.h"
#include "engine/server/http_server.h"
#include "engine/server/websocket.h"
#include "tests/handoff/handoff_test_support.h"
#include "tests/support/http_client.h"
#include "tests/support/websocket_client.h"

namespace consentflow::engine::server {
namespace {

using json = nlohmann::json;
using handoff::HandoffEvent;
using handoff::testing::EngineFixture;
using consentflow::testing::WebSocketClient;

// /api/ to the agent API, the /api/events upgrade to the push: as Routes mounts them.
class Front final : public HttpHandler {
 public:
  Front(AgentApi& api, AgentEvents& events) : api_(api), events_(events) {}
  void Handle(HttpRequest request, Responder respond) override {
    api_.Handle(std::move(request), std::move(respond));
  }
  WebSocketEndpoint* WebSocketFor(const HttpRequest& request) override {
    return request.path == "/api/events" ? &events_ : nullptr;
  }

 private:
  AgentApi& api_;
  AgentEvents& events_;
};

class AgentEventsTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    AddAgent("ann", handoff::Role::kAgent, {"support"});
    AddAgent("bob", handoff::Role::kAgent, {"sales"});
    AddAgent("sue", handoff::Role::kSupervisor, {});
    pool_ = std::make_unique<BlockingPool>(2, 256);
    const std::vector<QueueConfig> queues = {{"support", "Support", {}}, {"sales", "Sales", {}}};
    AgentApiOptions options;
    options.queues = queues;
    options.dummy_cost = handoff::PasswordCost::Minimum();
    api_ = std::make_unique<AgentApi>(
        *store_, *pool_, clock_, [](AgentAction, std::function<void(Status)> done) {
          done(Status::Unavailable("no engine here"));
        },
        bus_, options);
    events_ = std::make_unique<AgentEvents>(*store_, *pool_, clock_, bus_, queues);
    front_ = std::make_unique<Front>(*api_, *events_);
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(HttpServerOptions{}, *front_);
    ASSERT_TRUE(server) << server.error().message();
    server_ = std::move(*server);
  }

  void TearDown() override {
    server_.reset();
    pool_->Stop();
    events_.reset();
    api_.reset();
    EngineFixture::TearDown();
  }

  // A login over HTTP; the session token.
  std::string Login(const std::string& name) {
    const consentflow::testing::HttpResult r = consentflow::testing::HttpPost(
        server_->port(), "/api/login",
        json{{"name", name}, {"password", name + "-secret"}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = json::parse(r.body, nullptr, false);
    return r.status == 200 ? body["token"].get<std::string>() : "";
  }

  // A socket that sent `hello`; its first answer in `answer`.
  std::unique_ptr<WebSocketClient> Connect(const std::string& hello, std::string& answer) {
    auto client = std::make_unique<WebSocketClient>(server_->port(), "/api/events");
    EXPECT_TRUE(client->connected()) << client->error();
    client->Send(hello);
    answer = client->Read();
    return client;
  }

  // A socket past its hello with `token`.
  std::unique_ptr<WebSocketClient> Ready(const std::string& token) {
    std::string answer;
    auto client = Connect(json{{"type", "hello"}, {"token", token}}.dump(), answer);
    const json ready = json::parse(answer, nullptr, false);
    EXPECT_EQ(ready.value("type", ""), "ready") << answer << " " << client->error();
    return client;
  }

  // The next event a socket receives, as {kind, queue, ticket id}.
  static std::string Next(WebSocketClient& client) {
    const json event = json::parse(client.Read(), nullptr, false);
    if (!event.is_object()) return "<" + client.error() + ">";
    return event["type"].get<std::string>() + " " + event["queue"].get<std::string>() + " " +
           std::to_string(event["ticket_id"].get<uint64_t>());
  }

  std::unique_ptr<BlockingPool> pool_;
  handoff::HandoffEventBus bus_;
  std::unique_ptr<AgentApi> api_;
  std::unique_ptr<AgentEvents> events_;
  std::unique_ptr<Front> front_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(AgentEventsTest, AMissingOrWrongTokenIsClosedWith4401) {
  const std::vector<std::string> hellos = {
      R"({"type":"hello"})",
      json{{"type", "hello"}, {"token", std::string(64, 'a')}}.dump(),
      R"({"type":"hello","token":42})",
      "not json",
      json{{"type", "bye"}, {"token", Login("ann")}}.dump()};
  for (const std::string& hello : hellos) {
    std::string answer;
    const std::unique_ptr<WebSocketClient> client = Connect(hello, answer);
    EXPECT_EQ(answer, "") << hello;
    EXPECT_TRUE(client->closed()) << hello << ": " << client->error();
    EXPECT_EQ(client->close_code(), kCloseUnauthorized) << hello;
  }
  // A token from a session that was ended.
  const std::string ended = Login("ann");
  ASSERT_EQ(consentflow::testing::RawRequest(
                server_->port(),
                "POST /api/logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: "
                "Bearer " + ended + "\r\nContent-Length: 0\r\n\r\n")
                .status,
            200);
  std::string answer;
  const auto client = Connect(json{{"type", "hello"}, {"token", ended}}.dump(), answer);
  EXPECT_EQ(client->close_code(), kCloseUnauthorized);
  EXPECT_EQ(events_->authenticated(), 0u);
}

TEST_F(AgentEventsTest, AnAgentGetsTheirQueuesAndTicketsASupervisorEverything) {
  const auto ann = Ready(Login("ann"));
  const auto bob = Ready(Login("bob"));
  const auto sue = Ready(Login("sue"));
  ASSERT_EQ(events_->authenticated(), 3u);
  using Kind = HandoffEvent::Kind;
  bus_.Publish({Kind::kTicketChanged, 1, "c1", "sales", "waiting", ""});
  bus_.Publish({Kind::kMessage, 2, "c2", "support", "", ""});
  bus_.Publish({Kind::kTicketChanged, 3, "c3", "sales", "claimed", "ann"});  // ann holds it
  bus_.Publish({Kind::kDeliveryStatus, 4, "c4", "sales", "read", "bob"});
  // Each socket's messages arrive in order: what an agent may not see is simply not there.
  EXPECT_EQ(Next(*ann), "message support 2");
  EXPECT_EQ(Next(*ann), "ticket sales 3") << "a ticket ann holds, in another queue";
  EXPECT_EQ(Next(*bob), "ticket sales 1");
  EXPECT_EQ(Next(*bob), "ticket sales 3");
  EXPECT_EQ(Next(*bob), "delivery sales 4");
  for (const char* expected :
       {"ticket sales 1", "message support 2", "ticket sales 3", "delivery sales 4"}) {
    EXPECT_EQ(Next(*sue), expected);
  }
  bus_.Publish({Kind::kTicketChanged, 5, "c5", "support", "closed", ""});
  EXPECT_EQ(Next(*ann), "ticket support 5") << "nothing of sales' came in between";
  EXPECT_EQ(Next(*sue), "ticket support 5");
  bus_.Publish({Kind::kTicketChanged, 6, "c6", "sales", "waiting", ""});
  EXPECT_EQ(Next(*bob), "ticket sales 6") << "nothing of support's came in between";
}

TEST_F(AgentEventsTest, ADeliveryStatusIsSentWithTheContactsOpenTicket) {
  const uint64_t id = HandOff("c1");
  const auto ann = Ready(Login("ann"));
  const auto bob = Ready(Login("bob"));
  HandoffEvent status;
  status.kind = HandoffEvent::Kind::kDeliveryStatus;
  status.contact = "c1";
  status.state = "delivered";
  bus_.Publish(status);
  EXPECT_EQ(Next(*ann), "delivery support " + std::to_string(id));
  bus_.Publish({HandoffEvent::Kind::kTicketChanged, 9, "c9", "sales", "waiting", ""});
  EXPECT_EQ(Next(*bob), "ticket sales 9") << "bob did not get support's delivery";
}

TEST_F(AgentEventsTest, ASessionEndedMeanwhileIsClosedAtTheNextRecheck) {
  const std::string token = Login("ann");
  const auto ann = Ready(token);
  ASSERT_TRUE(store_->DeleteSession(handoff::TokenDigest(token)).ok());
  bus_.Publish({HandoffEvent::Kind::kMessage, 1, "c1", "support", "", ""});
  EXPECT_EQ(Next(*ann), "message support 1") << "checked again at most once a minute";
  clock_.Advance(std::chrono::minutes(1));
  bus_.Publish({HandoffEvent::Kind::kMessage, 2, "c1", "support", "", ""});
  EXPECT_EQ(Next(*ann), "message support 2") << "sent while the recheck runs";
  EXPECT_EQ(ann->Read(), "");
  EXPECT_TRUE(ann->closed()) << ann->error();
  EXPECT_EQ(ann->close_code(), kCloseUnauthorized);
}

}  // namespace
}  // namespace consentflow::engine::server
