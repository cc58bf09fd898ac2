#include "engine/whatsapp/outbox_sender.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/store/sqlite/sqlite_store.h"
#include "tests/support/graph_standin.h"

namespace consentflow::engine::whatsapp {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::GraphStandin;
using testing::RecordedRequest;
using testing::StandinAnswer;

// A manual clock the sender's thread may read while the test moves it.
class TestClock final : public Clock {
 public:
  TestClock() : now_(ToUnixMillis(SystemClock().Now())) {}
  Timestamp Now() const override { return FromUnixMillis(now_.load()); }
  void Advance(Duration by) { now_ += by.count(); }

 private:
  std::atomic<int64_t> now_;
};

// Waits (polling) until `done()`, at most 20 s: generous, so a loaded machine does not fail the
// test; `step` moves the clock on each round, so retries and pacing come due.
bool WaitFor(const std::function<bool()>& done, TestClock* clock = nullptr,
             Duration step = Duration::zero()) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (clock != nullptr) clock->Advance(step);
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

// The WhatsApp id a contact is addressed by in a request ("to").
std::string To(const std::string& contact) { return "+" + contact; }

std::string TextOf(const RecordedRequest& request) {
  const std::size_t at = request.body.find("\"body\":\"");
  if (at == std::string::npos) return "";
  const std::size_t start = at + 8;
  return request.body.substr(start, request.body.find('"', start) - start);
}

class OutboxSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::path(::testing::TempDir()) / "sender_test_XXXXXX");
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    OpenStore();
  }
  void TearDown() override {
    sender_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void OpenStore() {
    Result<std::unique_ptr<Store>> store =
        OpenSqliteStore(SqliteOptions{(dir_ / "store.db").string(), 5000, /*durable=*/false});
    ASSERT_TRUE(store) << store.error().ToString();
    store_ = std::move(*store);
  }

  OutboxSenderOptions FastOptions() const {
    OutboxSenderOptions options;
    options.poll_interval = milliseconds(5);
    options.number_per_second = 10'000;
    options.number_burst = 10'000;
    options.contact_per_second = 10'000;
    options.contact_burst = 10'000;
    options.backoff_base = seconds(1);
    options.backoff_cap = seconds(8);
    options.random = [] { return 1.0; };  // the longest wait: retries come only when the clock moves
    return options;
  }

  void StartSender(OutboxSenderOptions options) {
    GraphClientOptions client;
    client.base_url = graph_.base_url();
    client.phone_number_id = "106540352242922";
    client.access_token = "EAAG-TEST";
    client.connect_timeout = seconds(5);
    client.request_timeout = seconds(10);
    Result<std::unique_ptr<OutboxSender>> sender =
        OutboxSender::Start(*store_, clock_, client, std::move(options));
    ASSERT_TRUE(sender) << sender.error().ToString();
    sender_ = std::move(*sender);
  }

  // `contact` writes now (which opens their window), and the bot answers with `replies`: as the
  // engine and its worker do it, one commit that consumes the message and queues the replies,
  // then the message handed to a running sender to be marked read.
  void Converse(const std::string& contact, const std::vector<std::string>& replies,
                const std::string& business_number = "") {
    InboundMessage in;
    in.id = "wamid.in." + contact + "." + std::to_string(++inbound_[contact]);
    in.contact = contact;
    in.business_number = business_number;
    in.time = clock_.Now();
    in.text = "hi";
    ASSERT_TRUE(store_->Enqueue(in).value());
    EventOutcome outcome;
    outcome.message_id = in.id;
    outcome.conversation.contact = contact;
    outcome.conversation.flow_id = "shop";
    outcome.conversation.phase = Phase::kWaiting;
    outcome.conversation.revision = revision_[contact]++;
    for (const std::string& text : replies) {
      outcome.outbound.push_back(OutboundMessage{contact, OutboundMessage::Kind::kText, text, {}, ""});
    }
    Result<std::vector<Status>> results = store_->Commit({outcome});
    ASSERT_TRUE(results) << results.error().ToString();
    ASSERT_TRUE((*results)[0].ok()) << (*results)[0].ToString();
    if (sender_) {
      sender_->MarkRead({ReadMark{contact, in.id, business_number}});
      sender_->Wake();
    }
  }

  // Every reply sent and `receipts` read receipts accepted.
  bool Done(uint64_t receipts) {
    return Pending() == 0 && sender_->Counters().receipts >= receipts;
  }

  std::size_t Pending() { return store_->Backlog().value().pending; }

  // The texts the stand-in accepted for `contact`, in order.
  std::vector<std::string> Delivered(const std::string& contact) const {
    std::vector<std::string> texts;
    for (const RecordedRequest& r : graph_.AcceptedSends()) {
      if (r.recipient == To(contact)) texts.push_back(TextOf(r));
    }
    return texts;
  }

  std::size_t RequestsTo(const std::string& recipient) const {
    std::size_t n = 0;
    for (const RecordedRequest& r : graph_.Requests()) n += r.recipient == recipient ? 1 : 0;
    return n;
  }

  // Every outbox entry, oldest first (ids start at 1 and are never skipped here).
  std::vector<OutboxEntry> Entries() {
    std::vector<OutboxEntry> entries;
    for (uint64_t id = 1;; ++id) {
      Result<OutboxEntry> entry = store_->LookupOutbox(id);
      if (!entry) break;
      entries.push_back(std::move(*entry));
    }
    return entries;
  }

  GraphStandin graph_;
  TestClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<OutboxSender> sender_;
  std::map<std::string, int> inbound_;
  std::map<std::string, uint64_t> revision_;
};

TEST_F(OutboxSenderTest, SendsRepliesInOrderWithReceiptsAndMarksEachSent) {
  StartSender(FastOptions());
  Converse("4915100", {"a1", "a2", "a3"});
  Converse("4915200", {"b1", "b2"});
  ASSERT_TRUE(WaitFor([&] { return Done(2); }));

  EXPECT_EQ(Delivered("4915100"), (std::vector<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(Delivered("4915200"), (std::vector<std::string>{"b1", "b2"}));
  // Each contact's message was marked read, once. (The receipt does not hold back the
  // replies: they may arrive in either order.)
  std::vector<RecordedRequest> requests = graph_.Requests();
  for (const std::string receipt : {"wamid.in.4915100.1", "wamid.in.4915200.1"}) {
    const auto is_receipt = [&](const RecordedRequest& r) { return r.recipient == receipt; };
    ASSERT_EQ(std::count_if(requests.begin(), requests.end(), is_receipt), 1) << receipt;
    EXPECT_NE(std::find_if(requests.begin(), requests.end(), is_receipt)->body.find("\"status\":\"read\""),
              std::string::npos);
  }

  // The store has the wamid the API returned for each reply.
  std::map<std::string, std::string> text_by_wamid;
  for (const RecordedRequest& r : graph_.AcceptedSends()) text_by_wamid[r.whatsapp_id] = TextOf(r);
  std::vector<OutboxEntry> entries = Entries();
  ASSERT_EQ(entries.size(), 5u);  // the replies: receipts are not kept
  for (const OutboxEntry& entry : entries) {
    EXPECT_EQ(entry.state, OutboxState::kAccepted) << entry.id;
    EXPECT_EQ(text_by_wamid.count(entry.whatsapp_id), 1u) << entry.id;
  }
  EXPECT_EQ(text_by_wamid[entries[0].whatsapp_id], "a1");
  EXPECT_EQ(text_by_wamid[entries[4].whatsapp_id], "b2");
  OutboxSenderCounters counters = sender_->Counters();
  EXPECT_EQ(counters.accepted, 5u);
  EXPECT_EQ(counters.receipts, 2u);
  EXPECT_EQ(counters.retried, 0u);
}

// Whoever shows delivery states hears of each reply once it is recorded (a status that came
// before the record is applied with it), and not of read receipts.
TEST_F(OutboxSenderTest, EachRecordedReplyIsReportedWithItsContact) {
  std::mutex mu;
  std::vector<std::string> recorded;
  OutboxSenderOptions options = FastOptions();
  options.on_recorded = [&](const std::string& contact) {
    std::lock_guard lock(mu);
    recorded.push_back(contact);
  };
  StartSender(options);
  Converse("4915100", {"a1", "a2"});
  // The sender reports a record after the store took it, so the store may show it recorded a
  // moment before the report: wait for the reports themselves.
  const auto reported = [&] {
    std::lock_guard lock(mu);
    return recorded.size();
  };
  const bool both = WaitFor([&] { return Done(1) && reported() >= 2; });
  sender_->Stop();  // no report may come after this test's locals are gone
  ASSERT_TRUE(both);
  EXPECT_EQ(recorded, (std::vector<std::string>{"4915100", "4915100"}));
}

// Marking a message read marks the contact's earlier ones read too: of the messages waiting
// while one receipt is out, only the latest is marked.
TEST_F(OutboxSenderTest, OnlyTheLatestWaitingMessageOfAContactIsMarkedRead) {
  graph_.Script(StandinAnswer::Accept(milliseconds(300)), 1);
  StartSender(FastOptions());
  sender_->MarkRead({ReadMark{"4915100", "wamid.r1", ""}});
  ASSERT_TRUE(WaitFor([&] { return graph_.RequestCount() == 1; }));
  sender_->MarkRead({ReadMark{"4915100", "wamid.r2", ""}, ReadMark{"4915200", "wamid.s1", ""}});
  sender_->MarkRead({ReadMark{"4915100", "wamid.r3", ""}});
  ASSERT_TRUE(WaitFor([&] { return sender_->Counters().receipts == 3; }));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(RequestsTo("wamid.r1"), 1u);
  EXPECT_EQ(RequestsTo("wamid.r2"), 0u) << "superseded by r3";
  EXPECT_EQ(RequestsTo("wamid.r3"), 1u);
  EXPECT_EQ(RequestsTo("wamid.s1"), 1u) << "another contact's is not";
  EXPECT_EQ(graph_.RequestCount(), 3u);
}

TEST_F(OutboxSenderTest, AReceiptIsRetriedAfterAServerErrorAndGivenUpAfterAClientError) {
  graph_.Script(StandinAnswer::Error(500), 1, "wamid.r1");
  graph_.Script(StandinAnswer::Error(400, 100), 1, "wamid.s1");
  StartSender(FastOptions());
  sender_->MarkRead({ReadMark{"4915100", "wamid.r1", ""}, ReadMark{"4915200", "wamid.s1", ""}});
  ASSERT_TRUE(WaitFor([&] { return sender_->Counters().receipts == 1; }, &clock_, seconds(1)));
  std::this_thread::sleep_for(milliseconds(100));
  clock_.Advance(seconds(60));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(RequestsTo("wamid.r1"), 2u) << "once more after its backoff";
  EXPECT_EQ(RequestsTo("wamid.s1"), 1u) << "not again";
  const OutboxSenderCounters counters = sender_->Counters();
  EXPECT_EQ(counters.retried, 1u);
  EXPECT_EQ(counters.failed, 1u);
  EXPECT_EQ(counters.errors_by_code.at(100), 1u);
  EXPECT_EQ(Pending(), 0u) << "receipts are not in the outbox";
}

// Under load a poll looks only at what is new and at contacts whose next entry became ready;
// the full look comes every poll_interval (here: never again). A contact's later replies still
// go out at once after the earlier one is accepted: those queued before it was sent (b2, b3)
// and one queued while it was in flight (a2), even when a later entry (c1) went before it.
TEST_F(OutboxSenderTest, AContactsNextReplyGoesOutAsSoonAsThePreviousIsAccepted) {
  graph_.Script(StandinAnswer::Accept(milliseconds(300)), 2);
  OutboxSenderOptions options = FastOptions();
  options.poll_interval = std::chrono::hours(1);
  StartSender(options);
  Converse("4915100", {"a1"});
  Converse("4915200", {"b1", "b2", "b3"});
  ASSERT_TRUE(WaitFor([&] { return graph_.RequestCount() >= 2; }));
  Converse("4915100", {"a2"});  // a1 is still out: a2 waits in line
  Converse("4915300", {"c1"});  // goes at once: the next look for new entries starts after it
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }));
  EXPECT_EQ(Delivered("4915100"), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(Delivered("4915200"), (std::vector<std::string>{"b1", "b2", "b3"}));
}

// What the API accepted is recorded in batches (record_interval), and a contact's next reply
// does not wait for that: its turn came when the previous one was accepted. Stopping records
// what is left.
TEST_F(OutboxSenderTest, AcceptedRepliesAreRecordedTogetherButANextReplyDoesNotWaitForThat) {
  OutboxSenderOptions options = FastOptions();
  options.poll_interval = std::chrono::hours(1);
  options.record_interval = std::chrono::hours(1);
  StartSender(options);
  Converse("4915100", {"a1"});
  Converse("4915200", {"b1", "b2", "b3"});
  ASSERT_TRUE(WaitFor([&] { return sender_->Counters().accepted == 4; }));
  EXPECT_EQ(Pending(), 4u);  // accepted, not recorded yet
  Converse("4915100", {"a2"});
  ASSERT_TRUE(WaitFor([&] { return sender_->Counters().accepted == 5; }));
  EXPECT_EQ(Pending(), 5u);  // still none recorded: a2 did not wait for a1's record
  EXPECT_EQ(Delivered("4915100"), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(Delivered("4915200"), (std::vector<std::string>{"b1", "b2", "b3"}));
  sender_.reset();
  EXPECT_EQ(Pending(), 0u);
  for (const OutboxEntry& entry : Entries()) {
    EXPECT_EQ(entry.state, OutboxState::kAccepted) << entry.message.body;
    EXPECT_FALSE(entry.whatsapp_id.empty()) << entry.message.body;
  }
}

// A server with two business numbers answers each contact from the number they wrote to (the
// window is that number's), and a number it does not serve falls back to its own.
TEST_F(OutboxSenderTest, RepliesAndReceiptsGoOutFromTheNumberTheContactWroteTo) {
  OutboxSenderOptions options = FastOptions();
  options.phone_number_ids = {"106540352242922", "222333444555666"};
  StartSender(options);
  Converse("4915100", {"from the first"}, "106540352242922");
  Converse("4915200", {"from the second"}, "222333444555666");
  Converse("4915300", {"from the default"}, "999999999999999");
  ASSERT_TRUE(WaitFor([&] { return Done(3); }));

  std::map<std::string, std::set<std::string>> targets;  // recipient -> targets used
  for (const RecordedRequest& r : graph_.Requests()) targets[r.recipient].insert(r.target);
  const std::string first = "/v25.0/106540352242922/messages";
  const std::string second = "/v25.0/222333444555666/messages";
  EXPECT_EQ(targets[To("4915100")], (std::set<std::string>{first}));
  EXPECT_EQ(targets["wamid.in.4915100.1"], (std::set<std::string>{first}));
  EXPECT_EQ(targets[To("4915200")], (std::set<std::string>{second}));
  EXPECT_EQ(targets["wamid.in.4915200.1"], (std::set<std::string>{second}));
  EXPECT_EQ(targets[To("4915300")], (std::set<std::string>{first}));
  EXPECT_EQ(targets["wamid.in.4915300.1"], (std::set<std::string>{first}));
}

TEST_F(OutboxSenderTest, AnOutageIsRiddenOutAndEveryReplyGoesOutExactlyOnceInOrder) {
  graph_.Script(StandinAnswer::Error(500), 6);
  graph_.Script(StandinAnswer::Error(429), 4);
  graph_.Script(StandinAnswer::Error(400, 130429), 2);
  graph_.Script(StandinAnswer::Drop(), 2);
  StartSender(FastOptions());
  const std::vector<std::string> contacts = {"4915100", "4915200", "4915300"};
  for (const std::string& contact : contacts) {
    Converse(contact, {contact + "-1", contact + "-2", contact + "-3"});
  }
  // The clock moves a second per round, so backed-off entries keep coming due.
  ASSERT_TRUE(WaitFor([&] { return Done(3); }, &clock_, seconds(1)));

  for (const std::string& contact : contacts) {
    EXPECT_EQ(Delivered(contact),
              (std::vector<std::string>{contact + "-1", contact + "-2", contact + "-3"}))
        << contact;
  }
  EXPECT_EQ(graph_.AcceptedSends().size(), 9u);  // nothing twice
  for (const OutboxEntry& entry : Entries()) EXPECT_EQ(entry.state, OutboxState::kAccepted);
  OutboxSenderCounters counters = sender_->Counters();
  EXPECT_EQ(counters.accepted, 9u);
  EXPECT_EQ(counters.receipts, 3u);
  // The 12 failed answers; a drop on a kept-alive connection may not count (the client replaces
  // such a connection once before it reports; the next test sees drops reported).
  EXPECT_GE(counters.retried, 12u);
  EXPECT_EQ(counters.errors_by_code[500], 6u);
  EXPECT_EQ(counters.errors_by_code[429], 4u);
  EXPECT_EQ(counters.errors_by_code[130429], 2u);
}

TEST_F(OutboxSenderTest, ADroppedConnectionIsRetriedLikeAnyNetworkError) {
  graph_.Script(StandinAnswer::Drop(), 2);
  StartSender(FastOptions());
  Converse("4915100", {"a1"});
  ASSERT_TRUE(WaitFor([&] { return Done(1); }, &clock_, seconds(1)));
  EXPECT_EQ(Delivered("4915100"), (std::vector<std::string>{"a1"}));
  // Each drop closed its connection, so each was on a new one and reported.
  OutboxSenderCounters counters = sender_->Counters();
  EXPECT_EQ(counters.network_errors, 2u);
  EXPECT_EQ(counters.retried, 2u);
  EXPECT_EQ(counters.receipts, 1u);
  EXPECT_EQ(counters.accepted, 1u);
}

TEST_F(OutboxSenderTest, ARetryWaitsForItsBackoff) {
  graph_.Script(StandinAnswer::Error(503), 1, To("4915100"));
  StartSender(FastOptions());
  Converse("4915100", {"a1"});
  ASSERT_TRUE(WaitFor([&] { return RequestsTo(To("4915100")) == 1; }));
  ASSERT_TRUE(WaitFor([&] { return Entries().back().attempts == 1; }));
  OutboxEntry entry = Entries().back();
  EXPECT_EQ(entry.error_code, 503);
  EXPECT_EQ(entry.next_attempt - clock_.Now(), seconds(1));  // base 1 s, the longest draw

  std::this_thread::sleep_for(milliseconds(100));  // the clock stands still: no retry
  EXPECT_EQ(RequestsTo(To("4915100")), 1u);
  clock_.Advance(seconds(1));
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }));
  EXPECT_EQ(Delivered("4915100"), (std::vector<std::string>{"a1"}));
}

TEST_F(OutboxSenderTest, AnotherClientErrorFailsTheReplyWithItsCodeAndIsNotRetried) {
  graph_.Script(StandinAnswer::Error(400, 131009), 1, To("4915100"));
  StartSender(FastOptions());
  Converse("4915100", {"bad", "good"});
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }, &clock_, seconds(1)));

  std::vector<OutboxEntry> entries = Entries();
  ASSERT_EQ(entries.size(), 2u);  // bad, good
  EXPECT_EQ(entries[0].state, OutboxState::kFailed);
  EXPECT_EQ(entries[0].error_code, 131009);
  EXPECT_EQ(entries[0].attempts, 0u);
  EXPECT_EQ(entries[1].state, OutboxState::kAccepted);
  EXPECT_EQ(RequestsTo(To("4915100")), 2u);  // "bad" once, "good" once
  EXPECT_EQ(Delivered("4915100"), (std::vector<std::string>{"good"}));
  OutboxSenderCounters counters = sender_->Counters();
  EXPECT_EQ(counters.failed, 1u);
  EXPECT_EQ(counters.errors_by_code[131009], 1u);
}

TEST_F(OutboxSenderTest, ReEngagementClosesTheWindowUntilTheContactWritesAgain) {
  graph_.Script(StandinAnswer::Error(400, 131047), 1, To("4915100"));
  StartSender(FastOptions());
  Converse("4915100", {"first", "second"});
  Converse("4915200", {"other contact"});
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }));

  std::vector<OutboxEntry> entries = Entries();
  ASSERT_EQ(entries.size(), 3u);  // A: first, second; B: reply
  EXPECT_EQ(entries[0].state, OutboxState::kFailed);
  EXPECT_EQ(entries[0].error_code, 131047);
  EXPECT_EQ(entries[1].state, OutboxState::kFailed);  // not even tried
  EXPECT_EQ(entries[1].error_code, 0);
  EXPECT_NE(entries[1].error.find("24-hour window"), std::string::npos);
  EXPECT_EQ(RequestsTo(To("4915100")), 1u);
  EXPECT_EQ(Delivered("4915200"), (std::vector<std::string>{"other contact"}));

  // The contact writes again: their window opens, and the new reply goes out.
  clock_.Advance(seconds(1));
  Converse("4915100", {"welcome back"});
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }));
  EXPECT_EQ(Delivered("4915100"), (std::vector<std::string>{"welcome back"}));
  OutboxSenderCounters counters = sender_->Counters();
  EXPECT_EQ(counters.window_closed, 1u);
  EXPECT_EQ(counters.outside_window, 1u);
}

TEST_F(OutboxSenderTest, NothingFreeFormGoesOutOnceTheWindowIsOlderThan24Hours) {
  Converse("4915100", {"too late"});  // queued while no sender runs
  clock_.Advance(hours(24));
  StartSender(FastOptions());
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }));
  std::vector<OutboxEntry> entries = Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].state, OutboxState::kFailed);
  EXPECT_EQ(RequestsTo(To("4915100")), 0u);
  EXPECT_EQ(sender_->Counters().outside_window, 1u);
}

TEST_F(OutboxSenderTest, OutsideTheWindowATemplateGoesOutAndFreeTextStillDoesNot) {
  const std::string contact = "4915100";
  Converse(contact, {});  // the contact's last message
  clock_.Advance(hours(25));
  // An agent's free text and a template, queued once the window has passed.
  EventOutcome later;
  later.conversation.contact = contact;
  later.conversation.flow_id = "shop";
  later.conversation.phase = Phase::kWaiting;
  later.conversation.revision = revision_[contact]++;
  OutboundMessage follow_up{contact, OutboundMessage::Kind::kTemplate,
                            "Hello Lena, we have news about your request.", {}, ""};
  follow_up.template_name = "follow_up";
  follow_up.template_language = "en";
  follow_up.template_params = {"Lena"};
  later.outbound = {OutboundMessage{contact, OutboundMessage::Kind::kText, "free text", {}, ""},
                    follow_up};
  Result<std::vector<Status>> committed = store_->Commit({later});
  ASSERT_TRUE(committed && (*committed)[0].ok());
  StartSender(FastOptions());
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }));

  const std::vector<OutboxEntry> entries = Entries();
  ASSERT_EQ(entries.size(), 2u);  // free text, template
  EXPECT_EQ(entries[0].state, OutboxState::kFailed) << "free text outside the window";
  EXPECT_NE(entries[0].error.find("24-hour window"), std::string::npos);
  EXPECT_EQ(entries[1].state, OutboxState::kAccepted) << entries[1].error;
  std::vector<nlohmann::json> sent;
  for (const RecordedRequest& r : graph_.AcceptedSends()) {
    if (r.recipient == To(contact)) sent.push_back(nlohmann::json::parse(r.body));
  }
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["type"], "template");
  EXPECT_EQ(sent[0]["template"]["name"], "follow_up");
  EXPECT_EQ(sent[0]["template"]["components"][0]["parameters"][0]["text"], "Lena");
  EXPECT_EQ(sender_->Counters().outside_window, 1u);
}

TEST_F(OutboxSenderTest, TheNumbersRateIsNeverExceeded) {
  OutboxSenderOptions options = FastOptions();
  options.number_per_second = 5;
  options.number_burst = 5;
  StartSender(options);
  for (int i = 0; i < 8; ++i) Converse("49151" + std::to_string(i), {"hello"});  // 16 entries

  // The clock stands still: the burst goes out, then nothing until time passes.
  ASSERT_TRUE(WaitFor([&] { return graph_.RequestCount() == 5; }));
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(graph_.RequestCount(), 5u);
  clock_.Advance(milliseconds(400));  // 2 tokens
  ASSERT_TRUE(WaitFor([&] { return graph_.RequestCount() == 7; }));
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(graph_.RequestCount(), 7u);
  clock_.Advance(seconds(10));  // refills only up to the burst
  ASSERT_TRUE(WaitFor([&] { return graph_.RequestCount() == 12; }));
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(graph_.RequestCount(), 12u);
}

TEST_F(OutboxSenderTest, EachContactIsPacedToItsOwnRate) {
  OutboxSenderOptions options = FastOptions();
  options.contact_per_second = 1.0 / 6;
  options.contact_burst = 2;
  StartSender(options);
  Converse("4915100", {"1", "2", "3", "4"});
  Converse("4915200", {"x"});

  ASSERT_TRUE(WaitFor([&] { return RequestsTo(To("4915100")) == 2; }));
  ASSERT_TRUE(WaitFor([&] { return Delivered("4915200").size() == 1; }));  // others unaffected
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(RequestsTo(To("4915100")), 2u);
  clock_.Advance(seconds(6));
  ASSERT_TRUE(WaitFor([&] { return RequestsTo(To("4915100")) == 3; }));
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(RequestsTo(To("4915100")), 3u);
  clock_.Advance(seconds(6));
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }));
  EXPECT_EQ(Delivered("4915100"), (std::vector<std::string>{"1", "2", "3", "4"}));
}

TEST_F(OutboxSenderTest, StopFinishesTheRequestInFlightAndARestartSendsTheRest) {
  // Slow answers: Stop() arrives while the first reply is out.
  graph_.Script(StandinAnswer::Accept(milliseconds(300)), 100);
  OutboxSenderOptions options = FastOptions();
  options.max_in_flight = 1;
  StartSender(options);
  Converse("4915100", {"a1", "a2", "a3"});
  ASSERT_TRUE(WaitFor([&] { return RequestsTo(To("4915100")) >= 1; }));
  sender_->Stop();
  const std::size_t sent_before = RequestsTo(To("4915100"));
  EXPECT_GE(sent_before, 1u);
  EXPECT_LT(sent_before, 3u);
  // Whatever was sent was answered and recorded before Stop() returned.
  EXPECT_EQ(Pending(), 3 - sent_before);
  sender_.reset();

  // As after a crash: a new process, the same database file.
  store_.reset();
  OpenStore();
  graph_.ClearScript();
  StartSender(FastOptions());
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }));
  EXPECT_EQ(Delivered("4915100"), (std::vector<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(RequestsTo(To("4915100")), 3u);  // each reply once
}

TEST_F(OutboxSenderTest, EntriesTheLastProcessCouldNotSendGoOutFromTheNext) {
  // The first sender never gets an answer accepted (the API is down), then the process ends.
  graph_.Script(StandinAnswer::Error(500), 1'000'000);
  StartSender(FastOptions());
  Converse("4915100", {"a1", "a2"});
  Converse("4915200", {"b1"});
  ASSERT_TRUE(WaitFor([&] { return graph_.RequestCount() >= 2; }));
  sender_.reset();
  store_.reset();
  EXPECT_TRUE(graph_.AcceptedSends().empty());

  graph_.ClearScript();
  OpenStore();
  StartSender(FastOptions());
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }, &clock_, seconds(1)));
  EXPECT_EQ(Delivered("4915100"), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(Delivered("4915200"), (std::vector<std::string>{"b1"}));
}

}  // namespace
}  // namespace consentflow::engine::whatsapp
