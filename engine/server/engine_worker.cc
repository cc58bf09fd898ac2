#include "engine/server/engine_worker.h"

#include "engine/base/log.h"

namespace consentflow::engine::server {

EngineWorker::EngineWorker(Engine& engine, Metrics* metrics,
                           std::function<void(const EngineReport&)> after_commit,
                           InboxWriter* inbox, EngineWorkerOptions options)
    : engine_(engine), metrics_(metrics), inbox_(inbox), after_commit_(std::move(after_commit)),
      options_(options), thread_([this] { Run(); }) {}

EngineWorker::~EngineWorker() { Stop(); }

void EngineWorker::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  wake_.notify_one();
}

void EngineWorker::Post(std::function<void()> job) {
  std::lock_guard lock(mu_);
  jobs_.push_back(std::move(job));
  woken_ = true;
  wake_.notify_one();
}

void EngineWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

std::size_t EngineWorker::handled() const {
  std::lock_guard lock(mu_);
  return handled_;
}

bool EngineWorker::Round() {
  std::vector<std::function<void()>> jobs;
  {
    std::lock_guard lock(mu_);
    jobs.swap(jobs_);
  }
  for (auto& job : jobs) job();
  bool did = !jobs.empty();
  InboxWriter::Written written;
  if (inbox_ != nullptr) {
    // The webhooks' messages go straight to the engine when it keeps up (InboxWriter::Write).
    written = inbox_->Write([this, &did](const std::vector<InboundMessage>& messages)
                                -> Result<std::vector<InboundMessage>> {
      std::vector<InboundMessage> left;
      const auto started = std::chrono::steady_clock::now();
      Result<EngineReport> report = engine_.ProcessArrived(messages, left);
      if (!report) return report.error();
      did = Account(*report, started) || did;
      return left;
    });
  }
  did = did || !written.answers.empty();
  const auto started = std::chrono::steady_clock::now();
  Result<EngineReport> report = engine_.ProcessPending();
  // Whatever the engine did, the webhooks are answered: after a sync, 200 (stored, even if
  // not yet processed); else 503, and Meta delivers them again.
  if (inbox_ != nullptr) inbox_->Answer(written);
  if (!report) {
    Log(LogLevel::kError, "engine_round_failed", {{"reason", report.error().message()}});
    return did;
  }
  return Account(*report, started) || did;
}

bool EngineWorker::Account(const EngineReport& report, std::chrono::steady_clock::time_point started) {
  const std::size_t events = report.handled + report.failed;
  if (events > 0 && metrics_ != nullptr) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_->StepLatency(seconds / static_cast<double>(events));
  }
  for (const std::string& error : report.flow_errors) Log(LogLevel::kWarning, "flow_error", {{"what", error}});
  if (metrics_ != nullptr) {
    metrics_->EventsProcessed(report.handled, report.failed, report.unrouted);
    for (const auto& [notice, decision] : report.consent_decisions) metrics_->ConsentDecision(notice, decision);
    for (const std::string& queue : report.handoffs) metrics_->Handoff(queue);
  }
  {
    std::lock_guard lock(mu_);
    handled_ += report.handled;
  }
  if (report.handled > 0 && after_commit_) after_commit_(report);
  return events > 0 || report.unrouted > 0;
}

void EngineWorker::Run() {
  auto next_timers = std::chrono::steady_clock::now();
  auto next_sweep = std::chrono::steady_clock::now();  // at start: a stopped engine catches up
  while (true) {
    while (Round()) {
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_sweep) {
      Result<std::size_t> erased = engine_.SweepRetention();
      if (!erased) Log(LogLevel::kError, "retention_sweep_failed", {{"reason", erased.error().message()}});
      else if (*erased > 0) Log(LogLevel::kInfo, "retention_sweep", {{"erased", *erased}});
      next_sweep = now + options_.sweep_every;
    }
    if (now >= next_timers) {
      Result<EngineReport> fired = engine_.FireDueTimers();
      if (!fired) {
        Log(LogLevel::kError, "timers_failed", {{"reason", fired.error().message()}});
      } else if (fired->handled > 0) {
        if (metrics_ != nullptr) metrics_->EventsProcessed(fired->handled, fired->failed, 0);
        if (after_commit_) after_commit_(*fired);
        continue;  // there may be more due
      }
      next_timers = now + options_.timer_poll;
    }
    std::unique_lock lock(mu_);
    if (stopping_ && !woken_) return;  // the inbox was drained by the last Round()
    wake_.wait_until(lock, std::min(next_timers, next_sweep), [&] { return woken_ || stopping_; });
    if (stopping_ && !woken_) {
      lock.unlock();
      while (Round()) {
      }
      return;
    }
    woken_ = false;
  }
}

}  // namespace consentflow::engine::server
