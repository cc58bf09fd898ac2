#include "engine/whatsapp/graph_client.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <future>
#include <optional>
#include <thread>

#include "tests/support/graph_standin.h"

namespace consentflow::engine::whatsapp {
namespace {

using std::chrono::milliseconds;
using testing::GraphStandin;
using testing::StandinAnswer;

constexpr char kBody[] = R"({"messaging_product":"whatsapp","to":"+4915100","type":"text"})";

// A client on an io_context run by a thread of the test's.
class GraphClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (client_) client_->Shutdown();
    work_.reset();
    thread_.join();
    client_.reset();
  }

  GraphClientOptions Options() const {
    GraphClientOptions options;
    options.base_url = graph_.base_url();
    options.phone_number_id = "106540352242922";
    options.access_token = "EAAG-TEST-TOKEN";
    options.connect_timeout = milliseconds(2000);
    options.request_timeout = milliseconds(5000);
    return options;
  }

  GraphClient& Client(GraphClientOptions options) {
    Result<std::unique_ptr<GraphClient>> client = GraphClient::Create(io_, std::move(options));
    EXPECT_TRUE(client) << client.error().ToString();
    client_ = std::move(*client);
    return *client_;
  }
  GraphClient& Client() { return Client(Options()); }

  // Posts and waits for the answer (at most a generous 20 s: a loaded machine is slow).
  static GraphReply PostAndWait(GraphClient& client, std::string body = kBody) {
    auto promise = std::make_shared<std::promise<GraphReply>>();
    std::future<GraphReply> reply = promise->get_future();
    client.Post(std::move(body), [promise](GraphReply r) { promise->set_value(std::move(r)); });
    if (reply.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer within 20 s";
      return GraphReply{};
    }
    return reply.get();
  }

  GraphStandin graph_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::thread thread_;
  std::unique_ptr<GraphClient> client_;
};

TEST_F(GraphClientTest, PostsTheBodyToTheMessagesEndpointWithTheToken) {
  GraphReply reply = PostAndWait(Client());
  ASSERT_TRUE(reply.answered) << reply.transport_error;
  EXPECT_EQ(reply.http_status, 200);
  EXPECT_NE(reply.body.find("wamid.standin.1"), std::string::npos);

  std::vector<testing::RecordedRequest> requests = graph_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v25.0/106540352242922/messages");
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer EAAG-TEST-TOKEN");
  EXPECT_EQ(requests[0].headers["content-type"], "application/json");
  EXPECT_EQ(requests[0].headers["host"], "127.0.0.1:" + std::to_string(graph_.port()));
  EXPECT_EQ(requests[0].body, kBody);
  EXPECT_EQ(requests[0].recipient, "+4915100");
}

TEST_F(GraphClientTest, KeepsOneConnectionAliveForRequestsInTurn) {
  GraphClient& client = Client();
  for (int i = 0; i < 5; ++i) {
    GraphReply reply = PostAndWait(client);
    ASSERT_TRUE(reply.answered) << reply.transport_error;
  }
  EXPECT_EQ(graph_.ConnectionCount(), 1u);
  for (const testing::RecordedRequest& request : graph_.Requests()) {
    EXPECT_EQ(request.connection, 1u);
  }
}

TEST_F(GraphClientTest, AConnectionIdleTooLongIsNotReused) {
  GraphClientOptions options = Options();
  options.idle_timeout = milliseconds(0);
  GraphClient& client = Client(options);
  ASSERT_TRUE(PostAndWait(client).answered);
  ASSERT_TRUE(PostAndWait(client).answered);
  EXPECT_EQ(graph_.ConnectionCount(), 2u);
}

TEST_F(GraphClientTest, ErrorAnswersComeBackWithTheirStatusAndBody) {
  graph_.Script(StandinAnswer::Error(400, 131047));
  GraphReply reply = PostAndWait(Client());
  ASSERT_TRUE(reply.answered);
  EXPECT_EQ(reply.http_status, 400);
  EXPECT_EQ(Classify(reply).outcome, SendOutcome::kWindowClosed);
}

TEST_F(GraphClientTest, ASlowAnswerTimesOutAndTheNextRequestGetsAFreshConnection) {
  GraphClientOptions options = Options();
  options.request_timeout = milliseconds(300);
  GraphClient& client = Client(options);
  graph_.Script(StandinAnswer::Accept(milliseconds(5000)));
  GraphReply slow = PostAndWait(client);
  EXPECT_FALSE(slow.answered);
  EXPECT_EQ(slow.transport_error, "read: timeout");
  EXPECT_EQ(Classify(slow).outcome, SendOutcome::kRetryable);

  GraphReply next = PostAndWait(client);
  ASSERT_TRUE(next.answered) << next.transport_error;
  EXPECT_EQ(graph_.ConnectionCount(), 2u);
}

TEST_F(GraphClientTest, ADroppedConnectionIsARetryableTransportError) {
  graph_.Script(StandinAnswer::Drop());
  GraphReply reply = PostAndWait(Client());
  EXPECT_FALSE(reply.answered);
  EXPECT_FALSE(reply.transport_error.empty());
  EXPECT_EQ(Classify(reply).outcome, SendOutcome::kRetryable);
  EXPECT_EQ(graph_.Requests().at(0).answered, 0);
}

TEST_F(GraphClientTest, AReusedConnectionTheServerClosedIsReplacedOnce) {
  GraphClient& client = Client();
  ASSERT_TRUE(PostAndWait(client).answered);
  graph_.Script(StandinAnswer::Drop());
  GraphReply reply = PostAndWait(client);
  ASSERT_TRUE(reply.answered) << reply.transport_error;
  EXPECT_EQ(graph_.ConnectionCount(), 2u);
  EXPECT_EQ(graph_.RequestCount(), 3u);
}

TEST_F(GraphClientTest, ARefusedConnectionIsATransportError) {
  GraphClientOptions options = Options();
  {
    GraphStandin gone;
    options.base_url = gone.base_url();
  }  // nothing listens there any more
  GraphReply reply = PostAndWait(Client(options));
  EXPECT_FALSE(reply.answered);
  EXPECT_TRUE(reply.transport_error.starts_with("connect: ")) << reply.transport_error;
}

TEST_F(GraphClientTest, HttpsSpeaksTlsAndFailsAgainstAPlainServer) {
  GraphClientOptions options = Options();
  options.base_url = "https://127.0.0.1:" + std::to_string(graph_.port());
  GraphReply reply = PostAndWait(Client(options));
  EXPECT_FALSE(reply.answered);
  EXPECT_TRUE(reply.transport_error.starts_with("tls handshake: ")) << reply.transport_error;
  EXPECT_EQ(graph_.RequestCount(), 0u);
}

TEST_F(GraphClientTest, ManyRequestsAtOnceShareABoundedPool) {
  GraphClientOptions options = Options();
  options.max_connections = 3;
  GraphClient& client = Client(options);
  std::vector<std::future<GraphReply>> replies;
  for (int i = 0; i < 12; ++i) {
    auto promise = std::make_shared<std::promise<GraphReply>>();
    replies.push_back(promise->get_future());
    client.Post(kBody, [promise](GraphReply r) { promise->set_value(std::move(r)); });
  }
  for (auto& reply : replies) {
    ASSERT_EQ(reply.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_TRUE(reply.get().answered);
  }
  EXPECT_LE(graph_.ConnectionCount(), 3u);
  EXPECT_EQ(graph_.RequestCount(), 12u);
}

// The request is written by the client itself: its length counts bytes, not characters, and
// the stand-in (Beast's parser) reads exactly the body that was posted.
TEST_F(GraphClientTest, ABodyWithMultiByteTextArrivesWhole) {
  const std::string body = R"({"to":"+4915100","text":{"body":"Grüße, Ñandú 👋"}})";
  GraphReply reply = PostAndWait(Client(), body);
  ASSERT_TRUE(reply.answered) << reply.transport_error;
  std::vector<testing::RecordedRequest> requests = graph_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body, body);
  EXPECT_EQ(requests[0].headers["content-length"], std::to_string(body.size()));
}

// The token and the ids go into the request as they are: a line break there would start a
// header of its own, so such a client is not made, and such an id is not sent.
TEST_F(GraphClientTest, ATokenOrIdThatCouldBreakTheRequestIsRefused) {
  for (const char* token : {"EAAG\r\nX-Injected: 1", "EAAG TOKEN", "\"EAAG\""}) {
    GraphClientOptions options = Options();
    options.access_token = token;
    Result<std::unique_ptr<GraphClient>> client = GraphClient::Create(io_, options);
    ASSERT_FALSE(client) << token;
    EXPECT_EQ(client.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(client.error().message().find("access token"), std::string::npos);
  }
  GraphClient& client = Client();
  auto promise = std::make_shared<std::promise<GraphReply>>();
  std::future<GraphReply> answer = promise->get_future();
  client.Post("1065 HTTP/1.1\r\nX: y", kBody, [promise](GraphReply r) { promise->set_value(std::move(r)); });
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  GraphReply reply = answer.get();
  EXPECT_FALSE(reply.answered);
  EXPECT_NE(reply.transport_error.find("phone number id"), std::string::npos);
  EXPECT_EQ(PostAndWait(client).http_status, 200);  // a good one still goes
  EXPECT_EQ(graph_.RequestCount(), 1u);
}

TEST_F(GraphClientTest, ABaseUrlThatIsNotHttpIsRefused) {
  GraphClientOptions options = Options();
  for (const char* url : {"ftp://graph.facebook.com", "graph.facebook.com", "https://",
                          "https://host:notaport", "https://host/v25.0", "http://host:70000",
                          "https://gra ph.facebook.com", "https://host\r\nX: y"}) {
    options.base_url = url;
    Result<std::unique_ptr<GraphClient>> client = GraphClient::Create(io_, options);
    ASSERT_FALSE(client) << url;
    EXPECT_EQ(client.error().code(), StatusCode::kInvalidArgument) << url;
  }
}

}  // namespace
}  // namespace consentflow::engine::whatsapp
