// The agent API through the real server (`consentflow serve` on an ephemeral port): signed
// webhooks hand a customer off through the support_desk flow, agents log in over HTTP, race to
// claim, read the transcript, reply, and hand the chat back to the bot.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <latch>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/handoff/credentials.h"
#include "engine/server/config.h"
#include "engine/server/serve_app.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "engine/whatsapp/webhook_signature.h"
#include "tests/support/http_client.h"

namespace consentflow::engine::server {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kSecret = "test-app-secret";
constexpr const char* kContact = "4915112345678";

struct Reply {
  int status = 0;
  json body;
};

// A webhook POST with one text message from `contact`, sent at `unix_seconds`.
std::string TextPayload(const std::string& contact, const std::string& id, int64_t unix_seconds,
                        const std::string& text) {
  json message{{"from", contact},
               {"id", id},
               {"timestamp", std::to_string(unix_seconds)},
               {"type", "text"},
               {"text", {{"body", text}}}};
  json value{{"messaging_product", "whatsapp"},
             {"metadata",
              {{"display_phone_number", "493012345670"}, {"phone_number_id", "106540352242922"}}},
             {"contacts", json::array({{{"profile", {{"name", "Lena"}}}, {"wa_id", contact}}})},
             {"messages", json::array({message})}};
  return json{
      {"object", "whatsapp_business_account"},
      {"entry",
       json::array({{{"id", "104712345678901"},
                     {"changes", json::array({{{"value", value}, {"field", "messages"}}})}}})}}
      .dump();
}

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cf-api-server-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    {
      // Agents exist before the server starts (what `consentflow agent add` does).
      Result<std::unique_ptr<Store>> store =
          OpenSqliteStore(SqliteOptions{Database(), 5000, false});
      ASSERT_TRUE(store) << store.error().message();
      for (const char* name : {"ann", "cat", "sue"}) {
        const auto role =
            std::string(name) == "sue" ? handoff::Role::kSupervisor : handoff::Role::kAgent;
        Result<std::string> hash =
            handoff::HashPassword(std::string(name) + "-secret", handoff::PasswordCost::Minimum());
        ASSERT_TRUE(hash);
        ASSERT_TRUE((*store)->AddAgent({{name, role, {}}, *hash, FromUnixSeconds(0)}).ok());
      }
    }
    const std::string toml =
        "[server]\nport = 0\n"
        "[whatsapp]\nphone_number_ids = [\"106540352242922\"]\n"
        // A port nobody listens on: replies stay in the outbox for the test to read.
        "graph_base_url = \"http://127.0.0.1:1\"\n"
        "verify_token_env = \"T\"\napp_secret_env = \"S\"\naccess_token_env = \"A\"\n"
        "[engine]\nflows = \"" +
        std::string(CF_SOURCE_DIR) +
        "/flows\"\n"
        "database = \"" +
        Database() +
        "\"\n"
        "[handoff]\ntranscript_retention_days = 30\nsession_hours = 8\n"
        "[[queues]]\nname = \"support\"\ntitle = \"Customer support\"\n"
        "members = [\"ann\", \"cat\"]\n";
    Result<ServerConfig> config =
        ParseServerConfig(toml, (dir_ / "server.toml").string(),
                          [](const std::string& name) -> std::optional<std::string> {
                            if (name == "S") return kSecret;
                            return "x";
                          });
    ASSERT_TRUE(config) << config.error().message();
    Result<std::unique_ptr<ServeApp>> app = ServeApp::Start(*config);
    ASSERT_TRUE(app) << app.error().message();
    app_ = std::move(*app);
    port_ = app_->port();
    app_->handoff_events().Subscribe([this](const handoff::HandoffEvent& e) {
      std::lock_guard lock(events_mu_);
      events_.push_back(e);
    });
  }

  void TearDown() override {
    app_.reset();
    fs::remove_all(dir_);
  }

  std::string Database() const { return (dir_ / "cf.db").string(); }

  void Customer(const std::string& text, int64_t unix_seconds) {
    const std::string body =
        TextPayload(kContact, "wamid.t" + std::to_string(++sent_), unix_seconds, text);
    const auto response = testing::HttpPost(
        port_, "/webhook", body, {{"X-Hub-Signature-256", whatsapp::SignBody(kSecret, body)}});
    ASSERT_EQ(response.status, 200) << response.error;
  }

  Reply Call(const std::string& method, const std::string& target, const std::string& token,
             const std::string& body = "") {
    std::string request =
        method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body;
    const testing::HttpResult result = testing::RawRequest(port_, request);
    return {result.status, json::parse(result.body, nullptr, false)};
  }

  std::string Login(const std::string& name) {
    const Reply r =
        Call("POST", "/api/login", "", json{{"name", name}, {"password", name + "-secret"}}.dump());
    EXPECT_EQ(r.status, 200);
    return r.status == 200 ? r.body["token"].get<std::string>() : "";
  }

  // Polls `read` until `done` holds for what it returns, for at most 20 s.
  template <typename Read, typename Done>
  auto WaitFor(Read read, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto value = read();
    while (!done(value) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      value = read();
    }
    return value;
  }

  std::vector<std::string> Outbox() {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(SqliteOptions{Database(), 5000, false});
    EXPECT_TRUE(store);
    std::vector<std::string> bodies;
    Result<std::vector<OutboxEntry>> entries = (*store)->PendingOutbox(1000);
    EXPECT_TRUE(entries);
    for (const OutboxEntry& e : *entries) {
      if (e.message.contact == kContact) bodies.push_back(e.message.body);
    }
    return bodies;
  }

  fs::path dir_;
  std::unique_ptr<ServeApp> app_;
  uint16_t port_ = 0;
  int sent_ = 0;
  std::mutex events_mu_;
  std::vector<handoff::HandoffEvent> events_;
};

TEST_F(ApiServerTest, FromHandoffToHandBackOverHttp) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  Customer("Hello", now - 60);
  Customer("Talk to a person", now - 50);
  const std::string ann = Login("ann"), cat = Login("cat");
  const Reply listed =
      WaitFor([&] { return Call("GET", "/api/tickets?queue=support", ann); },
              [](const Reply& r) { return r.status == 200 && r.body["tickets"].size() == 1; });
  ASSERT_EQ(listed.body["tickets"].size(), 1u) << listed.body.dump();
  const uint64_t id = listed.body["tickets"][0]["id"];
  const std::string ticket = "/api/tickets/" + std::to_string(id);

  // Parked: the customer's message reaches the transcript, and the bot says nothing.
  const std::size_t bot_replies = Outbox().size();
  Customer("My order 482913 never arrived", now - 40);
  const Reply opened =
      WaitFor([&] { return Call("GET", ticket, ann); },
              [](const Reply& r) { return r.status == 200 && r.body["transcript"].size() == 1; });
  ASSERT_EQ(opened.body["transcript"].size(), 1u) << opened.body.dump();
  EXPECT_EQ(opened.body["transcript"][0]["text"], "My order 482913 never arrived");
  EXPECT_EQ(Outbox().size(), bot_replies);

  // Two agents click at once, several times each: exactly one gets the chat.
  std::vector<int> statuses(8);
  std::latch start(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      statuses[i] = Call("POST", ticket + "/claim", i % 2 == 0 ? ann : cat).status;
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), 7);
  const Reply claimed = Call("GET", ticket, ann);
  const std::string holder = claimed.body["ticket"]["agent"];
  const std::string token = holder == "ann" ? ann : cat;

  const Reply reply =
      Call("POST", ticket + "/reply", token, R"({"text":"Sorry! Let me look into it."})");
  ASSERT_EQ(reply.status, 202) << reply.body.dump();
  EXPECT_EQ(Outbox().back(), "Sorry! Let me look into it.");

  // The hand-back's choices: the states of the conversation's flow, from the engine's thread.
  const Reply states = Call("GET", ticket + "/states", token);
  ASSERT_EQ(states.status, 200) << states.body.dump();
  EXPECT_EQ(states.body["flow"], "support_desk");
  const std::vector<std::string> names = states.body["states"];
  EXPECT_NE(std::find(names.begin(), names.end(), "anything_else"), names.end());
  EXPECT_EQ(states.body["start"], names.front());

  const Reply back = Call("POST", ticket + "/handback", token, R"({"state":"anything_else"})");
  ASSERT_EQ(back.status, 200) << back.body.dump();
  EXPECT_EQ(back.body["ticket"]["outcome"], "handed_back");
  EXPECT_EQ(Outbox().back(), "Can I help with anything else?")
      << "the bot resumes where the agent chose";

  std::lock_guard lock(events_mu_);
  // Every event carries the ticket's id, those from the engine's commits included.
  auto has = [&](handoff::HandoffEvent::Kind kind, const std::string& state) {
    return std::any_of(events_.begin(), events_.end(), [&](const handoff::HandoffEvent& e) {
      return e.kind == kind && e.state == state && e.contact == kContact && e.ticket_id == id;
    });
  };
  EXPECT_TRUE(has(handoff::HandoffEvent::Kind::kTicketChanged, "waiting"))
      << "opened by the engine";
  EXPECT_TRUE(has(handoff::HandoffEvent::Kind::kMessage, "")) << "the customer's message";
  EXPECT_TRUE(has(handoff::HandoffEvent::Kind::kTicketChanged, "claimed"));
  EXPECT_TRUE(has(handoff::HandoffEvent::Kind::kMessage, "pending")) << "the agent's reply";
  EXPECT_TRUE(has(handoff::HandoffEvent::Kind::kTicketChanged, "closed"));
}

TEST_F(ApiServerTest, TheApiAnswersJsonErrorsAndNothingElse) {
  const Reply anonymous = Call("GET", "/api/queues", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.body, (json{{"error", "log in first (Authorization: Bearer TOKEN)"}}));
  EXPECT_EQ(Call("GET", "/api/nothing", "").status, 404);
  EXPECT_EQ(Call("GET", "/api/login", "").status, 405);
  const Reply wrong = Call("POST", "/api/login", "", R"({"name":"ann","password":"nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body, (json{{"error", "wrong name or password"}}));
  const std::string sue = Login("sue");
  const Reply queues = Call("GET", "/api/queues", sue);
  ASSERT_EQ(queues.status, 200);
  EXPECT_EQ(queues.body["queues"][0]["title"], "Customer support");
  EXPECT_EQ(Call("GET", "/api/tickets/999", sue).status, 404);
}

}  // namespace
}  // namespace consentflow::engine::server
