// The server end to end on an ephemeral port: signed webhooks in, the engine's replies in the
// store's outbox. A second connection to the same SQLite file reads what happened.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <regex>
#include <thread>

#include "engine/server/config.h"
#include "engine/server/serve_app.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "engine/whatsapp/webhook_signature.h"
#include "tests/support/graph_standin.h"
#include "tests/whatsapp/fixtures.h"
#include "tests/support/http_client.h"
#include <sqlite3.h>

#include <nlohmann/json.hpp>

namespace consentflow::engine::server {
namespace {

namespace fs = std::filesystem;
using testing::HttpGet;
using testing::HttpPost;
using testing::RawRequest;

constexpr const char* kSecret = "test-app-secret";
constexpr const char* kToken = "test-verify-token";

std::string Fixture(const std::string& name) { return testing::WebhookFixture(name); }

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cf-server-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::create_directories(dir_ / "flows");
    fs::copy_file(fs::path(CF_SOURCE_DIR) / "flows" / "support_desk.flow", dir_ / "flows" / "support_desk.flow");
    fs::copy_file(fs::path(CF_SOURCE_DIR) / "bench" / "flows" / "four_step.flow", dir_ / "flows" / "four_step.flow");
    // four_step is the default flow here; support_desk's default entry is dropped.
    {
      std::ifstream in(dir_ / "flows" / "support_desk.flow");
      std::stringstream text;
      text << in.rdbuf();
      std::string flow = text.str();
      flow.replace(flow.find("\nentry default") + 1, 13, "entry keyword \"help\"");
      std::ofstream(dir_ / "flows" / "support_desk.flow") << flow;
    }
    const std::string toml = "[server]\nport = 0\nmax_body_bytes = 65536\nread_timeout_ms = 300\n"
                             "max_header_bytes = 4096\n"
                             "[whatsapp]\nphone_number_ids = [\"106540352242922\"]\n"
                             "graph_base_url = \"" + graph_.base_url() + "\"\n"
                             "verify_token_env = \"T\"\napp_secret_env = \"S\"\naccess_token_env = \"A\"\n"
                             "[engine]\nflows = \"" + (dir_ / "flows").string() + "\"\n"
                             "database = \"" + (dir_ / "cf.db").string() + "\"\n";
    Result<ServerConfig> config = ParseServerConfig(toml, (dir_ / "server.toml").string(),
                                                    [](const std::string& name) -> std::optional<std::string> {
                                                      if (name == "T") return kToken;
                                                      if (name == "S") return kSecret;
                                                      if (name == "A") return "access";
                                                      return std::nullopt;
                                                    });
    ASSERT_TRUE(config) << config.error().message();
    Result<std::unique_ptr<ServeApp>> app = ServeApp::Start(*config);
    ASSERT_TRUE(app) << app.error().message();
    app_ = std::move(*app);
    port_ = app_->port();
  }

  void TearDown() override {
    app_.reset();
    fs::remove_all(dir_);
  }

  // Posts `body` signed, its WhatsApp timestamps moved to today (the fixtures are from March
  // 2026: replies to them would fall outside the 24-hour window and never be sent).
  testing::HttpResult PostSigned(const std::string& body) {
    const std::string fresh = Fresh(body);
    return HttpPost(port_, "/webhook", fresh,
                    {{"X-Hub-Signature-256", whatsapp::SignBody(kSecret, fresh)}});
  }

  static std::string Fresh(const std::string& body) {
    static const std::regex timestamp(R"re("timestamp"(\s*):(\s*)"(\d+)")re");
    const int64_t shift = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count() -
                          1'772'447'000;
    std::string out;
    auto last = body.cbegin();
    for (std::sregex_iterator it(body.begin(), body.end(), timestamp), end; it != end; ++it) {
      out.append(last, (*it)[0].first);
      out += "\"timestamp\"" + (*it)[1].str() + ":" + (*it)[2].str() + "\"" +
             std::to_string(std::stoll((*it)[3].str()) + shift) + "\"";
      last = (*it)[0].second;
    }
    out.append(last, body.cend());
    return out;
  }

  // The texts of the replies the Graph API stand-in accepted for `contact`, in order; waits up
  // to 10 s for at least `at_least` of them.
  std::vector<std::string> Replies(const std::string& contact, std::size_t at_least) {
    std::vector<std::string> texts;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
      texts.clear();
      for (const testing::RecordedRequest& r : graph_.AcceptedSends()) {
        if (r.recipient != "+" + contact) continue;
        const nlohmann::json body = nlohmann::json::parse(r.body);
        texts.push_back(body.contains("text") ? body["text"]["body"].get<std::string>()
                                              : body["interactive"]["body"]["text"].get<std::string>());
      }
      if (texts.size() >= at_least || std::chrono::steady_clock::now() > deadline) return texts;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // How many replies the engine queued for `contact` (sent or not), from the store.
  int Outboxed(const std::string& contact) {
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir_ / "cf.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'message' AND contact = ?1", -1,
                       &stmt, nullptr);
    sqlite3_bind_text(stmt, 1, contact.c_str(), -1, SQLITE_TRANSIENT);
    const int count = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return count;
  }

  // The state of the outbox entry the API gave `wamid` for.
  std::string OutboxState(const std::string& wamid) {
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir_ / "cf.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT state FROM outbox WHERE sent_wamid = ?1", -1, &stmt, nullptr);
    sqlite3_bind_text(stmt, 1, wamid.c_str(), -1, SQLITE_TRANSIENT);
    std::string state = sqlite3_step(stmt) == SQLITE_ROW
                            ? reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)) : "<none>";
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return state;
  }

  // Bodies of the messages the stand-in accepted for `contact`, waiting for `at_least`.
  std::vector<std::string> Sent(const std::string& contact, std::size_t at_least) {
    std::vector<std::string> bodies;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      bodies.clear();
      for (const testing::RecordedRequest& r : graph_.AcceptedSends()) {
        if (r.recipient == "+" + contact) bodies.push_back(r.body);
      }
      if (bodies.size() >= at_least) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return bodies;
  }

  testing::GraphStandin graph_;
  fs::path dir_;
  std::unique_ptr<ServeApp> app_;
  uint16_t port_ = 0;
};

TEST_F(ServerTest, VerificationHandshakeEchoesTheChallengeOnlyForTheRightToken) {
  const auto ok = HttpGet(port_, "/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=" +
                                     std::string(kToken));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  EXPECT_EQ(HttpGet(port_, "/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong").status, 403);
  EXPECT_EQ(HttpGet(port_, "/webhook?hub.mode=other&hub.challenge=1&hub.verify_token=" + std::string(kToken)).status, 403);
  EXPECT_EQ(HttpGet(port_, "/webhook").status, 403);
}

TEST_F(ServerTest, ASignedMessageIsAcknowledgedAndAnsweredByTheDefaultFlow) {
  const auto response = PostSigned(Fixture("01-text.json"));
  EXPECT_EQ(response.status, 200) << response.error;
  const auto sent = Sent("4915112345678", 1);
  ASSERT_FALSE(sent.empty()) << "the default flow's consent notice reached the Graph API";
  EXPECT_NE(sent[0].find("May we keep your name and email"), std::string::npos) << sent[0];
  // And the message was marked read. The receipt goes on a request of its own, which may be
  // answered after the reply's: it is waited for.
  bool receipt = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!receipt && std::chrono::steady_clock::now() < deadline) {
    for (const testing::RecordedRequest& r : graph_.Requests()) {
      receipt = receipt || r.body.find("\"status\":\"read\"") != std::string::npos;
    }
    if (!receipt) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(receipt) << "a read receipt for the inbound message";
}

std::string Envelope(const std::string& value) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},)" +
         value + "}}]}]}";
}

TEST_F(ServerTest, StatusesMoveTheSentMessageForwardNeverBack) {
  EXPECT_EQ(PostSigned(Fixture("01-text.json")).status, 200);
  ASSERT_FALSE(Sent("4915112345678", 1).empty());
  std::string wamid;
  for (const testing::RecordedRequest& r : graph_.AcceptedSends()) {
    if (r.recipient == "+4915112345678") wamid = r.whatsapp_id;
  }
  ASSERT_FALSE(wamid.empty());
  for (int i = 0; i < 200 && OutboxState(wamid) != "accepted"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto status = [&](const char* state, int ts) {
    return Envelope(R"("statuses":[{"id":")" + wamid + R"(","status":")" + state + R"(","timestamp":")" +
                    std::to_string(ts) + R"(","recipient_id":"4915112345678"}])");
  };
  EXPECT_EQ(PostSigned(status("read", 1772446600)).status, 200);
  EXPECT_EQ(OutboxState(wamid), "read");
  EXPECT_EQ(PostSigned(status("delivered", 1772446590)).status, 200);  // late, out of order
  EXPECT_EQ(OutboxState(wamid), "read") << "a status never moves a message back";
}

TEST_F(ServerTest, MessagesOfOneContactAreHandledInTheirOrderNotTheirArrivalOrder) {
  // One POST with the tap (sent second) before the greeting (sent first).
  const std::string body = Envelope(
      R"("messages":[{"from":"4915100000077","id":"wamid.o2","timestamp":"1772446602","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"n:privacy:accept","title":"Yes"}}},
                     {"from":"4915100000077","id":"wamid.o1","timestamp":"1772446601","type":"text","text":{"body":"hi"}}])");
  EXPECT_EQ(PostSigned(body).status, 200);
  const auto replies = Replies("4915100000077", 2);
  ASSERT_EQ(replies.size() >= 2 ? 2u : replies.size(), 2u);
  EXPECT_NE(replies[0].find("May we keep"), std::string::npos) << "greeting first: the notice";
  EXPECT_EQ(replies[1], "Your name?") << "then the tap accepts it";
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  const auto result = RawRequest(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                            std::string(8000, 'a') + "\r\n\r\n");
  EXPECT_EQ(result.status, 431);
}

TEST_F(ServerTest, AReloadGivesNewConversationsTheNewVersionAndKeepsRunningOnesOnTheirs) {
  EXPECT_EQ(PostSigned(Envelope(R"("messages":[{"from":"4915100000001","id":"wamid.r1","timestamp":"1772446601","type":"text","text":{"body":"hi"}}])")).status, 200);
  ASSERT_EQ(Replies("4915100000001", 1).size(), 1u);
  {
    std::ifstream in(dir_ / "flows" / "four_step.flow");
    std::stringstream text;
    text << in.rdbuf();
    std::string flow = text.str();
    flow.replace(flow.find("version 1"), 9, "version 2");
    flow.replace(flow.find("Your name?"), 10, "What is your name?");
    std::ofstream(dir_ / "flows" / "four_step.flow") << flow;
  }
  ASSERT_TRUE(app_->ReloadFlows().ok());
  // The running conversation stays on version 1.
  EXPECT_EQ(PostSigned(Envelope(R"("messages":[{"from":"4915100000001","id":"wamid.r2","timestamp":"1772446602","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"n:privacy:accept","title":"Yes"}}}])")).status, 200);
  const auto old_replies = Replies("4915100000001", 2);
  ASSERT_EQ(old_replies.size(), 2u);
  EXPECT_EQ(old_replies[1], "Your name?");
  // A new one starts on version 2.
  EXPECT_EQ(PostSigned(Envelope(R"("messages":[{"from":"4915100000002","id":"wamid.r3","timestamp":"1772446603","type":"text","text":{"body":"hi"}}])")).status, 200);
  EXPECT_EQ(PostSigned(Envelope(R"("messages":[{"from":"4915100000002","id":"wamid.r4","timestamp":"1772446604","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"n:privacy:accept","title":"Yes"}}}])")).status, 200);
  const auto new_replies = Replies("4915100000002", 2);
  ASSERT_EQ(new_replies.size(), 2u);
  EXPECT_EQ(new_replies[1], "What is your name?");
}

TEST_F(ServerTest, TheSameWebhookTwiceIsHandledOnce) {
  const std::string body = Fixture("01-text.json");
  EXPECT_EQ(PostSigned(body).status, 200);
  const std::size_t first = Replies("4915112345678", 1).size();
  ASSERT_GT(first, 0u);
  EXPECT_EQ(PostSigned(body).status, 200);  // Meta's retry: acknowledged again
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Replies("4915112345678", first).size(), first);
  EXPECT_EQ(Outboxed("4915112345678"), static_cast<int>(first));
}

TEST_F(ServerTest, BadMissingOrStaleSignaturesAre401AndNothingIsStored) {
  const std::string body = Fixture("01-text.json");
  EXPECT_EQ(HttpPost(port_, "/webhook", body).status, 401);
  EXPECT_EQ(HttpPost(port_, "/webhook", body, {{"X-Hub-Signature-256", "sha256=" + std::string(64, '0')}}).status, 401);
  // A signature of another body (a replay with a changed payload).
  EXPECT_EQ(HttpPost(port_, "/webhook", body,
                     {{"X-Hub-Signature-256", whatsapp::SignBody(kSecret, Fixture("02-text-ctwa-referral.json"))}})
                .status,
            401);
  EXPECT_EQ(HttpPost(port_, "/webhook", body, {{"X-Hub-Signature-256", whatsapp::SignBody("old-secret", body)}}).status,
            401);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(Replies("4915112345678", 0).empty());
  EXPECT_EQ(Outboxed("4915112345678"), 0);
}

TEST_F(ServerTest, MalformedBodiesAre400OversizedAre413) {
  EXPECT_EQ(PostSigned("{not json").status, 400);
  EXPECT_EQ(PostSigned(R"({"object":"page"})").status, 400);
  EXPECT_EQ(PostSigned(std::string(100'000, ' ')).status, 413);
}

TEST_F(ServerTest, EveryFixtureIsAcknowledged) {
  for (const char* name : testing::kWebhookFixtures) {
    EXPECT_EQ(PostSigned(Fixture(name)).status, 200) << name;
  }
  EXPECT_FALSE(Replies("4917612345679", 1).empty()) << "the second contact of the batch fixture";
}

TEST_F(ServerTest, ASlowClientIsCutOffByTheReadTimeout) {
  // Headers that never finish: the server closes the connection after read_timeout_ms.
  const auto start = std::chrono::steady_clock::now();
  const auto result = RawRequest(port_, "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n");
  EXPECT_EQ(result.status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(ServerTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(HttpGet(port_, "/healthz").status, 200);
  EXPECT_EQ(HttpGet(port_, "/readyz").status, 200);
  EXPECT_EQ(PostSigned(Fixture("01-text.json")).status, 200);
  EXPECT_EQ(HttpPost(port_, "/webhook", "{}").status, 401);
  ASSERT_FALSE(Replies("4915112345678", 1).empty());
  const auto metrics = HttpGet(port_, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("consentflow_webhook_requests_total{outcome=\"ok\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("consentflow_webhook_requests_total{outcome=\"bad_signature\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("consentflow_events_total{result=\"handled\"}"), std::string::npos);
  EXPECT_EQ(metrics.body.find("4915112345678"), std::string::npos) << "no phone numbers in metrics";
  EXPECT_EQ(HttpGet(port_, "/nope").status, 404);
  EXPECT_EQ(HttpPost(port_, "/healthz", "").status, 405);
}

TEST_F(ServerTest, AfterStopNothingIsServedAndAcknowledgedWorkIsDone) {
  EXPECT_EQ(PostSigned(Fixture("12-batch-3-messages-2-users.json")).status, 200);
  app_->Stop();
  EXPECT_EQ(HttpGet(port_, "/healthz").status, 0);
  EXPECT_GT(Outboxed("4917612345679"), 0) << "what was acknowledged was processed before the stop";
}

}  // namespace
}  // namespace consentflow::engine::server
