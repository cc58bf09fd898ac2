#pragma once
// Internal to engine/server: included only by http_server.cc and websocket_session.cc (it holds
// Beast types; public headers never do). The HTTP session hands a connection whose request is a
// WebSocket upgrade to StartWebSocketSession, which accepts it and runs it (websocket.h has the
// contract endpoints see).
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "engine/server/http_server.h"
#include "engine/server/websocket.h"

namespace consentflow::engine::server {

class WebSocketSession;

// The live WebSocket connections of one server, so that Stop() can close them cleanly.
// Thread-safe.
class WebSocketSessions {
 public:
  // Asks every live connection to close with kCloseGoingAway.
  void CloseAll();
  // Waits until no connection is left or `timeout` has passed; true when none is left.
  bool WaitUntilEmpty(std::chrono::milliseconds timeout);
  std::size_t size() const;
  // Before the io_context goes: from now on an endpoint's calls on its peer are no-ops. Waits
  // for the calls in progress, so no other thread holds a session when the io_context (and
  // Beast's WebSocket service in it) is destroyed; a session whose last holder was such a call
  // was destroyed before that.
  void TearDown();

 private:
  friend class WebSocketSession;
  friend class WeakPeer;
  uint64_t Add(std::weak_ptr<WebSocketSession> session);  // returns its id
  void Remove(uint64_t id);

  std::shared_mutex teardown_mu_;
  bool torn_down_ = false;  // guarded by teardown_mu_
  mutable std::mutex mu_;
  std::condition_variable empty_;
  uint64_t next_id_ = 1;                                                 // guarded by mu_
  std::unordered_map<uint64_t, std::weak_ptr<WebSocketSession>> live_;  // guarded by mu_
};

// Accepts the upgrade `upgrade` on `stream` (its executor must be a strand) and runs the
// connection for `endpoint`; `on_end` runs when the session is destroyed.
void StartWebSocketSession(boost::beast::tcp_stream stream,
                           boost::beast::http::request<boost::beast::http::string_body> upgrade,
                           HttpRequest request, WebSocketEndpoint& endpoint,
                           std::shared_ptr<WebSocketSessions> sessions, std::function<void()> on_end);

}  // namespace consentflow::engine::server
