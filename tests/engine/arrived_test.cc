// Messages a server hands to the engine in the round they arrive (Engine::ProcessArrived):
// processed as if they had come through the inbox, oldest first, each written once, and never
// processed twice.
#include <gtest/gtest.h>

#include "tests/dsl/contract_example.h"
#include "tests/engine/engine_test_bed.h"

namespace consentflow::engine {
namespace {

using std::chrono::seconds;

class ArrivedTest : public testing::EngineTestBed {
 protected:
  void SetUp() override { Start({dsl::testing::kContractExample}); }

  Conversation Stored(const std::string& contact) {
    Result<std::optional<Conversation>> loaded = store_->LoadConversation(contact);
    EXPECT_TRUE(loaded && loaded->has_value());
    return loaded && loaded->has_value() ? **loaded : Conversation{};
  }
};

TEST_F(ArrivedTest, AContactsMessagesAreProcessedOldestFirstWhateverTheOrderTheyCameIn) {
  const InboundMessage greeting = Message("4915100000001", "hello, ski?");
  clock_.Advance(seconds(1));
  const InboundMessage yes = Message("4915100000001", "yes");
  clock_.Advance(seconds(1));
  const InboundMessage name = Message("4915100000001", "Lena");
  std::vector<InboundMessage> left;
  Result<EngineReport> report = engine_->ProcessArrived({name, yes, greeting}, left);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_TRUE(left.empty());
  EXPECT_EQ(report->handled, 3u);
  ASSERT_EQ(report->read.size(), 3u);
  EXPECT_EQ(report->read[0].message_id, greeting.id);
  EXPECT_EQ(report->read[2].message_id, name.id);
  const Conversation c = Stored("4915100000001");
  EXPECT_EQ(c.fields.at("name").value, "Lena");
  EXPECT_EQ(c.consents.size(), 1u);
  EXPECT_EQ(c.revision, 3u);
  // Nothing waits in the inbox, and each message is known there: a redelivery is recognised.
  EXPECT_FALSE(store_->HasPending().value());
  EXPECT_FALSE(engine_->Receive(greeting).value());
  EXPECT_FALSE(engine_->Receive(name).value());
}

TEST_F(ArrivedTest, AMessageSeenBeforeIsHandedBackAndNotProcessedAgain) {
  Send("4915100000001", "hello, ski?");  // through the inbox: wamid.1
  const std::size_t outbox = store_->PendingOutbox(100).value().size();
  InboundMessage again = Message("4915100000001", "hello, ski?");
  again.id = "wamid.1";
  std::vector<InboundMessage> left;
  Result<EngineReport> report = engine_->ProcessArrived({again}, left);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->handled, 0u);
  EXPECT_TRUE(report->read.empty()) << "marked read when it was processed";
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, "wamid.1");
  EXPECT_EQ(Stored("4915100000001").revision, 1u);
  EXPECT_EQ(store_->PendingOutbox(100).value().size(), outbox) << "no second reply";
}

TEST_F(ArrivedTest, ANumberChangeAndTheMessagesWithItAreHandedBackForTheInbox) {
  std::vector<InboundMessage> left;
  Result<EngineReport> report = engine_->ProcessArrived(
      {Message("4915100000001", "hello, ski?"),
       Message("4915100000001", "4915100000002", MessageKind::kContactChange)},
      left);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->handled, 0u);
  EXPECT_EQ(left.size(), 2u);
  EXPECT_FALSE(store_->LoadConversation("4915100000001").value().has_value());
}

}  // namespace
}  // namespace consentflow::engine
