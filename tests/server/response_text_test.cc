// The bytes of an HttpResponse: what a client's parser (Beast's, here) reads back from them.
#include "engine/server/response_text.h"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

namespace consentflow::engine::server {
namespace {

namespace http = boost::beast::http;

// Parses `text` as one whole response, which must end where the text ends.
http::response<http::string_body> Parse(const std::string& text) {
  http::response_parser<http::string_body> parser;
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (!ec && !parser.is_done() && used < text.size()) {  // the head, then the body
    used += parser.put(boost::asio::buffer(text.data() + used, text.size() - used), ec);
  }
  EXPECT_FALSE(ec) << ec.message() << " in:\n" << text;
  EXPECT_EQ(used, text.size()) << "bytes after the response:\n" << text.substr(used);
  EXPECT_TRUE(parser.is_done()) << text;
  return parser.release();
}

TEST(ResponseText, AKeptAliveResponseCarriesItsTypeLengthHeadersAndBody) {
  HttpResponse response = HttpResponse::Json(201, R"({"grüße":1})");
  response.headers.emplace_back("Retry-After", "3");
  const std::string text = ResponseText(response, 11, /*keep_alive=*/true);
  EXPECT_TRUE(text.starts_with("HTTP/1.1 201 Created\r\n")) << text;
  const auto parsed = Parse(text);
  EXPECT_EQ(parsed.result_int(), 201);
  EXPECT_EQ(parsed[http::field::content_type], response.content_type);
  EXPECT_EQ(parsed[http::field::server], "consentflow");
  EXPECT_EQ(parsed["Retry-After"], "3");
  EXPECT_EQ(parsed.body(), R"({"grüße":1})");  // the length counts bytes, not characters
  EXPECT_TRUE(parsed.keep_alive());
}

TEST(ResponseText, TheConnectionHeaderFollowsTheVersion) {
  const HttpResponse ok = HttpResponse::Text(200, "ok\n");
  EXPECT_FALSE(Parse(ResponseText(ok, 11, false)).keep_alive());  // "Connection: close"
  EXPECT_TRUE(Parse(ResponseText(ok, 10, true)).keep_alive());    // "Connection: keep-alive"
  EXPECT_FALSE(Parse(ResponseText(ok, 10, false)).keep_alive());  // 1.0 closes unless told
  EXPECT_TRUE(ResponseText(ok, 10, true).starts_with("HTTP/1.0 200 OK\r\n"));
  EXPECT_EQ(ResponseText(ok, 11, true).find("Connection"), std::string::npos);  // 1.1 keeps by default
}

TEST(ResponseText, NoContentAndNotModifiedHaveNoBodyOrLength) {
  for (int status : {204, 304}) {
    HttpResponse response = HttpResponse::Text(status, "ignored");
    const std::string text = ResponseText(response, 11, true);
    EXPECT_TRUE(text.ends_with("\r\n\r\n")) << text;
    EXPECT_EQ(text.find("Content-Length"), std::string::npos) << text;
    EXPECT_EQ(text.find("ignored"), std::string::npos) << text;
  }
}

TEST(ResponseText, AHeaderThatWouldSplitTheResponseMakesItA500) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"X-Note", "a\r\nSet-Cookie: stolen=1"},
           {"X-Note", std::string("a\0b", 3)},
           {"X Note", "spaces are not allowed in a name"},
           {"", "empty name"}}) {
    HttpResponse response = HttpResponse::Text(200, "fine\n");
    response.headers.emplace_back(name, value);
    const auto parsed = Parse(ResponseText(response, 11, true));
    EXPECT_EQ(parsed.result_int(), 500) << name;
    EXPECT_EQ(parsed.count("Set-Cookie"), 0u);
    EXPECT_EQ(parsed.count("X-Note"), 0u);
  }
  HttpResponse bad_type = HttpResponse::Text(200, "fine\n");
  bad_type.content_type = "text/plain\r\nX-Injected: 1";
  EXPECT_EQ(Parse(ResponseText(bad_type, 11, true)).result_int(), 500);
}

}  // namespace
}  // namespace consentflow::engine::server
