// The store contract, continued: the 24-hour window names the business number the contact
// last wrote to, so replies go out from it.

#include <gtest/gtest.h>

#include "tests/engine/store/store_contract.h"

namespace consentflow::engine::store_test {
namespace {

TEST_P(StoreContractTest, TheWindowNamesTheBusinessNumberOfTheLatestMessage) {
  EXPECT_EQ(store().ServiceWindowOf("A").value().business_number, "");
  InboundMessage first = TextMessage("m1", "A", 10);
  first.business_number = "111";
  InboundMessage second = TextMessage("m2", "A", 20);
  second.business_number = "222";
  InboundMessage late = TextMessage("m0", "A", 5);  // stamped earlier, delivered last
  late.business_number = "333";
  ASSERT_TRUE(store().Enqueue(first).value());
  ASSERT_TRUE(store().Enqueue(second).value());
  ASSERT_TRUE(store().Enqueue(late).value());
  const ServiceWindow window = store().ServiceWindowOf("A").value();
  EXPECT_EQ(window.business_number, "222");
  ASSERT_TRUE(window.last_inbound.has_value());
  EXPECT_EQ(*window.last_inbound, At(20));
  // Processing erases the message, not the number it went to.
  CommitAll({Outcome(NewConversation("A"), "m2")});
  EXPECT_EQ(store().ServiceWindowOf("A").value().business_number, "222");
}

// The conversation keeps the window of the messages it consumed: the latest by the time WhatsApp
// stamped wins, whatever the order they were processed in, and one processed later but stamped
// earlier changes nothing.
TEST_P(StoreContractTest, TheWindowIsTheLatestMessageTheConversationConsumed) {
  InboundMessage second = TextMessage("m2", "A", 20);
  second.business_number = "222";
  InboundMessage first = TextMessage("m1", "A", 10);
  first.business_number = "111";
  ASSERT_TRUE(store().Enqueue(second).value());
  ASSERT_TRUE(store().Enqueue(first).value());
  Conversation conversation = NewConversation("A");
  CommitAll({Outcome(conversation, "m2")});
  conversation = store().LoadConversation("A").value().value();
  CommitAll({Outcome(conversation, "m1")});
  ServiceWindow window = store().ServiceWindowOf("A").value();
  EXPECT_EQ(window.last_inbound, At(20));
  EXPECT_EQ(window.business_number, "222");
  // An outcome without a message (a timer, an agent) leaves the window where it was.
  conversation = store().LoadConversation("A").value().value();
  CommitAll({Outcome(conversation)});
  EXPECT_EQ(store().ServiceWindowOf("A").value().last_inbound, At(20));
  // A later message moves it, and so does its number.
  InboundMessage third = TextMessage("m3", "A", 30);
  third.business_number = "333";
  ASSERT_TRUE(store().Enqueue(third).value());
  conversation = store().LoadConversation("A").value().value();
  CommitAll({Outcome(conversation, "m3")});
  window = store().ServiceWindowOf("A").value();
  EXPECT_EQ(window.last_inbound, At(30));
  EXPECT_EQ(window.business_number, "333");
}

}  // namespace
}  // namespace consentflow::engine::store_test
