#pragma once
// The server's endpoints: the webhook, /healthz (the process answers), /readyz (it takes
// traffic: started and not stopping), /metrics (Prometheus text), and everything under /api/
// to the agent API when one is set (agent_api.h). Mounted handlers take the paths under their
// prefix (the console's pages, the demo phone), mounted WebSocket endpoints their one path
// (/api/events). Everything else is 404, a wrong method 405.
#include <atomic>
#include <string>
#include <utility>
#include <vector>

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
  // Paths equal to `prefix` or under `prefix/` go to `handler`, before everything but the
  // webhook; the first match wins. Set before the server starts; `handler` must outlive it.
  void Mount(std::string prefix, HttpHandler* handler) { mounts_.emplace_back(std::move(prefix), handler); }
  // WebSocket upgrades to exactly `path` go to `endpoint` (a plain request there gets 426).
  void MountWebSocket(std::string path, WebSocketEndpoint* endpoint) {
    websockets_.emplace_back(std::move(path), endpoint);
  }
  void Handle(HttpRequest request, Responder respond) override;
  WebSocketEndpoint* WebSocketFor(const HttpRequest& request) override;

 private:
  std::string webhook_path_;
  WebhookEndpoint& webhook_;
  Metrics& metrics_;
  std::atomic<bool> ready_{false};
  HttpHandler* api_ = nullptr;
  std::vector<std::pair<std::string, HttpHandler*>> mounts_;
  std::vector<std::pair<std::string, WebSocketEndpoint*>> websockets_;
};

}  // namespace consentflow::engine::server
