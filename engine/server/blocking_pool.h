#pragma once
// A few threads for work an I/O thread must not do: SQLite reads and writes, password hashing
// (the agent API). Bounded: Post() refuses a job when `max_queued` are waiting, so a flood of
// requests is answered 503 instead of piling up memory.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace consentflow::engine::server {

class BlockingPool {
 public:
  BlockingPool(std::size_t threads, std::size_t max_queued);
  ~BlockingPool();  // Stop()

  // Runs `job` on one of the pool's threads. False, and `job` is dropped, when the queue is
  // full or the pool is stopping.
  [[nodiscard]] bool Post(std::function<void()> job);
  // Runs the jobs already queued, then joins the threads. Idempotent.
  void Stop();

 private:
  void Run();

  const std::size_t max_queued_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace consentflow::engine::server
