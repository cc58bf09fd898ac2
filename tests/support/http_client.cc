#include "tests/support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <thread>

namespace consentflow::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpResult Exchange(uint16_t port, const std::function<void(beast::tcp_stream&)>& send, int pause_ms = 0) {
  HttpResult result;
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    send(stream);
    if (pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(stream, buffer, parser);
    result.status = static_cast<int>(parser.get().result_int());
    result.body = parser.get().body();
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

}  // namespace

HttpResult HttpGet(uint16_t port, const std::string& target) {
  return Exchange(port, [&](beast::tcp_stream& stream) {
    http::request<http::string_body> request(http::verb::get, target, 11);
    request.set(http::field::host, "127.0.0.1");
    request.keep_alive(false);
    http::write(stream, request);
  });
}

HttpResult HttpPost(uint16_t port, const std::string& target, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  return Exchange(port, [&](beast::tcp_stream& stream) {
    http::request<http::string_body> request(http::verb::post, target, 11);
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.keep_alive(false);
    request.prepare_payload();
    http::write(stream, request);
  });
}

HttpResult RawRequest(uint16_t port, const std::string& bytes, int pause_ms) {
  return Exchange(port, [&](beast::tcp_stream& stream) {
    asio::write(stream.socket(), asio::buffer(bytes));
  }, pause_ms);
}

}  // namespace consentflow::testing
