#include "engine/server/routes.h"

namespace consentflow::engine::server {

void Routes::Handle(HttpRequest request, Responder respond) {
  const bool get = request.method == "GET";
  if (request.path == webhook_path_) {
    if (get) return webhook_.Get(request, respond);
    if (request.method == "POST") return webhook_.Post(std::move(request), std::move(respond));
    return respond(HttpResponse{405, "text/plain; charset=utf-8", "use GET or POST\n", {{"Allow", "GET, POST"}}});
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

}  // namespace consentflow::engine::server
