// WebSocket endpoints on the HTTP server (websocket.h): upgrade, both directions, the ready
// timeout, a slow reader closed instead of buffered, a clean 1001 on Stop(); and the console
// push's filter (agent_events.h).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "engine/server/agent_events.h"
#include "engine/server/http_server.h"
#include "engine/server/websocket.h"

namespace consentflow::engine::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

// Echoes each message back; marks connections ready at once unless told not to.
class EchoEndpoint final : public WebSocketEndpoint, public HttpHandler {
 public:
  WebSocketLimits limits_ = {};
  bool ready_at_once = true;
  std::atomic<int> opened{0};
  std::atomic<int> closed{0};
  std::mutex mu;
  std::shared_ptr<WebSocketPeer> last;

  WebSocketLimits limits() const override { return limits_; }
  void Handle(HttpRequest, Responder respond) override { respond(HttpResponse::Text(200, "plain\n")); }
  WebSocketEndpoint* WebSocketFor(const HttpRequest& request) override {
    return request.path == "/ws" ? this : nullptr;
  }
  std::shared_ptr<WebSocketListener> Open(const HttpRequest&, std::shared_ptr<WebSocketPeer> peer) override {
    struct Listener final : WebSocketListener {
      EchoEndpoint* owner;
      std::shared_ptr<WebSocketPeer> peer;
      void OnMessage(std::string text) override { peer->Send("echo:" + text); }
      void OnClose() override { ++owner->closed; }
    };
    auto listener = std::make_shared<Listener>();
    listener->owner = this;
    listener->peer = peer;
    if (ready_at_once) peer->Ready();
    {
      std::lock_guard lock(mu);
      last = peer;
    }
    ++opened;
    return listener;
  }
};

// A blocking client whose every step has a deadline (a broken server fails the test, it does
// not hang it).
class Client {
 public:
  explicit Client(uint16_t port) : ws_(io_) {
    beast::get_lowest_layer(ws_).connect({asio::ip::make_address("127.0.0.1"), port});
    ws_.handshake("127.0.0.1", "/ws");
  }
  void Send(const std::string& text) { ws_.write(asio::buffer(text)); }
  // The next message, or "" with `error` set (websocket::error::closed after a close frame).
  std::string Read(beast::error_code& error, std::chrono::seconds timeout = std::chrono::seconds(20)) {
    beast::flat_buffer buffer;
    bool done = false;
    ws_.async_read(buffer, [&](beast::error_code ec, std::size_t) {
      error = ec;
      done = true;
    });
    io_.restart();
    io_.run_for(timeout);
    if (!done) {
      beast::get_lowest_layer(ws_).close();
      io_.restart();
      io_.run();
      error = asio::error::timed_out;
      return "";
    }
    return error ? "" : beast::buffers_to_string(buffer.data());
  }
  uint16_t CloseCode() const { return static_cast<uint16_t>(ws_.reason().code); }

 private:
  asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
};

template <typename Condition>
bool WaitFor(Condition condition) {
  for (int i = 0; i < 4000; ++i) {  // 20 s
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

TEST(WebSocket, AnUpgradeReachesTheEndpointAndMessagesFlowBothWays) {
  EchoEndpoint endpoint;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(HttpServerOptions{}, endpoint);
  ASSERT_TRUE(server);
  Client client((*server)->port());
  client.Send("hello");
  beast::error_code error;
  EXPECT_EQ(client.Read(error), "echo:hello");
  EXPECT_FALSE(error) << error.message();
  EXPECT_EQ(endpoint.opened, 1);
  EXPECT_EQ((*server)->stats().open_connections, 1u);
}

TEST(WebSocket, AConnectionNotMarkedReadyInTimeIsClosedWith4408) {
  EchoEndpoint endpoint;
  endpoint.ready_at_once = false;
  endpoint.limits_.ready_timeout = std::chrono::milliseconds(200);
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(HttpServerOptions{}, endpoint);
  ASSERT_TRUE(server);
  Client client((*server)->port());
  beast::error_code error;
  client.Read(error);
  EXPECT_EQ(error, websocket::error::closed) << error.message();
  EXPECT_EQ(client.CloseCode(), kCloseNotReady);
  EXPECT_TRUE(WaitFor([&] { return endpoint.closed == 1; }));
}

TEST(WebSocket, AReaderThatFallsBehindIsClosedNotBufferedWithoutBound) {
  EchoEndpoint endpoint;
  endpoint.limits_.max_queued = 8;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(HttpServerOptions{}, endpoint);
  ASSERT_TRUE(server);
  Client client((*server)->port());
  ASSERT_TRUE(WaitFor([&] { return endpoint.opened == 1; }));
  std::shared_ptr<WebSocketPeer> peer;
  {
    std::lock_guard lock(endpoint.mu);
    peer = endpoint.last;
  }
  // The client reads nothing: once the socket buffers are full, the queue fills and Send says no.
  const std::string big(256 << 10, 'x');
  int refused_at = -1;
  for (int i = 0; i < 4000 && refused_at < 0; ++i) {
    if (!peer->Send(big)) refused_at = i;
  }
  ASSERT_GE(refused_at, 0) << "Send never refused";
  EXPECT_FALSE(peer->Send("after")) << "a closing connection takes nothing more";
  // Reading now drains what was written, then the close frame.
  beast::error_code error;
  int read = 0;
  while (!error) {
    client.Read(error);
    if (!error) ++read;
  }
  EXPECT_EQ(error, websocket::error::closed) << error.message();
  EXPECT_EQ(client.CloseCode(), kCloseTryAgainLater);
  EXPECT_LT(read, refused_at + 1);
  EXPECT_TRUE(WaitFor([&] { return endpoint.closed == 1; }));
}

TEST(WebSocket, StopClosesOpenConnectionsWith1001AndTheirListenersHearIt) {
  EchoEndpoint endpoint;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(HttpServerOptions{}, endpoint);
  ASSERT_TRUE(server);
  Client client((*server)->port());
  client.Send("x");
  beast::error_code error;
  ASSERT_EQ(client.Read(error), "echo:x");
  std::thread stopper([&] { (*server)->Stop(); });
  client.Read(error);
  EXPECT_EQ(error, websocket::error::closed) << error.message();
  EXPECT_EQ(client.CloseCode(), kCloseGoingAway);
  stopper.join();
  EXPECT_EQ(endpoint.closed, 1);
  std::shared_ptr<WebSocketPeer> peer;
  {
    std::lock_guard lock(endpoint.mu);
    peer = endpoint.last;
  }
  EXPECT_FALSE(peer->Send("late")) << "a peer outliving its connection is inert";
}

TEST(WebSocket, APlainRequestToAnotherPathStillReachesTheHandler) {
  EchoEndpoint endpoint;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(HttpServerOptions{}, endpoint);
  ASSERT_TRUE(server);
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws(io);
  beast::get_lowest_layer(ws).connect({asio::ip::make_address("127.0.0.1"), (*server)->port()});
  beast::error_code error;
  ws.handshake("127.0.0.1", "/elsewhere", error);
  EXPECT_EQ(error, websocket::error::upgrade_declined) << error.message();
  EXPECT_EQ(endpoint.opened, 0);
}

// ---- the console push's filter

handoff::AgentProfile Agent(std::string name, std::set<std::string, std::less<>> queues,
                            handoff::Role role = handoff::Role::kAgent) {
  return handoff::AgentProfile{std::move(name), role, std::move(queues)};
}

TEST(AgentEvents, AnAgentSeesTheirQueuesAndTheirTicketsASupervisorEverything) {
  handoff::HandoffEvent in_support{handoff::HandoffEvent::Kind::kTicketChanged, 3, "49151", "support",
                                   "waiting", ""};
  handoff::HandoffEvent in_sales = in_support;
  in_sales.queue = "sales";
  handoff::HandoffEvent held_by_ann = in_sales;
  held_by_ann.agent = "ann";
  EXPECT_TRUE(AgentEvents::MaySee(Agent("ann", {"support"}), in_support));
  EXPECT_FALSE(AgentEvents::MaySee(Agent("ann", {"support"}), in_sales));
  EXPECT_TRUE(AgentEvents::MaySee(Agent("ann", {"support"}), held_by_ann));
  EXPECT_FALSE(AgentEvents::MaySee(Agent("bob", {"support"}), held_by_ann));
  EXPECT_TRUE(AgentEvents::MaySee(Agent("sue", {}, handoff::Role::kSupervisor), in_sales));
}

TEST(AgentEvents, EventsAreSentAsJsonWithIdsAndNoText) {
  const handoff::HandoffEvent event{handoff::HandoffEvent::Kind::kDeliveryStatus, 12, "4915112345678",
                                    "support", "read", "ann"};
  EXPECT_EQ(AgentEvents::EventJson(event),
            R"({"agent":"ann","contact":"4915112345678","queue":"support","state":"read","ticket_id":12,"type":"delivery"})");
}

}  // namespace
}  // namespace consentflow::engine::server
