// The HTTP server on its own: limits that hold before any handler runs.
#include "engine/server/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <thread>

#include "tests/support/http_client.h"

namespace consentflow::engine::server {
namespace {

class Echo final : public HttpHandler {
 public:
  void Handle(HttpRequest request, Responder respond) override {
    respond(HttpResponse::Text(200, request.method + " " + request.path + " " + request.body));
  }
};

TEST(HttpServer, ConnectionsBeyondTheCapAreClosedAtOnce) {
  Echo echo;
  HttpServerOptions options;
  options.max_connections = 1;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, echo);
  ASSERT_TRUE(server);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket first(io);
  first.connect({boost::asio::ip::make_address("127.0.0.1"), (*server)->port()});
  for (int i = 0; i < 200 && (*server)->stats().open_connections < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ((*server)->stats().open_connections, 1u);
  // The second is accepted and closed: a request on it gets no answer.
  const auto refused = testing::HttpGet((*server)->port(), "/x");
  EXPECT_EQ(refused.status, 0);
  EXPECT_EQ((*server)->stats().refused_connections, 1u);
  first.close();
  for (int i = 0; i < 200 && (*server)->stats().open_connections > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(testing::HttpGet((*server)->port(), "/x").status, 200) << "a free slot serves again";
}

TEST(HttpServer, RequestsReachTheHandlerWithMethodPathAndBody) {
  Echo echo;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(HttpServerOptions{}, echo);
  ASSERT_TRUE(server);
  const auto result = testing::HttpPost((*server)->port(), "/p?q=1", "body");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "POST /p body");
}

TEST(HttpServer, GarbageIs400) {
  Echo echo;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(HttpServerOptions{}, echo);
  ASSERT_TRUE(server);
  EXPECT_EQ(testing::RawRequest((*server)->port(), "NOT HTTP AT ALL\r\n\r\n").status, 400);
}

TEST(HttpServer, QueryParametersAreDecoded) {
  EXPECT_EQ(QueryParameter("hub.mode=subscribe&hub.challenge=12%2B3", "hub.challenge"), "12+3");
  EXPECT_EQ(QueryParameter("a=b+c", "a"), "b c");
  EXPECT_EQ(QueryParameter("a=1", "b"), std::nullopt);
  EXPECT_EQ(QueryParameter("flag", "flag"), "");
}

}  // namespace
}  // namespace consentflow::engine::server
