// A withdrawal word (STOP, ...) withdraws consent in every flow of the contact, not only in
// the one they are talking to: each consent gets its ledger entry, each flow's fields go, and the
// confirmation names every purpose that ended.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/ledger.h"
#include "tests/engine/engine_test_bed.h"

namespace consentflow::engine {
namespace {

constexpr std::string_view kClub = R"flow(flow club "Members' club"
version 1
entry keyword "club"
purpose members "send you the club's members-only offers"
notice club_terms v1
  text "Join the club? We will {purposes}."
  grants members
  accept "Join"
  decline "No"
field nickname text max 20 for members keep 30 days
state start
  consent club_terms
    accepted -> join
    declined -> bye
state join
  ask nickname "Your nickname?"
  say "Welcome, {nickname}!"
  end
state bye
  say "Maybe later."
  end
)flow";

constexpr std::string_view kQuiz = R"flow(flow quiz "Weekly quiz"
version 1
entry keyword "quiz"
purpose scores "keep your quiz score for the weekly ranking"
notice quiz_terms v1
  text "Play? We will {purposes}."
  grants scores
  accept "Play"
  decline "No"
field answer text max 20 for scores keep 7 days
state start
  consent quiz_terms
    accepted -> play
    declined -> bye
state play
  ask answer "What is the capital of Italy?"
  say "Noted!"
  end
state bye
  say "Another time."
  end
)flow";

class WithdrawalTest : public testing::EngineTestBed {
 protected:
  void SetUp() override { Start({kClub, kQuiz}); }

  void Send(const std::string& text) {
    EngineTestBed::Send(kContact, text);
    ASSERT_EQ(last_report_.failed, 0u);
  }

  Conversation FlowData(const std::string& flow_id) {
    Conversation c;
    c.contact = kContact;
    EXPECT_TRUE(store_->LoadFlowData(flow_id, c).ok());
    return c;
  }

  std::string LastReply() {
    std::vector<OutboxEntry> pending = store_->PendingOutbox(1000).value();
    return pending.empty() ? "" : pending.back().message.body;
  }

  static constexpr const char* kContact = "4915100000009";
};

TEST_F(WithdrawalTest, StopInOneFlowWithdrawsTheConsentsAndErasesTheFieldsOfEveryFlow) {
  Send("club");
  Send("Join");
  Send("Lena");
  Send("quiz");
  Send("Play");
  Send("Rome");
  ASSERT_EQ(FlowData("club").fields.count("nickname"), 1u);
  ASSERT_EQ(FlowData("quiz").fields.count("answer"), 1u);

  Send("STOP");

  for (const char* flow : {"club", "quiz"}) {
    EXPECT_TRUE(FlowData(flow).fields.empty()) << flow;
    EXPECT_TRUE(FlowData(flow).consents.empty()) << flow;
  }
  std::vector<LedgerEntry> ledger = store_->ReadLedger(1, 100).value();
  LedgerVerifier verifier;
  std::vector<std::string> withdrawn;
  for (const LedgerEntry& e : ledger) {
    EXPECT_TRUE(verifier.Add(e)) << verifier.problem();
    if (e.decision == Decision::kWithdrawn) withdrawn.push_back(e.flow_id + "/" + e.notice_id);
  }
  std::sort(withdrawn.begin(), withdrawn.end());
  EXPECT_EQ(withdrawn, (std::vector<std::string>{"club/club_terms", "quiz/quiz_terms"}));
  const std::string confirmation = LastReply();
  EXPECT_NE(confirmation.find("members-only offers"), std::string::npos) << confirmation;
  EXPECT_NE(confirmation.find("weekly ranking"), std::string::npos) << confirmation;
}

TEST_F(WithdrawalTest, StopWithNoConsentHereStillEndsTheConsentElsewhereAndSaysSo) {
  Send("club");
  Send("Join");
  Send("Lena");
  Send("quiz");
  Send("No");  // no consent in the quiz
  Send("quiz");
  Send("STOP");  // while the quiz asks again, with no consent there

  EXPECT_TRUE(FlowData("club").fields.empty());
  EXPECT_TRUE(FlowData("club").consents.empty());
  const std::string confirmation = LastReply();
  EXPECT_NE(confirmation.find("members-only offers"), std::string::npos) << confirmation;
  EXPECT_EQ(confirmation.find("no consent"), std::string::npos) << confirmation;
}

TEST_F(WithdrawalTest, TwoStopsInOneBatchWithdrawOnce) {
  Send("club");
  Send("Join");
  Send("Lena");
  Send("quiz");
  ASSERT_TRUE(engine_->Receive(Message(kContact, "STOP")));
  ASSERT_TRUE(engine_->Receive(Message(kContact, "STOP")));
  ASSERT_TRUE(engine_->ProcessPending());
  int withdrawals = 0;
  const std::vector<LedgerEntry> ledger = store_->ReadLedger(1, 100).value();
  for (const LedgerEntry& e : ledger) {
    withdrawals += e.decision == Decision::kWithdrawn;
  }
  EXPECT_EQ(withdrawals, 1);
}

}  // namespace
}  // namespace consentflow::engine
