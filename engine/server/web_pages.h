#pragma once
// Serves the embedded pages (web_assets.h) under one prefix: GET /console (or /console/) is
// the folder's index.html, /console/console.js the file itself. HEAD is answered like GET
// without a body; other methods get 405. Every page is sent with a Content-Security-Policy that
// allows only the server's own scripts, styles and WebSocket (no inline script, no other
// origin), nosniff, no framing and no caching (a new binary's pages are seen at once).
#include <string>

#include "engine/server/http_server.h"

namespace consentflow::engine::server {

class WebPages final : public HttpHandler {
 public:
  explicit WebPages(std::string prefix) : prefix_(std::move(prefix)) {}
  void Handle(HttpRequest request, Responder respond) override;

 private:
  std::string prefix_;  // "/console"
};

}  // namespace consentflow::engine::server
