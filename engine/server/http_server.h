#pragma once
// A small HTTP/1.1 server on Boost.Beast for the webhook, the agent API and operations
// endpoints. Its header holds no Beast type: requests and responses are plain structs and the
// handler is an interface, so only http_server.cc compiles Beast.
//
// Limits enforced before the handler runs: a connection cap (new connections beyond it are
// closed at once), a header size limit (431), a body size limit (413), and one timeout for
// reading a whole request and one for writing the response (a slow client is cut off, its
// connection closed). Keep-alive connections are read again after each response.
//
// The handler may answer later and from any thread: it calls the Responder exactly once. The
// server reads the connection's next request only after that.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/result.h"

namespace consentflow::engine::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // the target before '?', as sent (not decoded)
  std::string query;   // after '?', as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;    // the raw bytes
  // The address of the connection's other end ("203.0.113.7", "2001:db8::1"; an IPv4 client of
  // an IPv6 listener as IPv4), "" when unknown. Behind a reverse proxy this is the proxy.
  std::string peer;

  // The first header named `name` (lowercase), or "".
  std::string Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(int status, std::string body);
};

using Responder = std::function<void(HttpResponse)>;

class WebSocketEndpoint;  // websocket.h

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Called on an I/O thread: must not block. Answers through `respond`, exactly once.
  virtual void Handle(HttpRequest request, Responder respond) = 0;
  // For a WebSocket upgrade request (GET with Upgrade: websocket): the endpoint that takes the
  // connection over (websocket.h), or null to let Handle() answer it as a plain request.
  // Called on an I/O thread; the endpoint must outlive the server.
  virtual WebSocketEndpoint* WebSocketFor(const HttpRequest& /*request*/) { return nullptr; }
};

struct HttpServerOptions {
  std::string listen = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port, see HttpServer::port()
  std::size_t max_body_bytes = 4 << 20;
  std::size_t max_header_bytes = 16 << 10;
  int read_timeout_ms = 10'000;
  int write_timeout_ms = 10'000;
  std::size_t max_connections = 512;
  int io_threads = 1;
};

struct HttpServerStats {
  std::size_t open_connections = 0;
  std::size_t refused_connections = 0;  // over the connection cap
  std::size_t timed_out = 0;            // cut off by a read or write timeout
  std::size_t rejected = 0;             // 400, 413, 431 before the handler
};

class HttpServer {
 public:
  // Binds and starts serving on `options.io_threads` threads. `handler` must outlive the server.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, HttpHandler& handler);
  virtual ~HttpServer() = default;

  virtual uint16_t port() const = 0;
  // Stops accepting, lets requests in hand finish (at most `grace_ms`), closes WebSocket
  // connections with 1001 (waiting for their close handshake within the same grace, at most
  // 2 s), closes every connection and joins the I/O threads. Idempotent; the destructor calls it.
  virtual void Stop(int grace_ms = 5'000) = 0;
  virtual HttpServerStats stats() const = 0;
};

// The value of `key` in a query string ("hub.mode=subscribe&hub.challenge=1"), percent- and
// plus-decoded; nullopt when absent.
std::optional<std::string> QueryParameter(std::string_view query, std::string_view key);

}  // namespace consentflow::engine::server
