// A contact who changes number keeps their conversation, fields and consents (WhatsApp's
// "user_changed_number" system message, taken through the inbox like any message).
#include <gtest/gtest.h>

#include "dsl/loader.h"
#include "engine/engine.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "tests/dsl/contract_example.h"

namespace consentflow::engine {
namespace {

class ContactChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const dsl::LoadedFlow flow =
        dsl::LoadFlowSource(dsl::SourceFile{"t.flow", std::string(dsl::testing::kContractExample)});
    ASSERT_TRUE(flow.ok());
    ASSERT_TRUE(registry_.Add(flow.program).ok());
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(SqliteOptions{":memory:", 5000, false});
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    engine_ = std::make_unique<Engine>(*store_, registry_, clock_, nullptr);
  }

  void Send(const std::string& contact, const std::string& text,
            MessageKind kind = MessageKind::kText) {
    InboundMessage m;
    m.id = "wamid." + std::to_string(++sent_);
    m.contact = contact;
    m.time = clock_.Now();
    m.kind = kind;
    m.text = text;
    ASSERT_TRUE(engine_->Receive(m));
    Result<EngineReport> report = engine_->ProcessPending();
    ASSERT_TRUE(report) << report.error().message();
  }

  FlowRegistry registry_;
  ManualClock clock_{FromUnixSeconds(1'767'225'600)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
  int sent_ = 0;
};

TEST_F(ContactChangeTest, TheConversationFieldsAndConsentsFollowTheNewNumber) {
  Send("4915100000001", "hello, ski?");
  Send("4915100000001", "yes");
  Send("4915100000001", "Lena");
  Send("4915100000001", "4915100000002", MessageKind::kContactChange);
  Result<std::optional<Conversation>> old = store_->LoadConversation("4915100000001");
  ASSERT_TRUE(old) << old.error().message();
  EXPECT_FALSE(old->has_value());
  Result<std::optional<Conversation>> moved = store_->LoadConversation("4915100000002");
  ASSERT_TRUE(moved);
  ASSERT_TRUE(moved->has_value());
  EXPECT_EQ((*moved)->fields.at("name").value, "Lena");
  EXPECT_EQ((*moved)->consents.size(), 1u);
  // The conversation goes on where it was: the next answer is the email.
  Send("4915100000002", "lena@example.com");
  Result<std::optional<Conversation>> after = store_->LoadConversation("4915100000002");
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->fields.at("email").value, "lena@example.com");
}

TEST_F(ContactChangeTest, ANumberThatAlreadyHasAConversationIsNotOverwritten) {
  Send("4915100000001", "hello, ski?");
  Send("4915100000002", "hello, ski?");
  Send("4915100000001", "4915100000002", MessageKind::kContactChange);
  Result<std::optional<Conversation>> old = store_->LoadConversation("4915100000001");
  ASSERT_TRUE(old) << old.error().message();
  EXPECT_TRUE(old->has_value()) << "nothing moved";
}

}  // namespace
}  // namespace consentflow::engine
