#include "engine/server/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace consentflow::engine::server {

struct Metrics::Families {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& webhook = prometheus::BuildCounter()
      .Name("consentflow_webhook_requests_total")
      .Help("Webhook requests by outcome")
      .Register(*registry);
  prometheus::Family<prometheus::Histogram>& ack = prometheus::BuildHistogram()
      .Name("consentflow_webhook_ack_seconds")
      .Help("Time from a webhook POST's arrival to its answer")
      .Register(*registry);
  prometheus::Family<prometheus::Counter>& events = prometheus::BuildCounter()
      .Name("consentflow_events_total")
      .Help("Events processed by the engine, by result")
      .Register(*registry);
  prometheus::Family<prometheus::Histogram>& step = prometheus::BuildHistogram()
      .Name("consentflow_step_seconds")
      .Help("Time to step one event through its flow and commit it, per batch average")
      .Register(*registry);
  prometheus::Family<prometheus::Gauge>& outbox = prometheus::BuildGauge()
      .Name("consentflow_outbox")
      .Help("Replies waiting to be sent: depth, and the age of the oldest in seconds")
      .Register(*registry);
  prometheus::Family<prometheus::Counter>& sends = prometheus::BuildCounter()
      .Name("consentflow_sends_total")
      .Help("Graph API sends by result and error code")
      .Register(*registry);
  prometheus::Family<prometheus::Counter>& consents = prometheus::BuildCounter()
      .Name("consentflow_consent_decisions_total")
      .Help("Consent decisions by notice and decision")
      .Register(*registry);
  prometheus::Family<prometheus::Counter>& handoffs = prometheus::BuildCounter()
      .Name("consentflow_handoffs_total")
      .Help("Conversations handed to people, by queue")
      .Register(*registry);
  const prometheus::Histogram::BucketBoundaries latency_buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  prometheus::Histogram& ack_histogram = ack.Add({}, latency_buckets);
  prometheus::Histogram& step_histogram = step.Add({}, prometheus::Histogram::BucketBoundaries{
      0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05});
  prometheus::Gauge& outbox_depth = outbox.Add({{"measure", "depth"}});
  prometheus::Gauge& outbox_age = outbox.Add({{"measure", "oldest_age_seconds"}});
};

Metrics::Metrics() : f_(std::make_unique<Families>()) {}
Metrics::~Metrics() = default;

void Metrics::WebhookRequest(std::string_view outcome) {
  f_->webhook.Add({{"outcome", std::string(outcome)}}).Increment();
}

void Metrics::WebhookAck(double seconds) { f_->ack_histogram.Observe(seconds); }

void Metrics::EventsProcessed(std::size_t handled, std::size_t failed, std::size_t unrouted) {
  if (handled > 0) f_->events.Add({{"result", "handled"}}).Increment(static_cast<double>(handled));
  if (failed > 0) f_->events.Add({{"result", "failed"}}).Increment(static_cast<double>(failed));
  if (unrouted > 0) f_->events.Add({{"result", "unrouted"}}).Increment(static_cast<double>(unrouted));
}

void Metrics::StepLatency(double seconds) { f_->step_histogram.Observe(seconds); }

void Metrics::OutboxState(std::size_t depth, double oldest_age_seconds) {
  f_->outbox_depth.Set(static_cast<double>(depth));
  f_->outbox_age.Set(oldest_age_seconds);
}

void Metrics::Send(std::string_view result, int error_code, uint64_t count) {
  f_->sends.Add({{"result", std::string(result)}, {"code", std::to_string(error_code)}})
      .Increment(static_cast<double>(count));
}

void Metrics::AddCollector(std::function<void(Metrics&)> collect) {
  std::lock_guard lock(collectors_mu_);
  collectors_.push_back(std::move(collect));
}

void Metrics::ConsentDecision(std::string_view notice, std::string_view decision) {
  f_->consents.Add({{"notice", std::string(notice)}, {"decision", std::string(decision)}}).Increment();
}

void Metrics::Handoff(std::string_view queue) {
  f_->handoffs.Add({{"queue", std::string(queue)}}).Increment();
}

std::string Metrics::Render() {
  {
    std::lock_guard lock(collectors_mu_);
    for (const auto& collect : collectors_) collect(*this);
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, f_->registry->Collect());
  return out.str();
}

}  // namespace consentflow::engine::server
