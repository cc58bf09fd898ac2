#include "engine/whatsapp/outbox_sender.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
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

// Per-contact buckets are forgotten once full, when there are more than this many.
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
        poll_timer_(io_) {
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

  void Stop() {
    std::lock_guard lock(stop_mu_);
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
      stopping_ = true;
      poll_timer_.cancel();
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

  void Poll() {
    if (stopping_) return;
    RecordUnrecorded();
    const Timestamp now = clock_.Now();
    if (in_flight_.size() < options_.max_in_flight) {
      // What is in flight or accepted-but-unrecorded is still pending in the store: left out.
      std::set<uint64_t> held = in_flight_;
      for (const auto& accepted : unrecorded_) held.insert(accepted.first);
      Result<std::vector<OutboxEntry>> ready = store_.ReadyOutbox(now, options_.batch, held);
      if (!ready) {
        Log(LogLevel::kWarning, "outbox_read_failed", {{"error", ready.error().ToString()}});
      } else {
        std::map<std::string, ServiceWindow, std::less<>> windows;
        for (const OutboxEntry& entry : *ready) {
          if (in_flight_.size() >= options_.max_in_flight || !Consider(entry, now, windows)) break;
        }
      }
    }
    SchedulePoll();
  }

  // Sends `entry` if its window and the pacing allow. False when the number has no tokens left,
  // so nothing else can go this round.
  bool Consider(const OutboxEntry& entry, Timestamp now,
                std::map<std::string, ServiceWindow, std::less<>>& windows) {
    const std::string& contact = entry.message.contact;
    TokenBucket* contact_bucket = nullptr;
    auto window = windows.find(contact);
    if (window == windows.end()) {
      Result<ServiceWindow> read = store_.ServiceWindowOf(contact);
      if (!read) {
        Log(LogLevel::kWarning, "outbox_read_failed", {{"error", read.error().ToString()}});
        return true;
      }
      window = windows.emplace(contact, *read).first;
    }
    // From the number the contact wrote to, if this server serves it ("": the client's own).
    const std::vector<std::string>& served = options_.phone_number_ids;
    const std::string& wrote_to = window->second.business_number;
    const std::string number =
        std::find(served.begin(), served.end(), wrote_to) != served.end() ? wrote_to : "";
    if (entry.kind == OutboxEntry::Kind::kMessage) {
      // Only a template may reach a contact outside the window.
      if (!window->second.OpenAt(now) && entry.message.kind != OutboundMessage::Kind::kTemplate) {
        Count([](OutboxSenderCounters& c) { ++c.outside_window; });
        Fail(entry, SendError{0, kOutsideWindow}, now);
        return true;
      }
      contact_bucket = &ContactBucket(contact, now);
      if (!contact_bucket->Available(now)) return true;
    }
    TokenBucket& number_bucket = NumberBucket(number, now);
    if (!number_bucket.Available(now)) return served.size() > 1;  // others may still send
    number_bucket.Take();
    if (contact_bucket != nullptr) contact_bucket->Take();
    Send(entry, now, number);
    return true;
  }

  TokenBucket& NumberBucket(const std::string& number, Timestamp now) {
    auto it = numbers_.find(number);
    if (it == numbers_.end()) {
      it = numbers_
               .emplace(number,
                        TokenBucket(options_.number_per_second, options_.number_burst, now))
               .first;
    }
    return it->second;
  }

  TokenBucket& ContactBucket(const std::string& contact, Timestamp now) {
    if (contacts_.size() > kContactBucketsKept) {
      for (auto it = contacts_.begin(); it != contacts_.end();) {
        it = it->second.Full(now) ? contacts_.erase(it) : std::next(it);
      }
    }
    auto it = contacts_.find(contact);
    if (it == contacts_.end()) {
      it = contacts_
               .emplace(contact,
                        TokenBucket(options_.contact_per_second, options_.contact_burst, now))
               .first;
    }
    return it->second;
  }

  void SchedulePoll() {
    if (stopping_) return;
    poll_timer_.expires_after(options_.poll_interval);
    poll_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) Poll();
    });
  }

  // ---- one request

  void Send(const OutboxEntry& entry, Timestamp now, const std::string& number) {
    const bool receipt = entry.kind == OutboxEntry::Kind::kReadReceipt;
    Result<std::string> body =
        receipt ? Result<std::string>(ReadReceiptBody(entry.receipt_for)) : MessageRequestBody(entry.message);
    if (!body) {
      // Nothing the API could accept: fail it now rather than send a request that must fail.
      Count([](OutboxSenderCounters& c) { ++c.failed; });
      Fail(entry, SendError{0, body.error().message()}, now);
      return;
    }
    in_flight_.insert(entry.id);
    client_->Post(number, std::move(*body), [this, entry](GraphReply reply) {
      asio::post(io_, [this, entry, reply = std::move(reply)] { OnReply(entry, reply); });
    });
  }

  void OnReply(const OutboxEntry& entry, const GraphReply& reply) {
    in_flight_.erase(entry.id);
    const bool receipt = entry.kind == OutboxEntry::Kind::kReadReceipt;
    const SendVerdict verdict = Classify(reply, receipt);
    const Timestamp now = clock_.Now();
    const SendError error{verdict.error_code, verdict.error};
    switch (verdict.outcome) {
      case SendOutcome::kAccepted:
        Count([&](OutboxSenderCounters& c) { ++(receipt ? c.receipts : c.accepted); });
        unrecorded_[entry.id] = verdict.whatsapp_id;  // recorded by the next Poll, with others
        break;
      case SendOutcome::kRetryable: {
        const Duration delay = BackoffDelay(entry.attempts + 1, options_.backoff_base,
                                            options_.backoff_cap, options_.random());
        Count([&](OutboxSenderCounters& c) {
          ++c.retried;
          if (!reply.answered) ++c.network_errors;
          ++c.errors_by_code[verdict.error_code];
        });
        LogFailure(entry, verdict);
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
        LogFailure(entry, verdict);
        Fail(entry, error, now);  // for 131047 the store closes the window too
        break;
    }
    if (stopping_) return MaybeFinish();
    PollSoon();
  }

  void Fail(const OutboxEntry& entry, const SendError& error, Timestamp now) {
    if (Status s = store_.MarkFailed(entry.id, error, now); !s.ok()) {
      Log(LogLevel::kWarning, "outbox_record_failed", {{"error", s.ToString()}});
    }
  }

  // Marks sent what the API accepted. Kept until the store takes it, so an entry is never sent
  // again just because the database was busy for a moment.
  // All of them in one transaction: answers that arrived together share one durable sync.
  void RecordUnrecorded() {
    if (unrecorded_.empty()) return;
    std::vector<std::pair<uint64_t, std::string>> accepted(unrecorded_.begin(), unrecorded_.end());
    Result<std::vector<Status>> recorded = store_.MarkSentAll(accepted);
    if (!recorded) {
      Log(LogLevel::kWarning, "outbox_record_failed", {{"error", recorded.error().ToString()}});
      return;  // all stay unrecorded; the next poll tries again
    }
    for (std::size_t i = 0; i < accepted.size(); ++i) {
      const Status& s = (*recorded)[i];
      if (s.ok() || s.code() == StatusCode::kConflict || s.code() == StatusCode::kNotFound) {
        if (!s.ok()) Log(LogLevel::kError, "outbox_mark_sent_refused", {{"error", s.ToString()}});
        unrecorded_.erase(accepted[i].first);
      } else {
        Log(LogLevel::kWarning, "outbox_record_failed", {{"error", s.ToString()}});
      }
    }
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
    if (!in_flight_.empty() || finished_) return;
    finished_ = true;
    RecordUnrecorded();
    client_->Shutdown();
    work_.reset();
  }

  void LogFailure(const OutboxEntry& entry, const SendVerdict& verdict) {
    const std::string tag = tagger_ ? tagger_->Tag(entry.message.contact) : std::string();
    Log(verdict.outcome == SendOutcome::kRetryable ? LogLevel::kInfo : LogLevel::kWarning,
        "whatsapp_send_failed",
        {{"outbox_id", entry.id},
         {"outcome", SendOutcomeName(verdict.outcome)},
         {"http_status", verdict.http_status},
         {"code", verdict.error_code},
         {"error", verdict.error},
         {"attempts", entry.attempts + 1},
         {"contact", tag}});
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
  std::unique_ptr<GraphClient> client_;
  std::thread thread_;
  std::mutex stop_mu_;

  // The sender thread's own state.
  std::map<std::string, TokenBucket, std::less<>> numbers_;  // by business number ("": default)
  std::map<std::string, TokenBucket, std::less<>> contacts_;
  std::set<uint64_t> in_flight_;               // outbox ids with a request out
  std::map<uint64_t, std::string> unrecorded_;  // accepted, not yet marked sent: id -> wamid
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

void OutboxSender::Stop() { impl_->Stop(); }

OutboxSenderCounters OutboxSender::Counters() const { return impl_->Counters(); }

}  // namespace consentflow::engine::whatsapp
