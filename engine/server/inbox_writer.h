#pragma once
// Makes webhook updates durable before the webhook is answered, many POSTs per transaction.
// I/O threads Submit() what a POST carried. The engine worker, at the start of each round,
// Write()s everything submitted since its last round, and then Answer()s after the one sync
// that covers it all: only then is any POST answered 200. Under load, concurrent POSTs share
// that sync (group commit). Write() takes one of two ways:
// - While the inbox holds no unprocessed message (the engine keeps up), the messages go straight
//   to `direct` (the engine), which commits each with its outcome, processed (a synced commit):
//   one write per message instead of an inbox row written, read back, and rewritten.
// - Otherwise, and for whatever `direct` did not commit, the messages are written to the inbox
//   in one transaction without a sync of its own (Store::Durability::kDeferred); the engine then
//   processes them from there, in order after the older ones.
//
// Contact changes become kContactChange inbox messages, so they keep their place in the
// contact's order and happen exactly once. Delivery statuses go to `on_statuses` (the outbox's
// status tracking) in Write(), before the answer.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "engine/base/status.h"
#include "engine/store/store.h"
#include "engine/whatsapp/webhook_payload.h"

namespace consentflow::engine::server {

class InboxWriter {
 public:
  using Done = std::function<void(Status)>;
  using StatusSink = std::function<Status(const std::vector<whatsapp::DeliveryUpdate>&)>;

  // `on_submitted` runs on the submitting thread after each Submit (to wake the engine worker).
  // `on_statuses` may be empty.
  InboxWriter(Store& store, std::function<void()> on_submitted, StatusSink on_statuses = {});

  // Any thread. Queues `batch`; `done` runs once it is durable (OK) or could not be written
  // (the error), on the thread that calls Answer().
  void Submit(whatsapp::WebhookBatch batch, Done done);
  // Any thread. Refuses what is submitted from now on (Unavailable); what was queued before is
  // still written and answered by the next round. Idempotent.
  void Close();

  // What one Write() took: the POSTs to answer, and how their write went.
  struct Written {
    std::vector<Done> answers;
    Status status;
    uint64_t commits = 0;  // Store::Commits() after the write: what Answer() syncs up to
  };
  // Processes messages that are not in the inbox; returns those it did not commit (they go to
  // the inbox), or an error (then all of them do). Engine::ProcessArrived.
  using Direct = std::function<Result<std::vector<InboundMessage>>(const std::vector<InboundMessage>&)>;
  // The engine worker's thread. Hands the messages queued to `direct` when the inbox has no
  // unprocessed message and `direct` is given, and writes the rest in one transaction
  // (deferred sync), with the delivery statuses.
  Written Write(const Direct& direct = {});
  // The engine worker's thread, after its commit: syncs (Store::Sync, nothing when that commit
  // synced) and answers each POST of `written`.
  void Answer(Written& written);

 private:
  struct Item {
    whatsapp::WebhookBatch batch;
    Done done;
  };

  Store& store_;
  std::function<void()> on_submitted_;
  StatusSink on_statuses_;
  mutable std::mutex mu_;
  std::vector<Item> queue_;  // guarded by mu_
  bool closed_ = false;      // guarded by mu_
};

}  // namespace consentflow::engine::server
