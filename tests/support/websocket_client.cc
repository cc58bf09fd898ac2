#include "tests/support/websocket_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace consentflow::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct WebSocketClient::Impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  bool connected = false;
  bool closed = false;
  std::string error;
};

WebSocketClient::WebSocketClient(uint16_t port, const std::string& target)
    : impl_(std::make_unique<Impl>()) {
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).expires_after(std::chrono::seconds(20));
  beast::get_lowest_layer(impl_->ws).connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) impl_->ws.handshake("127.0.0.1", target, ec);
  beast::get_lowest_layer(impl_->ws).expires_never();
  impl_->connected = !ec;
  if (ec) impl_->error = ec.message();
}

WebSocketClient::~WebSocketClient() = default;

bool WebSocketClient::connected() const { return impl_->connected; }

void WebSocketClient::Send(const std::string& text) {
  beast::error_code ec;
  impl_->ws.write(asio::buffer(text), ec);
  impl_->error = ec ? ec.message() : "";
}

std::string WebSocketClient::Read(std::chrono::milliseconds timeout) {
  if (!impl_->connected || impl_->closed) return "";
  beast::flat_buffer buffer;
  bool done = false;
  beast::error_code error;
  impl_->ws.async_read(buffer, [&](beast::error_code ec, std::size_t) {
    error = ec;
    done = true;
  });
  impl_->io.restart();
  impl_->io.run_for(timeout);
  if (!done) {
    beast::get_lowest_layer(impl_->ws).close();
    impl_->io.restart();
    impl_->io.run();
    impl_->connected = false;
    impl_->error = "timed out";
    return "";
  }
  if (error == websocket::error::closed) {
    impl_->closed = true;
    impl_->error = "closed";
    return "";
  }
  if (error) {
    impl_->connected = false;
    impl_->error = error.message();
    return "";
  }
  impl_->error.clear();
  return beast::buffers_to_string(buffer.data());
}

bool WebSocketClient::closed() const { return impl_->closed; }
uint16_t WebSocketClient::close_code() const {
  return static_cast<uint16_t>(impl_->ws.reason().code);
}
std::string WebSocketClient::error() const { return impl_->error; }

}  // namespace consentflow::testing
