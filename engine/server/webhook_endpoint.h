#pragma once
// The webhook Meta calls (../shared/whatsapp/README.md §1-3):
//   GET  ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C  -> 200 C when T matches, else 403
//   POST with X-Hub-Signature-256                                 -> 200 once durable
// A POST is checked in this order, and nothing is parsed or stored before the signature holds:
// signature (401), JSON and envelope (400), then the InboxWriter makes it durable (200, or 503
// when the store cannot take it: Meta retries). Body size limits are the HTTP server's (413).
#include <string>

#include "engine/server/http_server.h"
#include "engine/server/inbox_writer.h"
#include "engine/server/metrics.h"

namespace consentflow::engine::server {

class WebhookEndpoint {
 public:
  WebhookEndpoint(std::string verify_token, std::string app_secret, InboxWriter& writer, Metrics& metrics)
      : verify_token_(std::move(verify_token)), app_secret_(std::move(app_secret)),
        writer_(writer), metrics_(metrics) {}

  void Get(const HttpRequest& request, const Responder& respond);
  void Post(HttpRequest request, Responder respond);

 private:
  std::string verify_token_;
  std::string app_secret_;
  InboxWriter& writer_;
  Metrics& metrics_;
};

}  // namespace consentflow::engine::server
