#pragma once
// The server's endpoints: the webhook, /healthz (the process answers), /readyz (it takes
// traffic: started and not stopping), /metrics (Prometheus text), and everything under /api/
// to the agent API when one is set (agent_api.h). Everything else is 404, a wrong method 405.
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
  // Paths under /api/ go to `api` (which must outlive the Routes); null: they are 404. Set
  // before the server starts.
  void SetAgentApi(HttpHandler* api) { api_ = api; }
  void Handle(HttpRequest request, Responder respond) override;

 private:
  std::string webhook_path_;
  WebhookEndpoint& webhook_;
  Metrics& metrics_;
  std::atomic<bool> ready_{false};
  HttpHandler* api_ = nullptr;
};

}  // namespace consentflow::engine::server
