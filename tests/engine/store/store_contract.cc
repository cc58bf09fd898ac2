#include "tests/engine/store/store_contract.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <system_error>
#include <utility>

namespace consentflow::engine::store_test {

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::path(::testing::TempDir()) / "store_test_XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << pattern;
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Timestamp At(int64_t seconds) { return FromUnixSeconds(1'767'225'600 + seconds); }

InboundMessage TextMessage(std::string id, std::string contact, int64_t second, std::string text) {
  InboundMessage message;
  message.id = std::move(id);
  message.contact = std::move(contact);
  message.time = At(second);
  message.text = std::move(text);
  return message;
}

Conversation NewConversation(std::string contact, std::string flow_id) {
  Conversation conversation;
  conversation.contact = std::move(contact);
  conversation.flow_id = std::move(flow_id);
  conversation.flow_version = 3;
  conversation.phase = Phase::kWaiting;
  conversation.state = 2;
  conversation.step = 1;
  return conversation;
}

void Consent(Conversation& conversation, std::string notice, std::vector<std::string> purposes) {
  conversation.consents[std::move(notice)] = ActiveConsent{1, std::move(purposes), At(5)};
}

void Field(Conversation& conversation, std::string name, std::string value, std::string purpose,
           int64_t expires_second) {
  conversation.fields[std::move(name)] =
      FieldValue{std::move(value), std::move(purpose), At(6), At(expires_second)};
}

ConsentDecision GrantDecision(const std::string& contact, std::string notice, int64_t second) {
  ConsentDecision decision;
  decision.contact = contact;
  decision.flow_id = "onboarding";
  decision.notice_id = std::move(notice);
  decision.notice_version = 2;
  decision.notice_text = "May we send you offers? Reply YES or NO.";
  decision.purposes = {"offers", "service"};
  decision.decision = Decision::kGranted;
  decision.time = At(second);
  decision.evidence = "wamid.answer-" + std::to_string(second);
  return decision;
}

EventOutcome Outcome(Conversation conversation, std::string message_id) {
  EventOutcome outcome;
  outcome.conversation = std::move(conversation);
  outcome.message_id = std::move(message_id);
  return outcome;
}

void StoreContractTest::SetUp() {
  scratch_ = std::make_unique<ScratchDir>();
  Result<std::unique_ptr<Store>> opened = GetParam().open(scratch_->path());
  ASSERT_TRUE(opened) << opened.error().ToString();
  store_ = std::move(*opened);
}

void StoreContractTest::TearDown() {
  store_.reset();
  scratch_.reset();
}

void StoreContractTest::CommitAll(const std::vector<EventOutcome>& outcomes) {
  Result<std::vector<Status>> results = store().Commit(outcomes);
  ASSERT_TRUE(results) << results.error().ToString();
  ASSERT_EQ(results->size(), outcomes.size());
  for (const Status& status : *results) ASSERT_TRUE(status.ok()) << status.ToString();
}

Conversation StoreContractTest::CommitNew(Conversation conversation) {
  conversation.revision = 0;
  CommitAll({Outcome(conversation)});
  conversation.revision = 1;
  return conversation;
}

Conversation StoreContractTest::Load(const std::string& contact) {
  Result<std::optional<Conversation>> loaded = store().LoadConversation(contact);
  EXPECT_TRUE(loaded) << loaded.error().ToString();
  if (!loaded || !loaded->has_value()) {
    ADD_FAILURE() << "no conversation stored for the contact";
    return Conversation();
  }
  return **loaded;
}

}  // namespace consentflow::engine::store_test
