#include "tests/support/graph_standin.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <system_error>
#include <thread>

namespace consentflow::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;

namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string RecipientOf(const std::string& body) {
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return "";
  for (const char* key : {"to", "recipient", "message_id"}) {
    auto it = json.find(key);
    if (it != json.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

bool IsReadReceipt(const std::string& body) {
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  return json.is_object() && json.value("status", std::string()) == "read";
}

// One connection: read a request, answer as scripted (maybe after a delay), repeat while the
// client keeps the connection alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::size_t connection,
          std::function<std::pair<std::size_t, StandinAnswer>(RecordedRequest)> record,
          std::function<void(std::size_t, int, std::string)> answered)
      : stream_(std::move(socket)),
        timer_(stream_.get_executor()),
        connection_(connection),
        record_(std::move(record)),
        answered_(std::move(answered)) {}

  void Start() { DoRead(); }

 private:
  void DoRead() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return DoClose();
    RecordedRequest recorded;
    recorded.method = std::string(request_.method_string());
    recorded.target = std::string(request_.target());
    for (const auto& field : request_) {
      recorded.headers[Lower(std::string(field.name_string()))] = std::string(field.value());
    }
    recorded.body = request_.body();
    recorded.recipient = RecipientOf(recorded.body);
    recorded.connection = connection_;
    auto [index, answer] = record_(std::move(recorded));
    if (answer.delay.count() > 0) {
      timer_.expires_after(answer.delay);
      timer_.async_wait([self = shared_from_this(), index = index, answer = answer](
                            beast::error_code wait_ec) {
        if (!wait_ec) self->Answer(index, answer);
      });
      return;
    }
    Answer(index, answer);
  }

  void Answer(std::size_t index, const StandinAnswer& answer) {
    if (answer.kind == StandinAnswer::Kind::kDrop) {
      answered_(index, 0, "");
      return DoClose();
    }
    response_ = {};
    response_.version(request_.version());
    response_.keep_alive(request_.keep_alive());
    response_.set(http::field::content_type, "application/json");
    std::string whatsapp_id;
    if (answer.kind == StandinAnswer::Kind::kAccept) {
      response_.result(http::status::ok);
      if (IsReadReceipt(request_.body())) {
        response_.body() = R"({"success":true})";
      } else {
        whatsapp_id = "wamid.standin." + std::to_string(index + 1);
        const std::string to = RecipientOf(request_.body());
        Json body = {{"messaging_product", "whatsapp"},
                     {"contacts", Json::array({{{"input", to}, {"wa_id", to}}})},
                     {"messages", Json::array({{{"id", whatsapp_id}}})}};
        response_.body() = body.dump();
      }
    } else {
      response_.result(static_cast<unsigned>(answer.http_status));
      Json error = {{"message", "(#" + std::to_string(answer.graph_code) + ") Scripted error"},
                    {"type", "OAuthException"},
                    {"fbtrace_id", "standin"}};
      if (answer.graph_code != 0) error["code"] = answer.graph_code;
      response_.body() = Json{{"error", error}}.dump();
    }
    response_.prepare_payload();
    answered_(index, static_cast<int>(response_.result_int()), whatsapp_id);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec || !response_.keep_alive()) return DoClose();
    DoRead();
  }

  void DoClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::size_t connection_;
  std::function<std::pair<std::size_t, StandinAnswer>(RecordedRequest)> record_;
  std::function<void(std::size_t, int, std::string)> answered_;
};

}  // namespace

class GraphStandin::Server {
 public:
  explicit Server(GraphStandin& owner)
      : owner_(owner), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    DoAccept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Server() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void DoAccept() {
    // Each connection on a strand of its own, so sessions never share state unguarded.
    acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      beast::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(
          std::move(s), owner_.Connected(),
          [this](RecordedRequest r) { return owner_.Record(std::move(r)); },
          [this](std::size_t i, int status, std::string id) {
            owner_.Answered(i, status, std::move(id));
          })
          ->Start();
      DoAccept();
    });
  }

  GraphStandin& owner_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

GraphStandin::GraphStandin() : server_(std::make_unique<Server>(*this)) {
  port_ = server_->port();
}

GraphStandin::~GraphStandin() { server_.reset(); }

std::string GraphStandin::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void GraphStandin::Script(StandinAnswer answer, std::size_t count, std::string recipient) {
  std::lock_guard lock(mu_);
  script_.push_back(ScriptEntry{answer, count, std::move(recipient)});
}

void GraphStandin::ClearScript() {
  std::lock_guard lock(mu_);
  script_.clear();
}

std::vector<RecordedRequest> GraphStandin::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::size_t GraphStandin::RequestCount() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

std::vector<RecordedRequest> GraphStandin::AcceptedSends() const {
  std::lock_guard lock(mu_);
  std::vector<RecordedRequest> accepted;
  for (const RecordedRequest& r : requests_) {
    if (r.answered == 200 && !r.whatsapp_id.empty()) accepted.push_back(r);
  }
  return accepted;
}

bool GraphStandin::WaitForRequests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

std::size_t GraphStandin::ConnectionCount() const {
  std::lock_guard lock(mu_);
  return connections_;
}

std::size_t GraphStandin::Connected() {
  std::lock_guard lock(mu_);
  return ++connections_;
}

std::pair<std::size_t, StandinAnswer> GraphStandin::Record(RecordedRequest request) {
  std::lock_guard lock(mu_);
  StandinAnswer answer = StandinAnswer::Accept();
  for (auto it = script_.begin(); it != script_.end(); ++it) {
    if (!it->recipient.empty() && it->recipient != request.recipient) continue;
    answer = it->answer;
    if (--it->left == 0) script_.erase(it);
    break;
  }
  requests_.push_back(std::move(request));
  arrived_.notify_all();
  return {requests_.size() - 1, answer};
}

void GraphStandin::Answered(std::size_t index, int status, std::string whatsapp_id) {
  std::lock_guard lock(mu_);
  if (index >= requests_.size()) return;
  requests_[index].answered = status;
  requests_[index].whatsapp_id = std::move(whatsapp_id);
}

}  // namespace consentflow::testing
