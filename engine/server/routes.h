#pragma once
// The server's endpoints: the webhook, /healthz (the process answers), /readyz (it takes
// traffic: started and not stopping), /metrics (Prometheus text). Everything else is 404, a
// wrong method 405.
#include <atomic>
#include <string>

#include "engine/server/http_server.h"
#include "engine/server/metrics.h"
#include "engine/server/webhook_endpoint.h"

namespace consentflow::engine::server {

class Routes final : public HttpHandler {
 public:
  Routes(std::string webhook_path, WebhookEndpoint& webhook, Metrics& metrics)
      : webhook_path_(std::move(webhook_path)), webhook_(webhook), metrics_(metrics) {}

  void SetReady(bool ready) { ready_ = ready; }
  void Handle(HttpRequest request, Responder respond) override;

 private:
  std::string webhook_path_;
  WebhookEndpoint& webhook_;
  Metrics& metrics_;
  std::atomic<bool> ready_{false};
};

}  // namespace consentflow::engine::server
