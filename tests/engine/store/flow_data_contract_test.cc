// The store contract, continued: an outcome that says what the store held before
// (EventOutcome::stored) gets only its differences written, with the same result as a full
// replacement.

#include <gtest/gtest.h>

#include "tests/engine/store/store_contract.h"

namespace consentflow::engine::store_test {
namespace {

EventOutcome::FlowData DataOf(const Conversation& c) { return {c.fields, c.consents}; }

TEST_P(StoreContractTest, AnOutcomeWithWhatWasStoredWritesTheChangesAddsAndRemovals) {
  Conversation c = NewConversation("A");
  Consent(c, "terms", {"marketing", "support"});
  Consent(c, "survey", {"research"});
  Field(c, "name", "Lena", "marketing");
  Field(c, "email", "lena@example.com", "marketing");
  Field(c, "mood", "fine", "research");
  c = CommitNew(c);

  Conversation next = c;
  const EventOutcome::FlowData before = DataOf(c);
  next.fields["name"].value = "Lena M.";                              // changed
  Field(next, "city", "Turin", "support");                            // added
  next.fields.erase("mood");                                          // removed
  next.consents.erase("survey");                                      // withdrawn
  next.consents["terms"].version = 2;                                 // renewed
  EventOutcome outcome = Outcome(next);
  outcome.stored = before;
  CommitAll({outcome});

  const Conversation loaded = Load("A");
  EXPECT_EQ(loaded.fields, next.fields);
  EXPECT_EQ(loaded.consents, next.consents);
}

TEST_P(StoreContractTest, AnOutcomeWithWhatWasStoredStillRefusesAFieldWithoutConsent) {
  Conversation c = NewConversation("A");
  Consent(c, "terms", {"marketing"});
  Field(c, "name", "Lena", "marketing");
  c = CommitNew(c);

  Conversation next = c;
  Field(next, "income", "high", "profiling");  // no consent covers it
  EventOutcome outcome = Outcome(next);
  outcome.stored = DataOf(c);
  Result<std::vector<Status>> results = store().Commit({outcome});
  ASSERT_TRUE(results) << results.error().ToString();
  ASSERT_EQ(results->size(), 1u);
  EXPECT_FALSE((*results)[0].ok());
  EXPECT_EQ(Load("A").fields, c.fields);
}

// The engine reads nothing more for a contact without a conversation (Store::LoadConversation):
// what would let fields or consents outlive or precede their conversation must keep none.
TEST_P(StoreContractTest, FieldsAndConsentsLiveOnlyWithTheirConversation) {
  // An outcome without a flow stores nothing of the contact, whatever it carries.
  Conversation unrouted = NewConversation("A", "");
  Consent(unrouted, "terms", {"marketing"});
  Field(unrouted, "name", "Lena", "marketing");
  CommitAll({Outcome(unrouted)});
  EXPECT_FALSE(store().LoadConversation("A").value());
  EXPECT_TRUE(store().FlowsHoldingData("A").value().empty());

  // A number change takes the fields and consents along with the conversation.
  Conversation c = NewConversation("B");
  Consent(c, "terms", {"marketing"});
  Field(c, "name", "Lena", "marketing");
  CommitNew(c);
  ASSERT_TRUE(store().Enqueue(TextMessage("wamid.move", "B", 10, "")).value());
  ASSERT_TRUE(store().MoveContact("B", "C", "wamid.move").value());
  EXPECT_FALSE(store().LoadConversation("B").value());
  EXPECT_TRUE(store().FlowsHoldingData("B").value().empty());
  EXPECT_EQ(store().FlowsHoldingData("C").value(), (std::vector<std::string>{"onboarding"}));
}

}  // namespace
}  // namespace consentflow::engine::store_test
