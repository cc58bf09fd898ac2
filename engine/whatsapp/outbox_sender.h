#pragma once
// The outbox sender: drains the store's outbox into the Cloud API, at the pace WhatsApp allows,
// and records what happened to every entry.
//
// Promises:
// - An entry is marked sent only after the API accepted it (MarkSent with the returned wamid).
//   Whatever was not marked when the process stopped or crashed is sent by the next sender: the
//   store hands it out again. (An entry the API accepted just before a crash, unrecorded, goes
//   out a second time: the API has no idempotency key, so delivery is at least once there.)
//   What the API accepted is recorded in batches, at most `record_interval` after the first of
//   them was accepted.
// - A contact's messages go in order: the next is not sent before the previous was accepted or
//   failed for good (the store hands out only each contact's oldest pending message). Read
//   receipts (MarkRead) are not in the outbox, and a reply never waits for one.
// - Retryable failures (graph_response.h: 429, 5xx, network, rate-limit and transient codes)
//   are retried after exponential backoff with full jitter; other 4xx fail the entry with its
//   code, without a retry.
// - No free-form message goes to a contact outside their 24-hour window (store's
//   ServiceWindow): such an entry fails with code 0 and the reason, without a request. A
//   template message (OutboundMessage::Kind::kTemplate) is what may go outside it, and goes
//   (paced like any other message). 131047 from the API closes the window until
//   the contact writes again. Read receipts are not messages and need no window.
//
// Pacing: a token bucket per business number (default 80/s, WhatsApp's default throughput) and
// one per contact (default 1 per 6 s with bursts of 20: WhatsApp's pair rate limit is about 1 per
// 6 s with bursts up to 45 tolerated; a bot answers each message with 2-3 replies, so a burst
// keeps a lively chat unthrottled while the average stays inside the limit). Read receipts count
// against the number only.
//
// Threads: the sender runs on its own thread and io_context; the store is called from that
// thread (short single-row statements). Start() / Stop() / Wake() / Counters() may be called
// from any thread.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/result.h"
#include "engine/store/store.h"
#include "engine/whatsapp/graph_client.h"

namespace consentflow::engine::whatsapp {

struct OutboxSenderOptions {
  // Entries read from the store per look; and how often it looks when nothing woke it (real time:
  // a commit that queues replies calls Wake(), so this only bounds the delay of missed wake-ups
  // and of retries coming due).
  std::size_t batch = 64;
  std::chrono::milliseconds poll_interval = std::chrono::milliseconds(100);
  // Requests in flight at once (one per contact at most); the client's max_connections bounds it too.
  std::size_t max_in_flight = 8;
  // How long an accepted entry may wait to be recorded with others (one transaction for all).
  // Under load answers come one by one, and a transaction per few of them cost more than the
  // records themselves. The contact's next entry does not wait for the record (its turn came
  // with the acceptance); a crash sends again, in order, what was accepted and not yet
  // recorded. Zero: each poll records what it has.
  std::chrono::milliseconds record_interval = std::chrono::milliseconds(5);
  // The business numbers served (phone number ids). A reply goes out from the number the
  // contact last wrote to when it is one of these, else from the client's phone_number_id.
  std::vector<std::string> phone_number_ids;
  // Pacing, see above (per business number).
  double number_per_second = 80;
  double number_burst = 80;
  double contact_per_second = 1.0 / 6;
  double contact_burst = 20;
  // Backoff: the first retry within `backoff_base`, doubling up to `backoff_cap`.
  Duration backoff_base = std::chrono::seconds(1);
  Duration backoff_cap = std::chrono::minutes(5);
  // A draw from [0, 1] for the jitter; empty: a seeded std::mt19937_64.
  std::function<double()> random;
  // Keys the contact tags in logs (base/log.h); "" logs no contact at all.
  std::string contact_tag_key;
  // Called on the sender's thread with the contact of each reply once it is recorded as sent
  // (a delivery status that arrived before the record is applied with it, so whoever shows
  // states learns of it here). May be empty.
  std::function<void(const std::string& contact)> on_recorded;
};

// What the sender did since it started, for /metrics. Counts attempts, so a message retried
// twice and then accepted counts 2 in `retried` and 1 in `accepted`.
struct OutboxSenderCounters {
  uint64_t accepted = 0;        // replies the API accepted
  uint64_t receipts = 0;        // read receipts the API accepted
  uint64_t retried = 0;         // retryable failures: 429, 5xx, network, rate limits
  uint64_t failed = 0;          // permanent failures, not retried (includes malformed messages)
  uint64_t window_closed = 0;   // 131047 from the API
  uint64_t outside_window = 0;  // not sent: the window was closed or older than 24 hours
  uint64_t network_errors = 0;  // attempts without an HTTP answer (also counted in `retried`)
  std::map<int, uint64_t> errors_by_code;  // failed attempts by Graph code (else HTTP status; 0)
};

class OutboxSender {
 public:
  // Starts sending from `store`, which (like `clock`) must outlive the sender. Errors: those of
  // GraphClient::Create.
  static Result<std::unique_ptr<OutboxSender>> Start(Store& store, const Clock& clock,
                                                     GraphClientOptions client,
                                                     OutboxSenderOptions options = {});
  // Stop()s.
  ~OutboxSender();
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  // Looks at the outbox now (call after committing replies).
  void Wake();
  // Marks these inbound messages read (Engine's EngineReport::read; call before Wake(), so a
  // message is marked read before the replies to it go). In memory and best effort: a receipt
  // is retried like a message (backoff on 429, 5xx and network errors, none on other 4xx)
  // but not kept, so one waiting when the process stops is not sent; and only the latest
  // message of a contact is marked, since marking it read marks the earlier ones read too.
  void MarkRead(std::vector<ReadMark> marks);
  // Sends nothing new, waits for the requests in flight (bounded by the client's timeouts) and
  // records their results, then stops the thread. Idempotent.
  void Stop();
  OutboxSenderCounters Counters() const;

  class Impl;

 private:
  explicit OutboxSender(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentflow::engine::whatsapp
