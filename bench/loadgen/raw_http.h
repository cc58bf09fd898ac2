#pragma once
// Just enough HTTP/1.1 for the load generator and the floor server: messages framed by
// Content-Length on a kept-alive connection, read with Asio into a string. Beast's parser is
// more than these tools need, and its cost lands on the core whose speed they measure.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace consentflow::bench {

// The Content-Length of a header block; 0 when there is none.
inline std::size_t ContentLength(std::string_view head) {
  constexpr std::string_view kName = "content-length:";
  const auto at = std::search(head.begin(), head.end(), kName.begin(), kName.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  if (at == head.end()) return 0;
  const char* from = &*at + kName.size();
  const char* end = head.data() + head.size();
  while (from < end && *from == ' ') ++from;
  std::size_t length = 0;
  std::from_chars(from, end, length);
  return length;
}

// The string value of the first `key` (written with its quotes, colon and opening quote:
// "\"to\":\"") at or after `from`; empty when there is none.
inline std::string_view ValueAfter(std::string_view body, std::string_view key, std::size_t from = 0) {
  const std::size_t at = body.find(key, from);
  if (at == std::string_view::npos) return {};
  const std::size_t begin = at + key.size();
  const std::size_t end = body.find('"', begin);
  return end == std::string_view::npos ? std::string_view{} : body.substr(begin, end - begin);
}

// One whole message (head and body) as it came: `done(ec, message, head_size)`. `buffer` keeps
// what was read past the message for the next call; socket and buffer must outlive the read.
template <class Done>
void ReadMessage(boost::asio::ip::tcp::socket& socket, std::string& buffer, Done done);

namespace detail {
template <class Done>
void ReadRest(boost::asio::ip::tcp::socket& socket, std::string& buffer, std::size_t head, std::size_t whole,
              Done done) {
  if (buffer.size() >= whole) {
    std::string message = buffer.substr(0, whole);
    buffer.erase(0, whole);
    return done(boost::system::error_code(), std::move(message), head);
  }
  boost::asio::async_read(socket, boost::asio::dynamic_buffer(buffer),
                          boost::asio::transfer_at_least(whole - buffer.size()),
                          [&socket, &buffer, head, whole, done = std::move(done)](
                              boost::system::error_code ec, std::size_t) mutable {
                            if (ec) return done(ec, std::string(), 0);
                            ReadRest(socket, buffer, head, whole, std::move(done));
                          });
}
}  // namespace detail

template <class Done>
void ReadMessage(boost::asio::ip::tcp::socket& socket, std::string& buffer, Done done) {
  boost::asio::async_read_until(
      socket, boost::asio::dynamic_buffer(buffer), "\r\n\r\n",
      [&socket, &buffer, done = std::move(done)](boost::system::error_code ec, std::size_t head) mutable {
        if (ec) return done(ec, std::string(), 0);
        const std::size_t whole = head + ContentLength(std::string_view(buffer).substr(0, head));
        detail::ReadRest(socket, buffer, head, whole, std::move(done));
      });
}

}  // namespace consentflow::bench
