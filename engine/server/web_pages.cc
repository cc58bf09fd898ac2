#include "engine/server/web_pages.h"

#include "engine/server/web_assets.h"

namespace consentflow::engine::server {

void WebPages::Handle(HttpRequest request, Responder respond) {
  if (request.method != "GET" && request.method != "HEAD") {
    return respond(HttpResponse{405, "text/plain; charset=utf-8", "use GET\n", {{"Allow", "GET, HEAD"}}});
  }
  std::string path = request.path;
  if (path == prefix_) {
    // Relative links in the page resolve against the folder.
    return respond(HttpResponse{308, "text/plain; charset=utf-8", "", {{"Location", prefix_ + "/"}}});
  }
  if (path.ends_with('/')) path += "index.html";
  const WebAsset* asset = FindWebAsset(path);
  if (asset == nullptr) return respond(HttpResponse::Text(404, "not found\n"));
  HttpResponse response{200, std::string(asset->content_type),
                        request.method == "HEAD" ? std::string() : std::string(asset->body), {}};
  response.headers = {
      {"Content-Security-Policy",
       "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-cache"},
  };
  respond(std::move(response));
}

}  // namespace consentflow::engine::server
