// Which messages the engine reports to be marked read (EngineReport::read): those a flow took,
// once committed; not those no flow takes, and not those a person has the chat for.
#include <gtest/gtest.h>

#include "tests/dsl/contract_example.h"
#include "tests/engine/engine_test_bed.h"

namespace consentflow::engine {
namespace {

class ReadMarksTest : public testing::EngineTestBed {
 protected:
  void SetUp() override { Start({dsl::testing::kContractExample}); }
};

TEST_F(ReadMarksTest, EachMessageAFlowTookIsToBeMarkedReadOnceCommitted) {
  Send("4915100000001", "hello, ski?");
  EXPECT_EQ(last_report_.read, (std::vector<ReadMark>{{"4915100000001", "wamid.1", ""}}));
  InboundMessage to_number = Message("4915100000001", "yes");
  to_number.business_number = "106540352242922";
  ASSERT_TRUE(engine_->Receive(to_number));
  Result<EngineReport> report = engine_->ProcessPending();
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->read, (std::vector<ReadMark>{{"4915100000001", "wamid.2", "106540352242922"}}));
}

TEST_F(ReadMarksTest, AMessageNoFlowTakesIsNotMarkedRead) {
  Send("4915100000001", "what is this?");
  EXPECT_EQ(last_report_.unrouted, 1u);
  EXPECT_TRUE(last_report_.read.empty());
}

TEST_F(ReadMarksTest, AMessageForAPersonIsLeftUnreadForThem) {
  Send("4915100000001", "hello, ski?");
  Send("4915100000001", "agent");  // hands the chat to people
  EXPECT_EQ(last_report_.handoffs.size(), 1u);
  EXPECT_TRUE(last_report_.read.empty());
  Send("4915100000001", "are you there?");
  EXPECT_EQ(last_report_.handled, 1u);
  EXPECT_TRUE(last_report_.read.empty());
}

}  // namespace
}  // namespace consentflow::engine
