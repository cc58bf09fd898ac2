#pragma once
// WebSocket endpoints on the HTTP server (RFC 6455, text frames only), without Beast in sight:
// the server hands an upgraded connection to the WebSocketEndpoint registered for its path
// (HttpHandler::WebSocketFor), which answers with a listener; it talks back through the peer.
//
//   browser --GET /api/events, Upgrade: websocket--> HttpServer --WebSocketFor--> endpoint
//           <==== text frames (peer->Send) ====      websocket_session.cc (Beast) <-- listener
//
// Limits, enforced by the session: incoming messages above `max_message_bytes` close the
// connection (1009); at most `max_queued` outgoing messages wait to be written, and a peer that
// falls further behind is closed (1013, "too slow": it reconnects and reloads, which is cheaper
// than buffering without bound); a connection that has not been marked ready within
// `ready_timeout` is closed (4408), so an endpoint that authenticates with the first message
// need not keep a timer; the server pings an idle connection and closes one that does not
// answer within `idle_timeout`. HttpServer::Stop() closes every connection with 1001.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace consentflow::engine::server {

struct HttpRequest;

// Close codes used by the server and its endpoints (4000-4999 are the application's).
inline constexpr uint16_t kCloseGoingAway = 1001;      // the server is stopping
inline constexpr uint16_t kCloseTooBig = 1009;         // a message above max_message_bytes
inline constexpr uint16_t kCloseTryAgainLater = 1013;  // the peer read too slowly
inline constexpr uint16_t kCloseUnauthorized = 4401;   // no valid session
inline constexpr uint16_t kCloseNotReady = 4408;       // not marked ready within ready_timeout

// The server's side of one connection. Thread-safe; may be kept after the connection ended
// (then every call is a no-op).
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues a text message. False when the connection is closing or closed, or when the queue
  // was full (the connection is then closed with kCloseTryAgainLater).
  virtual bool Send(std::string text) = 0;
  // The endpoint accepts the connection (e.g. it authenticated): the ready timer stops.
  virtual void Ready() = 0;
  // Sends a close frame with `code` and `reason` after what is queued, then ends the connection.
  virtual void Close(uint16_t code, std::string reason) = 0;
};

// What an endpoint hears from one connection. Called on an I/O thread, never concurrently for
// one connection; must not block.
class WebSocketListener {
 public:
  virtual ~WebSocketListener() = default;
  virtual void OnMessage(std::string text) = 0;
  // Once, when the connection has ended (either side closed it, an error, the server stopped).
  virtual void OnClose() = 0;
};

struct WebSocketLimits {
  std::size_t max_message_bytes = 64 << 10;
  std::size_t max_queued = 256;
  std::chrono::milliseconds ready_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};  // a ping goes out after half of it
};

class WebSocketEndpoint {
 public:
  virtual ~WebSocketEndpoint() = default;
  virtual WebSocketLimits limits() const { return {}; }
  // A connection to this endpoint was upgraded. Called on an I/O thread: must not block.
  // Returns the connection's listener (kept alive by the session until OnClose()).
  virtual std::shared_ptr<WebSocketListener> Open(const HttpRequest& request,
                                                  std::shared_ptr<WebSocketPeer> peer) = 0;
};

}  // namespace consentflow::engine::server
