#include "engine/whatsapp/graph_client.h"

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace consentflow::engine::whatsapp {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
using SteadyClock = std::chrono::steady_clock;

struct Endpoint {
  bool tls = true;
  std::string host;
  std::string port;
  std::string host_header;  // host, with ":port" when it is not the scheme's default
};

Result<Endpoint> ParseBaseUrl(std::string_view url) {
  Endpoint endpoint;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    endpoint.tls = false;
    rest = url.substr(7);
  } else {
    return Status::InvalidArgument("whatsapp: the Graph API base URL must start with https://");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  const bool plain = std::all_of(rest.begin(), rest.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  if (rest.find('/') != std::string_view::npos || rest.empty() || !plain) {
    return Status::InvalidArgument("whatsapp: the Graph API base URL is scheme://host[:port]");
  }
  const std::string default_port = endpoint.tls ? "443" : "80";
  const std::size_t colon = rest.rfind(':');
  endpoint.host = std::string(rest.substr(0, colon));
  endpoint.port = colon == std::string_view::npos ? default_port : std::string(rest.substr(colon + 1));
  unsigned port = 0;
  auto [end, ec] = std::from_chars(endpoint.port.data(), endpoint.port.data() + endpoint.port.size(), port);
  if (endpoint.host.empty() || ec != std::errc() || end != endpoint.port.data() + endpoint.port.size() ||
      port == 0 || port > 65535) {
    return Status::InvalidArgument("whatsapp: the Graph API base URL has a bad host or port");
  }
  endpoint.host_header =
      endpoint.port == default_port ? endpoint.host : endpoint.host + ":" + endpoint.port;
  return endpoint;
}

// Phone number ids (digits) and access tokens ("EAA..." letters and digits) go into the request
// line and a header as they are: nothing else may, least of all a line break. "" passes (the
// configured number, checked on its own; a test's empty token).
bool IsPlainToken(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

// A reused connection that the server closed while it was idle fails like this, before any
// answer: the request can go again on a new connection.
bool IsStaleConnection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

// One connection to the API host, carrying one exchange at a time. All its handlers run on the
// client's strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Finish = std::function<void(GraphReply reply, bool keep_alive)>;

  Connection(Strand strand, ssl::context* tls, const Endpoint& endpoint,
             const GraphClientOptions& options)
      : strand_(strand),
        tls_context_(tls),
        endpoint_(endpoint),
        options_(options),
        resolver_(strand),
        timer_(strand) {}

  // Sends `request` (a whole HTTP request, as bytes), on this connection as it is when it is
  // open (reused), else after connecting. `finish` runs once.
  void Run(std::string request, Finish finish) {
    request_ = std::move(request);
    finish_ = std::move(finish);
    reused_ = connected_;
    if (connected_) return DoWrite();
    DoResolve();
  }

  void Close() {
    if (!plain_ && !tls_) return;  // never connected
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().socket().close(ignored);
    connected_ = false;
  }

  SteadyClock::time_point idle_since;

 private:
  beast::tcp_stream& Lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

  template <typename F>
  void WithStream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }

  void Reset() {
    plain_.reset();
    tls_.reset();
    if (endpoint_.tls) {
      tls_.emplace(strand_, *tls_context_);
    } else {
      plain_.emplace(strand_);
    }
    buffer_.clear();
    connected_ = false;
  }

  void DoResolve() {
    Reset();
    // The resolver has no deadline of its own: a timer cancels it. The attempt number keeps a
    // timer of an earlier attempt, already due when it was cancelled, from touching this one.
    timed_out_ = false;
    timer_.expires_after(options_.connect_timeout);
    timer_.async_wait([self = shared_from_this(), attempt = ++attempt_](beast::error_code ec) {
      if (ec || attempt != self->attempt_) return;
      self->timed_out_ = true;
      self->resolver_.cancel();
    });
    resolver_.async_resolve(endpoint_.host, endpoint_.port,
                            beast::bind_front_handler(&Connection::OnResolve, shared_from_this()));
  }

  void OnResolve(beast::error_code ec, tcp::resolver::results_type results) {
    timer_.cancel();
    ++attempt_;
    if (timed_out_) return Fail("resolve", beast::error::timeout);
    if (ec) return Fail("resolve", ec);
    Lowest().expires_after(options_.connect_timeout);
    Lowest().async_connect(results,
                           beast::bind_front_handler(&Connection::OnConnect, shared_from_this()));
  }

  void OnConnect(beast::error_code ec, const tcp::endpoint&) {
    if (ec) return Fail("connect", ec);
    // Small requests, one at a time per connection: never wait for Nagle's algorithm.
    beast::error_code ignored;
    Lowest().socket().set_option(tcp::no_delay(true), ignored);
    if (!tls_) {
      connected_ = true;
      return DoWrite();
    }
    // SNI: the name the certificate is chosen by; then the certificate must be for that name.
    if (!SSL_set_tlsext_host_name(tls_->native_handle(), endpoint_.host.c_str())) {
      return Fail("tls", beast::error_code(static_cast<int>(::ERR_get_error()),
                                           asio::error::get_ssl_category()));
    }
    tls_->set_verify_callback(ssl::host_name_verification(endpoint_.host));
    Lowest().expires_after(options_.connect_timeout);
    tls_->async_handshake(ssl::stream_base::client,
                          beast::bind_front_handler(&Connection::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Fail("tls handshake", ec);
    connected_ = true;
    DoWrite();
  }

  void DoWrite() {
    Lowest().expires_after(options_.request_timeout);
    WithStream([&](auto& stream) {
      asio::async_write(stream, asio::buffer(request_),
                        beast::bind_front_handler(&Connection::OnWrite, shared_from_this()));
    });
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) return Fail("write", ec);
    parser_.emplace();
    parser_->body_limit(options_.response_limit);
    Lowest().expires_after(options_.request_timeout);
    WithStream([&](auto& stream) {
      http::async_read(stream, buffer_, *parser_,
                       beast::bind_front_handler(&Connection::OnRead, shared_from_this()));
    });
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return Fail("read", ec);
    Lowest().expires_never();
    http::response<http::string_body> response = parser_->release();
    GraphReply reply;
    reply.answered = true;
    reply.http_status = static_cast<int>(response.result_int());
    reply.body = std::move(response.body());
    const bool keep_alive = response.keep_alive();
    if (!keep_alive) Close();
    Done(std::move(reply), keep_alive);
  }

  void Fail(std::string_view what, beast::error_code ec) {
    const bool nothing_read = !parser_ || !parser_->got_some();
    if (reused_ && nothing_read && IsStaleConnection(ec)) {
      reused_ = false;  // once: the next failure is reported
      parser_.reset();
      return DoResolve();
    }
    Close();
    GraphReply reply;
    reply.transport_error = std::string(what) + ": " +
                            (ec == beast::error::timeout ? std::string("timeout") : ec.message());
    Done(std::move(reply), false);
  }

  void Done(GraphReply reply, bool keep_alive) {
    parser_.reset();
    Finish finish = std::move(finish_);
    finish_ = nullptr;
    if (finish) finish(std::move(reply), keep_alive);
  }

  Strand strand_;
  ssl::context* tls_context_;  // null for plain HTTP
  const Endpoint& endpoint_;
  const GraphClientOptions& options_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
  std::string request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  Finish finish_;
  bool connected_ = false;
  bool reused_ = false;
  bool timed_out_ = false;
  uint64_t attempt_ = 0;  // resolves started
};

class BeastGraphClient final : public GraphClient {
 public:
  BeastGraphClient(asio::io_context& io, GraphClientOptions options, Endpoint endpoint,
                   std::unique_ptr<ssl::context> tls)
      : strand_(asio::make_strand(io)),
        options_(std::move(options)),
        endpoint_(std::move(endpoint)),
        tls_(std::move(tls)),
        target_(TargetFor(options_.phone_number_id)),
        header_block_(HeaderBlock()) {}

  void Post(std::string_view phone_number_id, std::string json_body, Done done) override {
    if (!IsPlainToken(phone_number_id)) {
      // On the strand, as every answer: never on the caller's thread.
      return asio::post(strand_, [done = std::move(done)] {
        GraphReply reply;
        reply.transport_error = "not sent: the phone number id has characters no id has";
        done(std::move(reply));
      });
    }
    std::string target =
        phone_number_id.empty() || phone_number_id == options_.phone_number_id
            ? target_
            : TargetFor(phone_number_id);
    asio::post(strand_, [this, target = std::move(target), body = std::move(json_body),
                         done = std::move(done)]() mutable {
      if (shut_down_) return Refuse(std::move(done));
      queue_.push_back(Pending{std::move(target), std::move(body), std::move(done)});
      Pump();
    });
  }

  void Post(std::string json_body, Done done) override {
    Post(options_.phone_number_id, std::move(json_body), std::move(done));
  }

  void Shutdown() override {
    asio::post(strand_, [this] {
      shut_down_ = true;
      for (auto& idle : idle_) idle->Close();
      idle_.clear();
      std::deque<Pending> waiting = std::move(queue_);
      queue_.clear();
      for (Pending& pending : waiting) Refuse(std::move(pending.done));
    });
  }

 private:
  struct Pending {
    std::string target;
    std::string body;
    Done done;
  };

  std::string TargetFor(std::string_view phone_number_id) const {
    return "/" + options_.api_version + "/" + std::string(phone_number_id) + "/messages";
  }

  static void Refuse(Done done) {
    GraphReply reply;
    reply.transport_error = "the client is shut down";
    done(std::move(reply));
  }

  // Starts waiting requests while connections are free. Runs on the strand.
  void Pump() {
    while (!queue_.empty() && active_ < options_.max_connections) {
      Pending pending = std::move(queue_.front());
      queue_.pop_front();
      ++active_;
      std::shared_ptr<Connection> connection = TakeIdle();
      if (!connection) {
        connection = std::make_shared<Connection>(strand_, tls_.get(), endpoint_, options_);
      }
      connection->Run(MakeRequest(pending.target, pending.body),
                      [this, connection, done = std::move(pending.done)](GraphReply reply,
                                                                         bool keep_alive) {
                        --active_;
                        if (keep_alive && !shut_down_) {
                          connection->idle_since = SteadyClock::now();
                          idle_.push_back(connection);
                        } else {
                          connection->Close();
                        }
                        done(std::move(reply));
                        Pump();
                      });
    }
  }

  // The most recently used idle connection that has not been idle too long.
  std::shared_ptr<Connection> TakeIdle() {
    const auto now = SteadyClock::now();
    while (!idle_.empty()) {
      std::shared_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      if (now - connection->idle_since < options_.idle_timeout) return connection;
      connection->Close();
    }
    return nullptr;
  }

  // The request as it goes on the wire, in one piece: the same for every request but its target
  // and body, so written straight rather than through Beast's serializer (a tenth of the
  // client's time under load). The target and the headers are ours, not a caller's text: none
  // can hold a line break.
  std::string MakeRequest(const std::string& target, const std::string& body) const {
    const std::string length = std::to_string(body.size());
    std::string request;
    request.reserve(kPost.size() + target.size() + header_block_.size() + length.size() + 4 +
                    body.size());
    request.append(kPost).append(target).append(header_block_).append(length).append("\r\n\r\n");
    request.append(body);
    return request;
  }

  static constexpr std::string_view kPost = "POST ";
  // " HTTP/1.1", then every header but the length, ending with "Content-Length: ".
  std::string HeaderBlock() const {
    return " HTTP/1.1\r\nHost: " + endpoint_.host_header +
           "\r\nUser-Agent: consentflow\r\nAuthorization: Bearer " + options_.access_token +
           "\r\nContent-Type: application/json\r\nConnection: keep-alive\r\nContent-Length: ";
  }

  Strand strand_;
  const GraphClientOptions options_;
  const Endpoint endpoint_;
  std::unique_ptr<ssl::context> tls_;
  const std::string target_;
  const std::string header_block_;
  // Guarded by the strand:
  std::deque<Pending> queue_;
  std::vector<std::shared_ptr<Connection>> idle_;
  std::size_t active_ = 0;
  bool shut_down_ = false;
};

}  // namespace

Result<std::unique_ptr<GraphClient>> GraphClient::Create(asio::io_context& io,
                                                         GraphClientOptions options) {
  Result<Endpoint> endpoint = ParseBaseUrl(options.base_url);
  if (!endpoint) return endpoint.error();
  if (options.phone_number_id.empty()) {
    return Status::InvalidArgument("whatsapp: the Graph client needs a phone number id");
  }
  if (!IsPlainToken(options.phone_number_id) || !IsPlainToken(options.access_token) ||
      !IsPlainToken(options.api_version)) {
    return Status::InvalidArgument(
        "whatsapp: the phone number id, the API version and the access token are letters, "
        "digits, '-', '_' and '.' only; check for spaces, quotes or line breaks");
  }
  if (options.max_connections == 0) options.max_connections = 1;
  std::unique_ptr<ssl::context> tls;
  if (endpoint->tls) {
    tls = std::make_unique<ssl::context>(ssl::context::tls_client);
    beast::error_code ec;
    if (options.ca_file.empty()) {
      tls->set_default_verify_paths(ec);
    } else {
      tls->load_verify_file(options.ca_file, ec);
    }
    if (!ec) tls->set_verify_mode(ssl::verify_peer, ec);
    if (ec) return Status::Internal("whatsapp: cannot set up TLS: " + ec.message());
  }
  return std::unique_ptr<GraphClient>(std::make_unique<BeastGraphClient>(
      io, std::move(options), std::move(*endpoint), std::move(tls)));
}

}  // namespace consentflow::engine::whatsapp
