// A contact who changes number keeps their conversation, fields and consents (WhatsApp's
// "user_changed_number" system message, taken through the inbox like any message).
#include <gtest/gtest.h>

#include "tests/dsl/contract_example.h"
#include "tests/engine/engine_test_bed.h"

namespace consentflow::engine {
namespace {

class ContactChangeTest : public testing::EngineTestBed {
 protected:
  void SetUp() override { Start({dsl::testing::kContractExample}); }
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
  // So does the 24-hour window: the replies to the new number are not refused as outside it.
  Result<ServiceWindow> window = store_->ServiceWindowOf("4915100000002");
  ASSERT_TRUE(window) << window.error().message();
  EXPECT_TRUE(window->last_inbound.has_value());
  EXPECT_EQ(store_->ServiceWindowOf("4915100000001").value().last_inbound, std::nullopt);
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
