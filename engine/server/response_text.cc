#include "engine/server/response_text.h"

#include <boost/beast/http/status.hpp>

#include <algorithm>
#include <string_view>

namespace consentflow::engine::server {
namespace {

bool IsToken(std::string_view name) {
  constexpr std::string_view kPunctuation = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kPunctuation.find(c) != std::string_view::npos;
  });
}

bool IsFieldValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool HasBody(int status) { return status >= 200 && status != 204 && status != 304; }

void AddHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

std::string ResponseText(const HttpResponse& response, unsigned version, bool keep_alive) {
  const bool valid = IsFieldValue(response.content_type) &&
                     std::all_of(response.headers.begin(), response.headers.end(), [](const auto& header) {
                       return IsToken(header.first) && IsFieldValue(header.second);
                     });
  if (!valid || response.status < 100 || response.status > 999) {
    return ResponseText(HttpResponse::Text(500, "internal error: a malformed response\n"), version, keep_alive);
  }
  const bool body = HasBody(response.status);
  std::string out;
  out.reserve(128 + response.body.size());
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(response.status)).append(" ");
  out.append(boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status)));
  out.append("\r\n");
  AddHeader(out, "Server", "consentflow");
  if (body) AddHeader(out, "Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) AddHeader(out, name, value);
  if (body) AddHeader(out, "Content-Length", std::to_string(response.body.size()));
  if (version == 10 && keep_alive) AddHeader(out, "Connection", "keep-alive");
  if (version != 10 && !keep_alive) AddHeader(out, "Connection", "close");
  out.append("\r\n");
  if (body) out.append(response.body);
  return out;
}

}  // namespace consentflow::engine::server
