#pragma once
// Drives the Engine on its own thread, never on an I/O thread. The Engine is single-threaded
// and SQLite has one writer, so one worker does it all, in rounds (group commit): each round
// takes the webhooks submitted since the last (InboxWriter::Write: processed at once when the
// inbox has nothing older, else written to it), processes pending messages, commits, and
// answers those webhooks after the one sync that covers it all (InboxWriter::Answer); it runs rounds whenever woken (a webhook submitted) until none is
// left, fires due timers, sweeps retention at start and then periodically, and runs jobs posted
// to it (a flow reload, an agent's action) between rounds.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/base/clock.h"
#include "engine/engine.h"
#include "engine/server/inbox_writer.h"
#include "engine/server/metrics.h"

namespace consentflow::engine::server {

struct EngineWorkerOptions {
  Duration timer_poll = std::chrono::seconds(1);   // how often due timers are looked for
  Duration sweep_every = std::chrono::minutes(10);  // retention sweeps
};

class EngineWorker {
 public:
  // `after_commit` runs on the worker thread with the report of each commit that handled
  // something (to hand the read receipts to the outbox sender and wake it). `metrics` and
  // `inbox` may be null; `inbox` must outlive the worker.
  EngineWorker(Engine& engine, Metrics* metrics,
               std::function<void(const EngineReport&)> after_commit, InboxWriter* inbox = nullptr,
               EngineWorkerOptions options = {});
  ~EngineWorker();  // Stop()

  void Wake();
  // Runs `job` on the worker thread between batches.
  void Post(std::function<void()> job);
  // Writes and answers what was submitted to the inbox writer (Close() it first), finishes the
  // messages already in the inbox, then stops. Idempotent.
  void Stop();

  std::size_t handled() const;

 private:
  void Run();
  bool Round();  // one pass; true when it did something
  // Logs and counts what `report` says the engine did (its work began at `started`), and wakes
  // the sender after a commit; true when the engine did something.
  bool Account(const EngineReport& report, std::chrono::steady_clock::time_point started);

  Engine& engine_;
  Metrics* metrics_;
  InboxWriter* inbox_;
  std::function<void(const EngineReport&)> after_commit_;
  EngineWorkerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false;      // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::vector<std::function<void()>> jobs_;  // guarded by mu_
  std::size_t handled_ = 0;                  // guarded by mu_
  std::thread thread_;
};

}  // namespace consentflow::engine::server
