#include "engine/server/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include "engine/server/response_text.h"
#include "engine/server/websocket_session.h"

namespace consentflow::engine::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using beast::error_code;

// Counters shared by the server and every session (a session may outlive the server object's
// Stop() by a moment while its last handler unwinds).
struct Shared {
  HttpServerOptions options;
  HttpHandler* handler = nullptr;
  std::atomic<std::size_t> open{0};
  std::atomic<std::size_t> refused{0};
  std::atomic<std::size_t> timed_out{0};
  std::atomic<std::size_t> rejected{0};
  std::atomic<std::size_t> in_flight{0};  // requests handed to the handler, not yet answered
  std::atomic<bool> stopping{false};
  std::shared_ptr<WebSocketSessions> websockets = std::make_shared<WebSocketSessions>();
};

class Session;

// Sessions waiting for their handler's answer are kept here (the Responder only has a weak
// reference), so that Stop() can release them while the io_context still exists, and a late
// answer after Stop() finds nothing to write to.
struct Parking {
  std::mutex mutex;
  bool open = true;
  std::unordered_set<std::shared_ptr<Session>> parked;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared, std::shared_ptr<Parking> parking)
      : stream_(std::move(socket)), shared_(std::move(shared)), parking_(std::move(parking)) {}
  ~Session() { --shared_->open; }

  void Start() {
    error_code ec;
    asio::ip::address address = stream_.socket().remote_endpoint(ec).address();
    if (!ec) {
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
      }
      peer_ = address.to_string();
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
    parser_->body_limit(shared_->options.max_body_bytes);
    stream_.expires_after(std::chrono::milliseconds(shared_->options.read_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof) return Close();
    if (ec == beast::error::timeout) {
      // Only a request under way counts as cut off; an idle keep-alive connection just ends.
      if (parser_ && parser_->got_some()) ++shared_->timed_out;
      return Close();
    }
    if (ec == http::error::body_limit) {
      return Reject(413, "the body is larger than " + std::to_string(shared_->options.max_body_bytes) +
                             " bytes\n");
    }
    if (ec == http::error::header_limit) return Reject(431, "the request's headers are too large\n");
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        return Reject(400, "malformed HTTP request\n");
      }
      return Close();  // reset by the peer, or the server is stopping
    }
    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    HttpRequest request;
    request.method = std::string(message.method_string());
    const std::string_view target = message.target();
    const size_t question = target.find('?');
    request.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
    for (const auto& field : message) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.peer = peer_;

    if (beast::websocket::is_upgrade(message) && !shared_->stopping) {
      if (WebSocketEndpoint* endpoint = shared_->handler->WebSocketFor(request)) {
        // The connection leaves this session (which ends) and counts as the WebSocket's.
        ++shared_->open;
        StartWebSocketSession(std::move(stream_), std::move(message), std::move(request), *endpoint,
                              shared_->websockets, [shared = shared_] { --shared->open; });
        return;
      }
    }

    ++shared_->in_flight;
    {
      std::lock_guard lock(parking_->mutex);
      parking_->parked.insert(shared_from_this());
    }
    std::weak_ptr<Session> weak = shared_from_this();
    std::shared_ptr<Parking> parking = parking_;
    shared_->handler->Handle(std::move(request), [weak, parking](HttpResponse response) {
      std::lock_guard lock(parking->mutex);
      if (!parking->open) return;  // the server stopped; nothing is left to answer on
      std::shared_ptr<Session> self = weak.lock();
      if (!self) return;
      parking->parked.erase(self);
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        --self->shared_->in_flight;
        self->Write(std::move(response));
      });
    });
  }

  void Reject(int status, std::string text) {
    ++shared_->rejected;
    keep_alive_ = false;
    if (version_ == 0) version_ = 11;
    Write(HttpResponse::Text(status, std::move(text)));
  }

  void Write(const HttpResponse& response) {
    const bool keep_alive = keep_alive_ && !shared_->stopping;
    auto text = std::make_shared<std::string>(ResponseText(response, version_, keep_alive));
    stream_.expires_after(std::chrono::milliseconds(shared_->options.write_timeout_ms));
    asio::async_write(stream_, asio::buffer(*text),
                      [self = shared_from_this(), text, keep_alive](error_code ec, std::size_t) {
                        if (ec == beast::error::timeout) ++self->shared_->timed_out;
                        if (ec || !keep_alive) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<Parking> parking_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::string peer_;  // the client's address, read once when the connection starts
};

class Server final : public HttpServer {
 public:
  Server(const HttpServerOptions& options, HttpHandler& handler)
      : shared_(std::make_shared<Shared>()), parking_(std::make_shared<Parking>()),
        io_(std::make_unique<asio::io_context>(std::max(1, options.io_threads))) {
    acceptor_.emplace(asio::make_strand(*io_));
    shared_->options = options;
    shared_->handler = &handler;
  }
  ~Server() override { Stop(0); }

  Status Listen() {
    error_code ec;
    const auto address = asio::ip::make_address(shared_->options.listen, ec);
    if (ec) return Status::InvalidArgument("cannot listen on '" + shared_->options.listen + "': not an IP address");
    const tcp::endpoint endpoint(address, shared_->options.port);
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Unavailable("cannot listen on " + shared_->options.listen + ":" +
                                 std::to_string(shared_->options.port) + ": " + ec.message());
    }
    port_ = acceptor_->local_endpoint().port();
    Accept();
    for (int i = 0; i < std::max(1, shared_->options.io_threads); ++i) {
      threads_.emplace_back([this] { io_->run(); });
    }
    return Status::Ok();
  }

  uint16_t port() const override { return port_; }

  void Stop(int grace_ms) override {
    if (stopped_.exchange(true)) return;
    shared_->stopping = true;
    asio::post(acceptor_->get_executor(), [this] {
      error_code ignored;
      acceptor_->close(ignored);
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
    while (shared_->in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    shared_->websockets->CloseAll();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    shared_->websockets->WaitUntilEmpty(std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(2'000)));
    {
      std::lock_guard lock(parking_->mutex);
      parking_->open = false;
    }
    // Endpoints' threads (the agent API's pool) may still call their peers: wait for those
    // calls and end them, so none holds a session past the io_context.
    shared_->websockets->TearDown();
    io_->stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    {
      std::lock_guard lock(parking_->mutex);
      parking_->parked.clear();
    }
    acceptor_.reset();  // before the io_context it belongs to
    io_.reset();
  }

  HttpServerStats stats() const override {
    return HttpServerStats{shared_->open, shared_->refused, shared_->timed_out, shared_->rejected};
  }

 private:
  void Accept() {
    acceptor_->async_accept(asio::make_strand(*io_), [this](error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
        return Accept();  // e.g. too many open files: keep serving the others
      }
      if (shared_->open >= shared_->options.max_connections) {
        ++shared_->refused;
        error_code ignored;
        socket.close(ignored);
      } else {
        ++shared_->open;
        // Responses are small and each is awaited: never wait for Nagle's algorithm.
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(socket), shared_, parking_)->Start();
      }
      Accept();
    });
  }

  std::shared_ptr<Shared> shared_;
  std::shared_ptr<Parking> parking_;
  std::unique_ptr<asio::io_context> io_;
  std::optional<tcp::acceptor> acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() &&
               HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) << 4 | HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body), {}};
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  return HttpResponse{status, "application/json", std::move(body), {}};
}

std::optional<std::string> QueryParameter(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t equals = pair.find('=');
    if (Decode(pair.substr(0, equals)) == key) {
      return equals == std::string_view::npos ? "" : Decode(pair.substr(equals + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, HttpHandler& handler) {
  auto server = std::make_unique<Server>(options, handler);
  if (Status status = server->Listen(); !status.ok()) return status;
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace consentflow::engine::server
