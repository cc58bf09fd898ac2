#include "engine/server/routes.h"

namespace consentflow::engine::server {

void Routes::Handle(HttpRequest request, Responder respond) {
  const bool get = request.method == "GET";
  if (request.path == webhook_path_) {
    if (get) return webhook_.Get(request, respond);
    if (request.method == "POST") return webhook_.Post(std::move(request), std::move(respond));
    return respond(HttpResponse{405, "text/plain; charset=utf-8", "use GET or POST\n", {{"Allow", "GET, POST"}}});
  }
  for (const auto& [path, endpoint] : websockets_) {
    if (request.path == path) {
      return respond(HttpResponse{426, "text/plain; charset=utf-8", "a WebSocket endpoint: send an upgrade\n",
                                  {{"Upgrade", "websocket"}}});
    }
  }
  for (const auto& [prefix, handler] : mounts_) {
    if (request.path == prefix || (request.path.starts_with(prefix) && request.path[prefix.size()] == '/')) {
      return handler->Handle(std::move(request), std::move(respond));
    }
  }
  if (request.path == "/healthz" || request.path == "/readyz" || request.path == "/metrics") {
    if (!get) return respond(HttpResponse{405, "text/plain; charset=utf-8", "use GET\n", {{"Allow", "GET"}}});
    if (request.path == "/healthz") return respond(HttpResponse::Text(200, "ok\n"));
    if (request.path == "/readyz") {
      return respond(ready_ ? HttpResponse::Text(200, "ready\n") : HttpResponse::Text(503, "not ready\n"));
    }
    return respond(HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render(), {}});
  }
  if (api_ != nullptr && request.path.starts_with("/api/")) {
    return api_->Handle(std::move(request), std::move(respond));
  }
  respond(HttpResponse::Text(404, "not found\n"));
}

WebSocketEndpoint* Routes::WebSocketFor(const HttpRequest& request) {
  if (request.method != "GET") return nullptr;
  for (const auto& [path, endpoint] : websockets_) {
    if (request.path == path) return endpoint;
  }
  return nullptr;
}

}  // namespace consentflow::engine::server
