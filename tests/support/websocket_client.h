#pragma once
// A blocking WebSocket client for tests, whose every step has a deadline (a broken server fails
// the test, it does not hang it). No Beast types in the header.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace consentflow::testing {

class WebSocketClient {
 public:
  // Connects to 127.0.0.1:`port` and upgrades at `target`; see error() when that failed.
  WebSocketClient(uint16_t port, const std::string& target);
  ~WebSocketClient();

  bool connected() const;
  void Send(const std::string& text);
  // The next message; "" when the connection closed (closed(), close_code()) or `timeout` passed
  // (error() says which).
  std::string Read(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool closed() const;       // the server sent a close frame
  uint16_t close_code() const;
  std::string error() const;  // why the last step failed; "" when it did not

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentflow::testing
