#pragma once
// What the handoff tests share: a small flow that hands off, and an engine on a SQLite file so
// that more connections can open the same database.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dsl/loader.h"
#include "engine/engine.h"
#include "engine/handoff/credentials.h"
#include "engine/store/sqlite/sqlite_store.h"

namespace consentflow::engine::handoff::testing {

// `start` asks; "A person" hands off to `support`; `again` hands off once more.
inline constexpr const char* kDeskFlow = R"(flow desk "Desk"
entry default

state start
  choose "Hi! What do you need?"
    "A person" -> person
    "Opening hours" -> hours

state hours
  say "We are open 9 to 5."
  -> start

state person
  say "A colleague will be with you shortly."
  handoff support priority high note "Asked for a person"
)";

inline constexpr const char* kMenuQuestion = "Hi! What do you need?";

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cf-handoff-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const dsl::LoadedFlow flow = dsl::LoadFlowSource(dsl::SourceFile{"desk.flow", kDeskFlow});
    ASSERT_TRUE(flow.ok());
    ASSERT_TRUE(registry_.Add(flow.program).ok());
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    EngineOptions options;
    options.on_handoff = [this](const HandoffEvent& e) { events_.push_back(e); };
    engine_ = std::make_unique<Engine>(*store_, registry_, clock_, nullptr, options);
  }

  void TearDown() override {
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string DatabasePath() const { return (dir_ / "cf.db").string(); }

  // Another connection to the same database.
  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store =
        OpenSqliteStore(SqliteOptions{DatabasePath(), 10'000, false});
    EXPECT_TRUE(store) << store.error().message();
    return store ? std::move(*store) : nullptr;
  }

  void Send(const std::string& contact, const std::string& text) {
    InboundMessage m;
    m.id = "wamid." + std::to_string(++sent_);
    m.contact = contact;
    m.time = clock_.Now();
    m.text = text;
    ASSERT_TRUE(engine_->Receive(m));
    Result<EngineReport> report = engine_->ProcessPending();
    ASSERT_TRUE(report) << report.error().message();
  }

  // Sends the two messages that hand `contact` off; returns the ticket's id.
  uint64_t HandOff(const std::string& contact) {
    Send(contact, "hello");
    Send(contact, "A person");
    Result<std::vector<Ticket>> open = store_->OpenTickets("support");
    EXPECT_TRUE(open);
    for (const Ticket& t : *open) {
      if (t.contact == contact) return t.id;
    }
    ADD_FAILURE() << "no ticket for " << contact;
    return 0;
  }

  // An agent whose password is NAME-secret (hashed at the cheapest cost, for speed).
  void AddAgent(const std::string& name, handoff::Role role,
                std::set<std::string, std::less<>> queues) {
    Result<std::string> hash =
        handoff::HashPassword(name + "-secret", handoff::PasswordCost::Minimum());
    ASSERT_TRUE(hash);
    ASSERT_TRUE(store_->AddAgent({{name, role, std::move(queues)}, *hash, clock_.Now()}).ok());
  }

  // The bodies of the messages queued for `contact`, oldest first.
  std::vector<std::string> Outbox(const std::string& contact) {
    std::vector<std::string> bodies;
    Result<std::vector<OutboxEntry>> entries = store_->PendingOutbox(10'000);
    EXPECT_TRUE(entries);
    for (const OutboxEntry& e : *entries) {
      if (e.message.contact == contact) bodies.push_back(e.message.body);
    }
    return bodies;
  }

  std::filesystem::path dir_;
  FlowRegistry registry_;
  ManualClock clock_{FromUnixSeconds(1'767'225'600)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
  std::vector<HandoffEvent> events_;  // from the engine's on_handoff
  int sent_ = 0;
};

}  // namespace consentflow::engine::handoff::testing
