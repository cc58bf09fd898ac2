#include "engine/whatsapp/outbox_sender.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <deque>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "engine/base/log.h"
#include "engine/whatsapp/graph_request.h"
#include "engine/whatsapp/send_pacing.h"

namespace consentflow::engine::whatsapp {

namespace asio = boost::asio;

namespace {

// Per-contact buckets are forgotten once full (a full bucket is what a new one would be), in a
// sweep when there are more than this many, or more than twice as many as the last sweep left:
// so a sweep, which reads them all, comes once per as many new contacts as it kept (at most
// each bucket's refill time, 2 minutes by default, worth of contacts are not full).
constexpr std::size_t kContactBucketsKept = 10'000;

constexpr const char* kOutsideWindow =
    "not sent: outside the contact's 24-hour window (a template would be needed)";

}  // namespace

// Everything below runs on the sender's one thread, except the constructor, Start(), Stop(),
// Wake() and Counters(), which only post to it or read under counters_mu_.
class OutboxSender::Impl {
 public:
  Impl(Store& store, const Clock& clock, OutboxSenderOptions options)
      : store_(store),
        clock_(clock),
        options_(std::move(options)),
        work_(asio::make_work_guard(io_)),
        poll_timer_(io_),
        record_timer_(io_) {
    if (!options_.random) {
      options_.random = [engine = std::mt19937_64(std::random_device{}())]() mutable {
        return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
      };
    }
    if (!options_.contact_tag_key.empty()) tagger_.emplace(options_.contact_tag_key);
  }

  Status Start(GraphClientOptions client_options) {
    Result<std::unique_ptr<GraphClient>> client = GraphClient::Create(io_, std::move(client_options));
    if (!client) return client.error();
    client_ = std::move(*client);
    thread_ = std::thread([this] { io_.run(); });
    Wake();
    return Status::Ok();
  }

  void Wake() {
    asio::post(io_, [this] { Poll(); });
  }

  void PostReads(std::vector<ReadMark> marks) {
    asio::post(io_, [this, marks = std::move(marks)]() mutable {
      if (!stopping_) AddReads(std::move(marks));
    });
  }

  void Stop() {
    std::lock_guard lock(stop_mu_);
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
      stopping_ = true;
      poll_timer_.cancel();
      record_timer_.cancel();
      MaybeFinish();
    });
    thread_.join();
  }

  OutboxSenderCounters Counters() const {
    std::lock_guard lock(counters_mu_);
    return counters_;
  }

 private:
  // ---- reading the outbox

  // How a Poll looks for work. kFull reads every ready entry (the timer's polls: retries come
  // due, pacing lets more go, and anything a narrower look missed). kNew reads only what was
  // queued after the last look, and each contact whose entry was just recorded or failed while
  // another of theirs was seen waiting behind it: under load that is a few rows, not every
  // pending one.
  enum class Look { kFull, kNew };

  void Poll(Look look = Look::kNew) {
    if (stopping_) return;
    // Under load the timer never fires (every poll sets it again): a full look at least every
    // poll_interval all the same.
    const auto steady = std::chrono::steady_clock::now();
    if (steady >= next_full_look_) look = Look::kFull;
    if (look == Look::kFull) next_full_look_ = steady + options_.poll_interval;
    if (look == Look::kFull) waiting_.clear();  // the full look finds every one again
    if (steady >= record_due_) RecordUnrecorded();
    const Timestamp now = clock_.Now();
    SendReads(now, look == Look::kFull);
    std::set<std::string, std::less<>> moved;
    moved.swap(moved_on_);
    std::map<std::string, ServiceWindow, std::less<>> windows;
    OutboxQuery query;
    // No more than can go now: what is read and left waiting is read again by the next look.
    const std::size_t free = options_.max_in_flight - std::min(options_.max_in_flight, InFlight());
    query.limit = std::min(options_.batch, free);
    query.after = look == Look::kFull ? 0 : looked_to_;
    const Scanned scanned = Scan(query, now, windows);
    // A later look for new entries starts after what this one dealt with (entries blocked
    // behind an older one of their contact are found again through moved_on_).
    if (scanned.first_left) {
      looked_to_ = *scanned.first_left - 1;
    } else if (scanned.last_read) {
      looked_to_ = std::max(looked_to_, *scanned.last_read);
    }
    for (const std::string& contact : moved) {
      query.after = 0;
      query.contact = contact;
      Scan(query, now, windows);
    }
    SchedulePoll();
  }

  struct Scanned {
    std::optional<uint64_t> last_read;   // the last entry read
    std::optional<uint64_t> first_left;  // the first entry read and left waiting (pacing, limits)
  };

  // Reads the entries `query` selects and sends what the windows and the pacing allow. A
  // contact's entry left waiting by a look at that contact makes the contact looked at again.
  Scanned Scan(OutboxQuery query, Timestamp now,
               std::map<std::string, ServiceWindow, std::less<>>& windows) {
    Scanned scanned;
    if (InFlight() >= options_.max_in_flight) {
      if (!query.contact.empty()) moved_on_.insert(query.contact);
      return scanned;
    }
    // What is in flight or accepted-but-unrecorded is still pending in the store: left out. What
    // was accepted lets its lane move on before it is recorded.
    query.waiting = &waiting_;
    query.held = in_flight_;
    for (const auto& accepted : unrecorded_) {
      query.held.insert(accepted.first);
      query.passed.insert(accepted.first);
    }
    Result<std::vector<OutboxEntry>> ready = store_.ReadyOutbox(now, query);
    if (!ready) {
      Log(LogLevel::kWarning, "outbox_read_failed", {{"error", ready.error().ToString()}});
      if (!query.contact.empty()) moved_on_.insert(query.contact);
      return scanned;
    }
    ReadWindows(*ready, windows);
    bool number_exhausted = false;
    for (const OutboxEntry& entry : *ready) {
      scanned.last_read = entry.id;
      const bool sendable = !number_exhausted && InFlight() < options_.max_in_flight;
      const Considered outcome = sendable ? Consider(entry, now, windows) : Considered::kLeft;
      if (outcome == Considered::kDealtWith) continue;
      if (outcome == Considered::kNumberExhausted) number_exhausted = true;
      if (!scanned.first_left) scanned.first_left = entry.id;
      if (!query.contact.empty()) moved_on_.insert(query.contact);
    }
    return scanned;
  }

  // The windows of the contacts of `entries` not in `windows` yet, in one read. Should it
  // fail, Consider reads each on its own (and leaves an entry whose window it cannot read).
  void ReadWindows(const std::vector<OutboxEntry>& entries,
                   std::map<std::string, ServiceWindow, std::less<>>& windows) {
    std::vector<std::string> contacts;
    for (const OutboxEntry& entry : entries) {
      const std::string& contact = entry.message.contact;
      if (windows.count(contact) != 0) continue;
      if (std::find(contacts.begin(), contacts.end(), contact) != contacts.end()) continue;
      contacts.push_back(contact);
    }
    if (contacts.empty()) return;
    Result<std::vector<ServiceWindow>> read = store_.ServiceWindowsOf(contacts);
    if (!read) {
      Log(LogLevel::kWarning, "outbox_read_failed", {{"error", read.error().ToString()}});
      return;
    }
    for (std::size_t i = 0; i < contacts.size(); ++i) {
      windows.emplace(std::move(contacts[i]), std::move((*read)[i]));
    }
  }

  enum class Considered { kDealtWith, kLeft, kNumberExhausted };

  // Sends `entry` (or fails it: outside the window) if its window and the pacing allow.
  Considered Consider(const OutboxEntry& entry, Timestamp now,
                      std::map<std::string, ServiceWindow, std::less<>>& windows) {
    const std::string& contact = entry.message.contact;
    auto window = windows.find(contact);
    if (window == windows.end()) {
      Result<ServiceWindow> read = store_.ServiceWindowOf(contact);
      if (!read) {
        Log(LogLevel::kWarning, "outbox_read_failed", {{"error", read.error().ToString()}});
        return Considered::kLeft;
      }
      window = windows.emplace(contact, *read).first;
    }
    const std::string number = NumberFor(window->second.business_number);
    // Only a template may reach a contact outside the window.
    if (!window->second.OpenAt(now) && entry.message.kind != OutboundMessage::Kind::kTemplate) {
      Count([](OutboxSenderCounters& c) { ++c.outside_window; });
      Fail(entry, SendError{0, kOutsideWindow}, now);
      return Considered::kDealtWith;
    }
    TokenBucket& contact_bucket = ContactBucket(contact, now);
    if (!contact_bucket.Available(now)) return Considered::kLeft;
    TokenBucket& number_bucket = NumberBucket(number, now);
    if (!number_bucket.Available(now)) {
      // Others may still send from another number.
      const bool more_numbers = options_.phone_number_ids.size() > 1;
      return more_numbers ? Considered::kLeft : Considered::kNumberExhausted;
    }
    number_bucket.Take();
    contact_bucket.Take();
    Send(entry, number);
    return Considered::kDealtWith;
  }

  // The number a contact's messages go out from: the one they wrote to, if this server serves
  // it, else "" (the client's own).
  std::string NumberFor(const std::string& wrote_to) const {
    const std::vector<std::string>& served = options_.phone_number_ids;
    return std::find(served.begin(), served.end(), wrote_to) != served.end() ? wrote_to : "";
  }

  std::size_t InFlight() const { return in_flight_.size() + reads_in_flight_.size(); }

  // ---- read receipts (in memory, best effort; see MarkRead)

  void AddReads(std::vector<ReadMark> marks) {
    for (ReadMark& mark : marks) {
      // A newer message of the contact supersedes the one waiting: marking it read marks the
      // earlier ones read too.
      PendingRead& pending = reads_[mark.contact];
      pending.mark = std::move(mark);
      pending.attempts = 0;
      pending.not_before = Timestamp{};
      if (!pending.queued) {
        pending.queued = true;
        read_queue_.push_back(pending.mark.contact);
      }
    }
    SendReads(clock_.Now(), /*full=*/false);
  }

  struct PendingRead {
    ReadMark mark;
    uint32_t attempts = 0;   // failed attempts so far
    Timestamp not_before{};  // a retry's backoff
    bool queued = false;     // in read_queue_
  };

  // Sends the waiting receipts that may go now, oldest first; on a full look, also the
  // retries that came due (read_retries_ holds them by time, so an outage with many contacts
  // waiting costs a look only what came due).
  void SendReads(Timestamp now, bool full) {
    if (full) {
      while (!read_retries_.empty() && read_retries_.begin()->first <= now) {
        const std::string contact = std::move(read_retries_.begin()->second);
        read_retries_.erase(read_retries_.begin());
        auto it = reads_.find(contact);  // gone or queued: sent or superseded meanwhile
        if (it == reads_.end() || it->second.queued || reads_in_flight_.count(contact) != 0) continue;
        it->second.queued = true;
        read_queue_.push_back(contact);
      }
    }
    while (!read_queue_.empty() && InFlight() < options_.max_in_flight) {
      auto it = reads_.find(read_queue_.front());
      if (it == reads_.end()) {
        read_queue_.pop_front();
        continue;
      }
      PendingRead& pending = it->second;
      // One request per contact at a time; one waiting for its backoff goes on a full look.
      if (reads_in_flight_.count(it->first) != 0 || pending.not_before > now) {
        pending.queued = false;
        read_queue_.pop_front();
        continue;
      }
      const std::string number = NumberFor(pending.mark.business_number);
      TokenBucket& number_bucket = NumberBucket(number, now);
      if (!number_bucket.Available(now)) return;  // the timer's look goes on
      number_bucket.Take();
      read_queue_.pop_front();
      PendingRead sending = std::move(pending);
      reads_.erase(it);
      reads_in_flight_.insert(sending.mark.contact);
      std::string body = ReadReceiptBody(sending.mark.message_id);  // before `sending` moves
      client_->Post(number, std::move(body),
                    [this, sending = std::move(sending)](GraphReply reply) mutable {
                      asio::post(io_, [this, sending = std::move(sending),
                                       reply = std::move(reply)] { OnReadReply(sending, reply); });
                    });
    }
  }

  void OnReadReply(const PendingRead& sent, const GraphReply& reply) {
    const std::string& contact = sent.mark.contact;
    reads_in_flight_.erase(contact);
    const SendVerdict verdict = Classify(reply, /*read_receipt=*/true);
    switch (verdict.outcome) {
      case SendOutcome::kAccepted:
        Count([](OutboxSenderCounters& c) { ++c.receipts; });
        break;
      case SendOutcome::kRetryable:
        CountRetry(verdict, reply);
        LogFailure("whatsapp_read_receipt_failed", contact, verdict, sent.attempts + 1);
        // Again after its backoff, unless a newer message of the contact is waiting anyway.
        if (reads_.count(contact) == 0) {
          PendingRead again = sent;
          again.attempts = sent.attempts + 1;
          again.not_before = clock_.Now() + BackoffDelay(again.attempts, options_.backoff_base,
                                                         options_.backoff_cap, options_.random());
          again.queued = false;
          read_retries_.emplace(again.not_before, contact);
          reads_.emplace(contact, std::move(again));
        }
        break;
      case SendOutcome::kPermanent:
      case SendOutcome::kWindowClosed:
        Count([&](OutboxSenderCounters& c) {
          ++c.failed;
          ++c.errors_by_code[verdict.error_code];
        });
        LogFailure("whatsapp_read_receipt_failed", contact, verdict, sent.attempts + 1);
        break;
    }
    // A newer message of the contact that waited for this one may go now.
    if (auto waiting = reads_.find(contact); waiting != reads_.end()) {
      PendingRead& next = waiting->second;
      if (!next.queued && next.not_before <= clock_.Now()) {
        next.queued = true;
        read_queue_.push_back(contact);
      }
    }
    if (stopping_) return MaybeFinish();
    PollSoon();
  }


  // `key`'s bucket in `buckets`, a new (full) one the first time.
  static TokenBucket& BucketOf(std::map<std::string, TokenBucket, std::less<>>& buckets,
                               const std::string& key, double per_second, double burst,
                               Timestamp now) {
    auto it = buckets.find(key);
    if (it == buckets.end()) it = buckets.emplace(key, TokenBucket(per_second, burst, now)).first;
    return it->second;
  }

  TokenBucket& NumberBucket(const std::string& number, Timestamp now) {
    return BucketOf(numbers_, number, options_.number_per_second, options_.number_burst, now);
  }

  TokenBucket& ContactBucket(const std::string& contact, Timestamp now) {
    if (contacts_.size() > sweep_contacts_at_) {
      for (auto it = contacts_.begin(); it != contacts_.end();) {
        it = it->second.Full(now) ? contacts_.erase(it) : std::next(it);
      }
      // Not again until as many more came: sweeping on every call once the busy contacts alone
      // were more than kContactBucketsKept made each send read them all (a third of the
      // server's time after 100,000 conversations).
      sweep_contacts_at_ = std::max(kContactBucketsKept, 2 * contacts_.size());
    }
    return BucketOf(contacts_, contact, options_.contact_per_second, options_.contact_burst, now);
  }

  void SchedulePoll() {
    if (stopping_) return;
    poll_timer_.expires_after(options_.poll_interval);
    poll_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) Poll(Look::kFull);
    });
  }

  // ---- one request

  void Send(const OutboxEntry& entry, const std::string& number) {
    Result<std::string> body = MessageRequestBody(entry.message);
    if (!body) {
      // Nothing the API could accept: fail it now rather than send a request that must fail.
      Count([](OutboxSenderCounters& c) { ++c.failed; });
      Fail(entry, SendError{0, body.error().message()}, clock_.Now());
      return;
    }
    in_flight_.insert(entry.id);
    client_->Post(number, std::move(*body), [this, entry](GraphReply reply) {
      asio::post(io_, [this, entry, reply = std::move(reply)] { OnReply(entry, reply); });
    });
  }

  void OnReply(const OutboxEntry& entry, const GraphReply& reply) {
    in_flight_.erase(entry.id);
    const SendVerdict verdict = Classify(reply);
    const Timestamp now = clock_.Now();
    const SendError error{verdict.error_code, verdict.error};
    switch (verdict.outcome) {
      case SendOutcome::kAccepted:
        Count([](OutboxSenderCounters& c) { ++c.accepted; });
        // Recorded with others, by the first Poll after record_interval (RecordLater). The
        // contact's next entry need not wait for that: it goes once this one was accepted.
        if (unrecorded_.empty()) RecordLater();
        unrecorded_[entry.id] = Accepted{verdict.whatsapp_id, entry.message.contact};
        LaneMoved(entry.message.contact);
        break;
      case SendOutcome::kRetryable: {
        const Duration delay = BackoffDelay(entry.attempts + 1, options_.backoff_base,
                                            options_.backoff_cap, options_.random());
        CountRetry(verdict, reply);
        LogFailure("whatsapp_send_failed", entry.message.contact, verdict, entry.attempts + 1,
                   entry.id);
        if (Status s = store_.MarkRetry(entry.id, now + delay, error); !s.ok()) {
          // The entry stays pending as it was: it is simply tried again.
          Log(LogLevel::kWarning, "outbox_record_failed", {{"error", s.ToString()}});
        }
        break;
      }
      case SendOutcome::kPermanent:
      case SendOutcome::kWindowClosed:
        Count([&](OutboxSenderCounters& c) {
          ++(verdict.outcome == SendOutcome::kPermanent ? c.failed : c.window_closed);
          ++c.errors_by_code[verdict.error_code];
        });
        LogFailure("whatsapp_send_failed", entry.message.contact, verdict, entry.attempts + 1,
                   entry.id);
        Fail(entry, error, now);  // for 131047 the store closes the window too
        break;
    }
    if (stopping_) return MaybeFinish();
    PollSoon();
  }

  void Fail(const OutboxEntry& entry, const SendError& error, Timestamp now) {
    LaneMoved(entry.message.contact);
    if (Status s = store_.MarkFailed(entry.id, error, now); !s.ok()) {
      Log(LogLevel::kWarning, "outbox_record_failed", {{"error", s.ToString()}});
    }
  }

  // The first entry accepted since the last record: the records are due record_interval from
  // now, and a poll comes then even if nothing else wakes the sender.
  void RecordLater() {
    record_due_ = std::chrono::steady_clock::now() + options_.record_interval;
    if (options_.record_interval.count() == 0) return;  // every poll records
    record_timer_.expires_at(record_due_);
    record_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) PollSoon();
    });
  }

  // Marks sent what the API accepted. Kept until the store takes it, so an entry is never sent
  // again just because the database was busy for a moment.
  // All of them in one transaction: answers that arrived together share one durable sync.
  void RecordUnrecorded() {
    if (unrecorded_.empty()) return;
    std::vector<std::pair<uint64_t, std::string>> accepted;
    accepted.reserve(unrecorded_.size());
    for (const auto& [id, what] : unrecorded_) accepted.emplace_back(id, what.wamid);
    Result<std::vector<Status>> recorded = store_.MarkSentAll(accepted);
    if (!recorded) {
      Log(LogLevel::kWarning, "outbox_record_failed", {{"error", recorded.error().ToString()}});
      return;  // all stay unrecorded; the next poll tries again
    }
    for (std::size_t i = 0; i < accepted.size(); ++i) {
      const Status& s = (*recorded)[i];
      if (s.ok() || s.code() == StatusCode::kConflict || s.code() == StatusCode::kNotFound) {
        if (!s.ok()) Log(LogLevel::kError, "outbox_mark_sent_refused", {{"error", s.ToString()}});
        auto it = unrecorded_.find(accepted[i].first);
        if (s.ok() && options_.on_recorded) options_.on_recorded(it->second.contact);
        unrecorded_.erase(it);
      } else {
        Log(LogLevel::kWarning, "outbox_record_failed", {{"error", s.ToString()}});
      }
    }
  }

  // `contact`'s entry was accepted or failed: if a look saw one of theirs waiting behind it,
  // that one may be ready now. (One queued after that look is found by the next look for new
  // entries: it is not waiting any more by then.)
  void LaneMoved(const std::string& contact) {
    const auto waiting = waiting_.find(contact);
    if (waiting == waiting_.end()) return;
    waiting_.erase(waiting);
    moved_on_.insert(contact);
  }

  // One Poll for all the answers handled in a row: they are recorded together.
  void PollSoon() {
    if (poll_posted_) return;
    poll_posted_ = true;
    asio::post(io_, [this] {
      poll_posted_ = false;
      Poll();
    });
  }

  void MaybeFinish() {
    if (InFlight() > 0 || finished_) return;
    finished_ = true;
    RecordUnrecorded();
    client_->Shutdown();
    work_.reset();
  }

  // A failed request of a reply (with its outbox id) or a read receipt (without): the contact
  // only as its keyed tag.
  void LogFailure(const char* event, const std::string& contact, const SendVerdict& verdict,
                  uint32_t attempts, std::optional<uint64_t> outbox_id = std::nullopt) {
    const std::string tag = tagger_ ? tagger_->Tag(contact) : std::string();
    std::vector<LogField> fields;
    if (outbox_id) fields.emplace_back("outbox_id", *outbox_id);
    fields.insert(fields.end(), {{"outcome", SendOutcomeName(verdict.outcome)},
                                 {"http_status", verdict.http_status},
                                 {"code", verdict.error_code},
                                 {"error", verdict.error},
                                 {"attempts", attempts},
                                 {"contact", tag}});
    Log(verdict.outcome == SendOutcome::kRetryable ? LogLevel::kInfo : LogLevel::kWarning, event,
        fields);
  }

  // A retryable failure, of a reply or a receipt.
  void CountRetry(const SendVerdict& verdict, const GraphReply& reply) {
    Count([&](OutboxSenderCounters& c) {
      ++c.retried;
      if (!reply.answered) ++c.network_errors;
      ++c.errors_by_code[verdict.error_code];
    });
  }

  // Counted before the store records the outcome, so whoever sees the outcome in the store
  // also sees it counted.
  template <typename F>
  void Count(F&& change) {
    std::lock_guard lock(counters_mu_);
    change(counters_);
  }

  Store& store_;
  const Clock& clock_;
  OutboxSenderOptions options_;
  std::optional<ContactTagger> tagger_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::steady_timer poll_timer_;
  asio::steady_timer record_timer_;  // RecordLater
  std::unique_ptr<GraphClient> client_;
  std::thread thread_;
  std::mutex stop_mu_;

  // The sender thread's own state.
  std::map<std::string, TokenBucket, std::less<>> numbers_;  // by business number ("": default)
  std::map<std::string, TokenBucket, std::less<>> contacts_;
  std::size_t sweep_contacts_at_ = kContactBucketsKept;  // ContactBucket()
  std::set<uint64_t> in_flight_;               // outbox ids with a request out
  std::map<std::string, PendingRead, std::less<>> reads_;  // by contact: the receipt waiting
  std::deque<std::string> read_queue_;                     // contacts whose receipt may go
  std::multimap<Timestamp, std::string> read_retries_;     // contacts whose receipt backs off
  std::set<std::string, std::less<>> reads_in_flight_;     // contacts with a receipt out
  struct Accepted {
    std::string wamid;
    std::string contact;
  };
  std::map<uint64_t, Accepted> unrecorded_;  // accepted, not yet marked sent: by outbox id
  std::set<std::string, std::less<>> moved_on_;  // contacts whose next entry may be ready
  std::set<std::string, std::less<>> waiting_;   // contacts seen with an entry waiting in line
  uint64_t looked_to_ = 0;  // a kNew look starts after this id
  std::chrono::steady_clock::time_point next_full_look_;  // a Poll then looks at everything
  std::chrono::steady_clock::time_point record_due_;  // a Poll from then records unrecorded_
  bool stopping_ = false;
  bool finished_ = false;
  bool poll_posted_ = false;  // a PollSoon() is queued

  mutable std::mutex counters_mu_;
  OutboxSenderCounters counters_;  // guarded by counters_mu_
};

Result<std::unique_ptr<OutboxSender>> OutboxSender::Start(Store& store, const Clock& clock,
                                                          GraphClientOptions client,
                                                          OutboxSenderOptions options) {
  auto impl = std::make_unique<Impl>(store, clock, std::move(options));
  if (Status s = impl->Start(std::move(client)); !s.ok()) return s;
  return std::unique_ptr<OutboxSender>(new OutboxSender(std::move(impl)));
}

OutboxSender::OutboxSender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

OutboxSender::~OutboxSender() { Stop(); }

void OutboxSender::Wake() { impl_->Wake(); }

void OutboxSender::MarkRead(std::vector<ReadMark> marks) {
  if (marks.empty()) return;
  impl_->PostReads(std::move(marks));
}

void OutboxSender::Stop() { impl_->Stop(); }

OutboxSenderCounters OutboxSender::Counters() const { return impl_->Counters(); }

}  // namespace consentflow::engine::whatsapp
