#pragma once
// Makes webhook updates durable before the webhook is answered, many POSTs per transaction:
// I/O threads Submit() what a POST carried; one writer thread takes everything submitted since
// its last commit, writes it with one Store::EnqueueAll (one durable sync), then answers each
// POST's callback. Under load, concurrent POSTs share a sync (group commit); alone, a POST waits
// for one sync only.
//
// Contact changes become kContactChange inbox messages, so they keep their place in the
// contact's order and happen exactly once. Delivery statuses go to `on_statuses` (the outbox's
// status tracking) on the writer thread, before the callback.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/base/status.h"
#include "engine/store/store.h"
#include "engine/whatsapp/webhook_payload.h"

namespace consentflow::engine::server {

class InboxWriter {
 public:
  using Done = std::function<void(Status)>;
  using StatusSink = std::function<Status(const std::vector<whatsapp::DeliveryUpdate>&)>;

  // `on_written(n)` runs on the writer thread after n new messages became durable (to wake
  // the engine). `on_statuses` may be empty.
  InboxWriter(Store& store, std::function<void(std::size_t)> on_written, StatusSink on_statuses = {});
  ~InboxWriter();  // Stop()

  // Queues `batch`; `done` runs once it is durable (OK) or could not be written (the error).
  void Submit(whatsapp::WebhookBatch batch, Done done);
  // Writes what was submitted, answers it, and stops the thread. Idempotent.
  void Stop();

  std::size_t written() const;  // messages made durable since start (redeliveries excluded)

 private:
  struct Item {
    whatsapp::WebhookBatch batch;
    Done done;
  };
  void Run();
  void Write(std::vector<Item>& items);

  Store& store_;
  std::function<void(std::size_t)> on_written_;
  StatusSink on_statuses_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Item> queue_;  // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  std::size_t written_ = 0;  // guarded by mu_
  std::thread thread_;
};

}  // namespace consentflow::engine::server
