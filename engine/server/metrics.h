#pragma once
// The server's /metrics, in Prometheus text format (prometheus-cpp's core, no HTTP part: the
// server's own endpoint renders it). Labels never carry personal data: outcomes, results,
// error codes, notice ids, decisions and queue names only. Thread-safe.
#include <memory>
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
  void Send(std::string_view result, int error_code);  // result: "sent", "retry", "failed"
  void ConsentDecision(std::string_view notice, std::string_view decision);
  void Handoff(std::string_view queue);

  std::string Render() const;

 private:
  struct Families;
  std::unique_ptr<Families> f_;
};

}  // namespace consentflow::engine::server
