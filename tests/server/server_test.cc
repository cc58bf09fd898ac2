// The server end to end on an ephemeral port: signed webhooks in, the engine's replies in the
// store's outbox. A second connection to the same SQLite file reads what happened.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/server/config.h"
#include "engine/server/serve_app.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "engine/whatsapp/webhook_signature.h"
#include "tests/support/http_client.h"

namespace consentflow::engine::server {
namespace {

namespace fs = std::filesystem;
using testing::HttpGet;
using testing::HttpPost;
using testing::RawRequest;

constexpr const char* kSecret = "test-app-secret";
constexpr const char* kToken = "test-verify-token";

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(CF_SHARED_DIR) + "/whatsapp/fixtures/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cf-server-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string toml = "[server]\nport = 0\nmax_body_bytes = 65536\nread_timeout_ms = 300\n"
                             "[whatsapp]\nphone_number_ids = [\"106540352242922\"]\n"
                             "verify_token_env = \"T\"\napp_secret_env = \"S\"\naccess_token_env = \"A\"\n"
                             "[engine]\nflows = \"" + std::string(CF_SOURCE_DIR) + "/flows\"\n"
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

  testing::HttpResult PostSigned(const std::string& body) {
    return HttpPost(port_, "/webhook", body,
                    {{"X-Hub-Signature-256", whatsapp::SignBody(kSecret, body)}});
  }

  // Replies queued for `contact`, read through a second connection; waits up to 10 s for at
  // least `at_least` of them.
  std::vector<OutboundMessage> Replies(const std::string& contact, std::size_t at_least) {
    Result<std::unique_ptr<Store>> store =
        OpenSqliteStore(SqliteOptions{(dir_ / "cf.db").string(), 5000, true});
    EXPECT_TRUE(store);
    std::vector<OutboundMessage> replies;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      replies.clear();
      Result<std::vector<OutboxEntry>> entries = (*store)->PendingOutbox(1000);
      EXPECT_TRUE(entries);
      for (const OutboxEntry& e : *entries) {
        if (e.message.contact == contact) replies.push_back(e.message);
      }
      if (replies.size() >= at_least) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return replies;
  }

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
  const auto replies = Replies("4915112345678", 1);
  ASSERT_FALSE(replies.empty()) << "the support_desk flow (entry default) greets the contact";
}

TEST_F(ServerTest, TheSameWebhookTwiceIsHandledOnce) {
  const std::string body = Fixture("01-text.json");
  EXPECT_EQ(PostSigned(body).status, 200);
  const std::size_t first = Replies("4915112345678", 1).size();
  ASSERT_GT(first, 0u);
  EXPECT_EQ(PostSigned(body).status, 200);  // Meta's retry: acknowledged again
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Replies("4915112345678", first).size(), first);
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
}

TEST_F(ServerTest, MalformedBodiesAre400OversizedAre413) {
  EXPECT_EQ(PostSigned("{not json").status, 400);
  EXPECT_EQ(PostSigned(R"({"object":"page"})").status, 400);
  EXPECT_EQ(PostSigned(std::string(100'000, ' ')).status, 413);
}

TEST_F(ServerTest, EveryFixtureIsAcknowledged) {
  for (const char* name : {"01-text.json", "02-text-ctwa-referral.json", "03-interactive-button-reply.json",
                           "04-interactive-list-reply.json", "05-template-quick-reply-button.json",
                           "06-image-with-caption.json", "07-location.json", "08-contacts.json",
                           "09-reaction.json", "10-unsupported.json", "11-text-reply-context.json",
                           "12-batch-3-messages-2-users.json", "13-status-sent.json",
                           "14-status-delivered.json", "15-status-read.json",
                           "16-status-failed-131047.json", "17-errors-only.json"}) {
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
  EXPECT_FALSE(Replies("4917612345679", 1).empty());
}

}  // namespace
}  // namespace consentflow::engine::server
