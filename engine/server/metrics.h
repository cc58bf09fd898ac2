#pragma once
// The server's /metrics, in Prometheus text format (prometheus-cpp's core, no HTTP part: the
// server's own endpoint renders it). Labels never carry personal data: outcomes, results,
// error codes, notice ids, decisions and queue names only. Thread-safe.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>
#include <string>
#include <string_view>

namespace consentflow::engine::server {

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // outcome: "ok", "duplicate", "bad_signature", "malformed", "too_large", "unavailable",
  // "verified", "verify_refused"
  void WebhookRequest(std::string_view outcome);
  void WebhookAck(double seconds);  // a POST's time from arrival to its 200
  void EventsProcessed(std::size_t handled, std::size_t failed, std::size_t unrouted);
  void StepLatency(double seconds);
  void OutboxState(std::size_t depth, double oldest_age_seconds);
  // result: "accepted", "receipt", "retried", "error", "outside_window"; code: Graph's error code
  void Send(std::string_view result, int error_code, uint64_t count = 1);
  void ConsentDecision(std::string_view notice, std::string_view decision);
  void Handoff(std::string_view queue);

  // Runs `collect(*this)` at the start of every Render(): for totals kept elsewhere.
  void AddCollector(std::function<void(Metrics&)> collect);

  std::string Render();

 private:
  struct Families;
  std::unique_ptr<Families> f_;
  std::mutex collectors_mu_;
  std::vector<std::function<void(Metrics&)>> collectors_;  // guarded by collectors_mu_
};

}  // namespace consentflow::engine::server
