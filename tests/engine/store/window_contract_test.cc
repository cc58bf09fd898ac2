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

}  // namespace
}  // namespace consentflow::engine::store_test
