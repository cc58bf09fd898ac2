#include "engine/server/websocket_session.h"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <optional>
#include <string>

namespace consentflow::engine::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using beast::error_code;

class WebSocketSession;

// What endpoints hold: calls go to the session while it lives, and are no-ops afterwards.
// The calls hold the session only under the registry's teardown lock (shared), so a session
// whose last reference such a call drops is destroyed while its io_context still exists.
class WeakPeer final : public WebSocketPeer {
 public:
  WeakPeer(std::weak_ptr<WebSocketSession> session, std::shared_ptr<WebSocketSessions> sessions)
      : session_(std::move(session)), sessions_(std::move(sessions)) {}
  ~WeakPeer() override;
  bool Send(std::string text) override;
  void Ready() override;
  void Close(uint16_t code, std::string reason) override;

 private:
  // Runs `call` on the session if it lives and the server is not torn down; false otherwise.
  template <typename Call>
  bool WithSession(Call&& call) {
    std::shared_lock lock(sessions_->teardown_mu_);
    if (sessions_->torn_down_) return false;
    std::shared_ptr<WebSocketSession> session = session_.lock();
    if (!session) return false;
    return call(*session);
  }

  std::weak_ptr<WebSocketSession> session_;
  std::shared_ptr<WebSocketSessions> sessions_;
};

// One upgraded connection. Every member below the mutex-free line is touched only on the
// stream's strand; Send/Ready/Close may come from any thread and post there.
class WebSocketSession final : public WebSocketPeer,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(beast::tcp_stream stream, WebSocketLimits limits,
                   std::shared_ptr<WebSocketSessions> sessions, std::function<void()> on_end)
      : ws_(std::move(stream)), timer_(ws_.get_executor()), limits_(limits),
        sessions_(std::move(sessions)), on_end_(std::move(on_end)) {}

  ~WebSocketSession() override {
    // The io_context was torn down with the connection still open (Stop() past its grace).
    if (listener_ && !ended_) listener_->OnClose();
    if (id_ != 0) sessions_->Remove(id_);
    if (on_end_) on_end_();
  }

  void Run(http::request<http::string_body> upgrade, HttpRequest request, WebSocketEndpoint& endpoint) {
    id_ = RegisterSelf();
    // Beast's own timers: the handshake, and the idle timeout with pings at half of it. The TCP
    // stream's timer must be off for those to apply.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = std::chrono::seconds(10);
    timeout.idle_timeout = limits_.idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "consentflow"); }));
    ws_.read_message_max(limits_.max_message_bytes);
    auto upgrade_message = std::make_shared<http::request<http::string_body>>(std::move(upgrade));
    ws_.async_accept(*upgrade_message,
                     [self = shared_from_this(), upgrade_message, request = std::move(request),
                      &endpoint](error_code ec) mutable {
                       if (ec) return self->End();
                       self->OnAccepted(request, endpoint);
                     });
  }

  // ---- WebSocketPeer (any thread)

  bool Send(std::string text) override {
    if (closing_) return false;
    if (queued_.fetch_add(1) >= limits_.max_queued) {
      --queued_;
      Abandon(kCloseTryAgainLater, "too slow");
      return false;
    }
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->close_started_ || self->ended_) {
        --self->queued_;
        return;
      }
      self->outbox_.push_back(std::move(text));
      if (!self->writing_) self->WriteNext();
    });
    return true;
  }

  void Ready() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->ready_ = true;
      self->timer_.cancel();
    });
  }

  void Close(uint16_t code, std::string reason) override {
    closing_ = true;
    asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
      self->RequestClose(code, std::move(reason), /*drop_queue=*/false);
    });
  }

  // Closes without writing what is queued (a slow consumer, the server stopping).
  void Abandon(uint16_t code, std::string reason) {
    closing_ = true;
    asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
      self->RequestClose(code, std::move(reason), /*drop_queue=*/true);
    });
  }

 private:
  uint64_t RegisterSelf() { return sessions_->Add(weak_from_this()); }

  void OnAccepted(const HttpRequest& request, WebSocketEndpoint& endpoint) {
    // Endpoints keep the peer (to push later) while the session keeps their listener: the peer
    // they get holds the session weakly, so that pair is no cycle.
    listener_ = endpoint.Open(request, std::make_shared<WeakPeer>(weak_from_this(), sessions_));
    if (!listener_) return RequestClose(websocket::close_code::policy_error, "refused", true);
    timer_.expires_after(limits_.ready_timeout);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->ready_) return;
      self->RequestClose(kCloseNotReady, "authenticate first", /*drop_queue=*/true);
    });
    Read();
  }

  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, std::size_t) {
      // Beast itself fails a connection whose message is over the limit, with 1009.
      if (ec) return self->End();
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (!self->ended_ && self->listener_) self->listener_->OnMessage(std::move(text));
      self->Read();
    });
  }

  void WriteNext() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()), [self = shared_from_this()](error_code ec, std::size_t) {
      self->outbox_.pop_front();
      --self->queued_;
      self->writing_ = false;
      if (ec) return self->End();
      if (self->close_ && !self->drop_queue_ && self->outbox_.empty()) return self->StartClose();
      if (self->close_ && self->drop_queue_) return self->StartClose();
      if (!self->outbox_.empty()) self->WriteNext();
    });
  }

  void RequestClose(uint16_t code, std::string reason, bool drop_queue) {
    if (close_ || ended_) return;
    closing_ = true;
    close_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason.substr(0, 120));
    drop_queue_ = drop_queue;
    timer_.cancel();
    if (drop_queue) {
      // Keep only the message being written (Beast finishes a frame it started).
      while (outbox_.size() > (writing_ ? 1u : 0u)) {
        outbox_.pop_back();
        --queued_;
      }
    }
    if (!writing_ && (drop_queue || outbox_.empty())) StartClose();
  }

  void StartClose() {
    if (close_started_ || ended_) return;
    close_started_ = true;
    // The read still pending completes with websocket::error::closed once the peer answers (or
    // the idle timeout ends it), and End() runs there.
    ws_.async_close(*close_, [self = shared_from_this()](error_code ec) {
      if (ec) self->End();
    });
  }

  void End() {
    if (ended_) return;
    ended_ = true;
    closing_ = true;
    timer_.cancel();
    while (!outbox_.empty() && !writing_) {
      outbox_.pop_front();
      --queued_;
    }
    if (listener_) listener_->OnClose();
    listener_.reset();
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer timer_;
  const WebSocketLimits limits_;
  std::shared_ptr<WebSocketSessions> sessions_;
  std::function<void()> on_end_;
  uint64_t id_ = 0;
  std::atomic<bool> closing_{false};    // no new messages are taken
  std::atomic<std::size_t> queued_{0};  // messages taken by Send and not yet written or dropped
  // ---- strand only
  std::shared_ptr<WebSocketListener> listener_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  bool writing_ = false;
  bool ready_ = false;
  std::optional<websocket::close_reason> close_;
  bool drop_queue_ = false;
  bool close_started_ = false;
  bool ended_ = false;

  friend class WebSocketSessions;
};

WeakPeer::~WeakPeer() = default;

bool WeakPeer::Send(std::string text) {
  return WithSession([&](WebSocketSession& session) { return session.Send(std::move(text)); });
}

void WeakPeer::Ready() {
  WithSession([](WebSocketSession& session) {
    session.Ready();
    return true;
  });
}

void WeakPeer::Close(uint16_t code, std::string reason) {
  WithSession([&](WebSocketSession& session) {
    session.Close(code, std::move(reason));
    return true;
  });
}

void WebSocketSessions::TearDown() {
  std::unique_lock lock(teardown_mu_);
  torn_down_ = true;
}

uint64_t WebSocketSessions::Add(std::weak_ptr<WebSocketSession> session) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_id_++;
  live_.emplace(id, std::move(session));
  return id;
}

void WebSocketSessions::Remove(uint64_t id) {
  std::lock_guard lock(mu_);
  live_.erase(id);
  if (live_.empty()) empty_.notify_all();
}

void WebSocketSessions::CloseAll() {
  std::vector<std::shared_ptr<WebSocketSession>> sessions;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, weak] : live_) {
      if (std::shared_ptr<WebSocketSession> session = weak.lock()) sessions.push_back(std::move(session));
    }
  }
  for (const std::shared_ptr<WebSocketSession>& session : sessions) {
    session->Abandon(kCloseGoingAway, "server stopping");
  }
}

bool WebSocketSessions::WaitUntilEmpty(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return empty_.wait_for(lock, timeout, [this] { return live_.empty(); });
}

std::size_t WebSocketSessions::size() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

void StartWebSocketSession(beast::tcp_stream stream, http::request<http::string_body> upgrade,
                           HttpRequest request, WebSocketEndpoint& endpoint,
                           std::shared_ptr<WebSocketSessions> sessions, std::function<void()> on_end) {
  auto session = std::make_shared<WebSocketSession>(std::move(stream), endpoint.limits(),
                                                    std::move(sessions), std::move(on_end));
  session->Run(std::move(upgrade), std::move(request), endpoint);
}

}  // namespace consentflow::engine::server
