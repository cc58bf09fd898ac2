#include "engine/whatsapp/webhook_payload.h"

#include <gtest/gtest.h>

#include "tests/whatsapp/fixtures.h"

#include <fstream>
#include <sstream>

namespace consentflow::engine::whatsapp {
namespace {

std::string Fixture(const std::string& name) { return testing::WebhookFixture(name); }

WebhookBatch Parsed(const std::string& fixture) {
  Result<WebhookBatch> batch = ParseWebhook(Fixture(fixture));
  EXPECT_TRUE(batch) << fixture << ": " << (batch ? "" : batch.error().message());
  return batch ? std::move(*batch) : WebhookBatch{};
}

InboundMessage OnlyMessage(const std::string& fixture) {
  WebhookBatch batch = Parsed(fixture);
  EXPECT_EQ(batch.messages.size(), 1u) << fixture;
  return batch.messages.empty() ? InboundMessage{} : batch.messages[0];
}

TEST(WebhookPayload, TextKeepsIdSenderTimeBusinessNumberAndTheUtf8Body) {
  const InboundMessage m = OnlyMessage("01-text.json");
  EXPECT_EQ(m.kind, MessageKind::kText);
  EXPECT_EQ(m.contact, "4915112345678");
  EXPECT_EQ(m.business_number, "106540352242922");
  EXPECT_EQ(m.text, "Hallo! Habt ihr heute noch geöffnet? 🙂");
  EXPECT_TRUE(m.id.starts_with("wamid."));
  EXPECT_GT(m.time.time_since_epoch().count(), 0);
  EXPECT_EQ(m.time.time_since_epoch().count() % 1000, 0) << "Meta's seconds, as milliseconds";
  EXPECT_FALSE(m.referral);
}

TEST(WebhookPayload, AdReferralOnTheFirstMessage) {
  const InboundMessage m = OnlyMessage("02-text-ctwa-referral.json");
  ASSERT_TRUE(m.referral);
  EXPECT_EQ(m.referral->source_id, "120229876543210987");
  EXPECT_EQ(m.referral->source_type, "ad");
}

TEST(WebhookPayload, ButtonAndListTapsCarryOurIdAndTheTitleAndTheReplyContext) {
  const InboundMessage button = OnlyMessage("03-interactive-button-reply.json");
  EXPECT_EQ(button.kind, MessageKind::kButtonReply);
  EXPECT_EQ(button.reply_id, "book:slot:2026-03-03T09:00");
  EXPECT_EQ(button.text, "Tue 09:00");
  EXPECT_TRUE(button.context_id.starts_with("wamid."));
  const InboundMessage list = OnlyMessage("04-interactive-list-reply.json");
  EXPECT_EQ(list.kind, MessageKind::kListReply);
  EXPECT_FALSE(list.reply_id.empty());
  EXPECT_FALSE(list.text.empty());
}

TEST(WebhookPayload, TemplateQuickReplyIsATapWithItsPayload) {
  const InboundMessage m = OnlyMessage("05-template-quick-reply-button.json");
  EXPECT_EQ(m.kind, MessageKind::kButtonReply);
  EXPECT_FALSE(m.reply_id.empty());
  EXPECT_FALSE(m.text.empty());
}

TEST(WebhookPayload, MediaKeepsOnlyTheCaption) {
  const InboundMessage m = OnlyMessage("06-image-with-caption.json");
  EXPECT_EQ(m.kind, MessageKind::kMedia);
  EXPECT_FALSE(m.text.empty());
  EXPECT_EQ(m.reply_id, "");
}

TEST(WebhookPayload, LocationHasItsCoordinates) {
  const InboundMessage m = OnlyMessage("07-location.json");
  EXPECT_EQ(m.kind, MessageKind::kLocation);
  ASSERT_TRUE(m.location);
  EXPECT_NE(m.location->latitude, 0);
  EXPECT_NE(m.location->longitude, 0);
}

TEST(WebhookPayload, SharedContactsAreUnsupportedAndTheirDataIsNotKept) {
  const InboundMessage m = OnlyMessage("08-contacts.json");
  EXPECT_EQ(m.kind, MessageKind::kUnsupported);
  EXPECT_EQ(m.text, "");
}

TEST(WebhookPayload, ReactionsAndUnsupportedKinds) {
  EXPECT_EQ(OnlyMessage("09-reaction.json").kind, MessageKind::kReaction);
  EXPECT_EQ(OnlyMessage("10-unsupported.json").kind, MessageKind::kUnsupported);
}

TEST(WebhookPayload, ABatchKeepsPayloadOrderAcrossChangesAndContacts) {
  const WebhookBatch batch = Parsed("12-batch-3-messages-2-users.json");
  ASSERT_EQ(batch.messages.size(), 3u);
  EXPECT_EQ(batch.messages[0].text, "Noch eine Frage:");
  EXPECT_EQ(batch.messages[1].text, "Kann ich auch bar zahlen?");
  EXPECT_EQ(batch.messages[2].contact, "4917612345679");
}

TEST(WebhookPayload, StatusesInEveryState) {
  const struct {
    const char* fixture;
    DeliveryState state;
  } cases[] = {{"13-status-sent.json", DeliveryState::kSent},
               {"14-status-delivered.json", DeliveryState::kDelivered},
               {"15-status-read.json", DeliveryState::kRead}};
  for (const auto& c : cases) {
    const WebhookBatch batch = Parsed(c.fixture);
    ASSERT_EQ(batch.statuses.size(), 1u) << c.fixture;
    EXPECT_EQ(batch.statuses[0].state, c.state) << c.fixture;
    EXPECT_EQ(batch.statuses[0].recipient, "4915112345678");
    EXPECT_EQ(batch.statuses[0].error_code, 0);
    EXPECT_TRUE(batch.messages.empty());
  }
  const WebhookBatch failed = Parsed("16-status-failed-131047.json");
  ASSERT_EQ(failed.statuses.size(), 1u);
  EXPECT_EQ(failed.statuses[0].state, DeliveryState::kFailed);
  EXPECT_EQ(failed.statuses[0].error_code, 131047);
}

TEST(WebhookPayload, PlatformErrorsAreReported) {
  const WebhookBatch batch = Parsed("17-errors-only.json");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].code, 130429);
  EXPECT_TRUE(batch.messages.empty());
}

std::string Envelope(const std::string& value) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":)" +
         value + "}]}]}";
}

TEST(WebhookPayload, AUsernameContactWithOnlyABusinessScopedIdStillWorks) {
  const Result<WebhookBatch> batch = ParseWebhook(Envelope(
      R"({"metadata":{"phone_number_id":"77"},"contacts":[{"user_id":"US.1349","profile":{"username":"lena"}}],
          "messages":[{"from_user_id":"US.1349","id":"wamid.u1","timestamp":"1772446560","type":"text","text":{"body":"hi"}}]})"));
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->messages.size(), 1u);
  EXPECT_EQ(batch->messages[0].contact, "US.1349");
}

TEST(WebhookPayload, TheBusinessScopedIdIsTheKeyEvenWithANumber) {
  EXPECT_EQ(ContactKey("4915112345678", "DE.42"), "DE.42");
  EXPECT_EQ(ContactKey("+4915112345678", ""), "4915112345678");
}

TEST(WebhookPayload, NumberChangesMoveTheContact) {
  const Result<WebhookBatch> batch = ParseWebhook(Envelope(
      R"({"metadata":{"phone_number_id":"77"},"messages":[
          {"from":"972987654321","id":"wamid.s1","timestamp":"1753851315","type":"system",
           "system":{"body":"User A changed from 972987654321 to 972912345678","wa_id":"972912345678","type":"user_changed_number"}},
          {"from":"1","from_user_id":"US.1","id":"wamid.s2","timestamp":"1753851316","type":"system",
           "system":{"body":"...","user_id":"US.2","type":"user_changed_user_id"}},
          {"from":"5","id":"wamid.s3","timestamp":"1753851317","type":"system",
           "system":{"type":"customer_identity_changed"}}]})"));
  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->messages.empty());
  ASSERT_EQ(batch->contact_changes.size(), 2u);
  EXPECT_EQ(batch->contact_changes[0].old_contact, "972987654321");
  EXPECT_EQ(batch->contact_changes[0].new_contact, "972912345678");
  EXPECT_EQ(batch->contact_changes[1].old_contact, "US.1");
  EXPECT_EQ(batch->contact_changes[1].new_contact, "US.2");
  EXPECT_EQ(batch->skipped, 1u);
}

TEST(WebhookPayload, FlowRepliesAndUnknownTypesAreUnsupportedNotDropped) {
  const Result<WebhookBatch> batch = ParseWebhook(Envelope(
      R"({"metadata":{"phone_number_id":"77"},"messages":[
          {"from":"1","id":"wamid.f","timestamp":"1","type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent","response_json":"{\"flow_token\":\"x\"}"}}},
          {"from":"1","id":"wamid.p","timestamp":"2","type":"poll_creation","poll_creation":{}},
          {"from":"1","id":"wamid.o","timestamp":"3","type":"order","order":{"catalog_id":"c"}}]})"));
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->messages.size(), 3u);
  for (const InboundMessage& m : batch->messages) EXPECT_EQ(m.kind, MessageKind::kUnsupported);
}

TEST(WebhookPayload, UnknownFieldsAndOtherChangeFieldsAreTolerated) {
  const Result<WebhookBatch> batch = ParseWebhook(
      R"({"object":"whatsapp_business_account","new_top_level":1,"entry":[{"id":"1","time":5,"changes":[
          {"field":"account_update","value":{"event":"VERIFIED"}},
          {"field":"messages","value":{"metadata":{"phone_number_id":"77"},"shiny":true,
            "messages":[{"from":"1","id":"wamid.t","timestamp":"1","type":"text","text":{"body":"x","extra":2}}]}}]}]})");
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->messages.size(), 1u);
  EXPECT_EQ(batch->skipped, 1u);
}

TEST(WebhookPayload, MessagesWithoutSenderOrIdAreSkippedNotInvented) {
  const Result<WebhookBatch> batch = ParseWebhook(Envelope(
      R"({"messages":[{"id":"wamid.x","type":"text","text":{"body":"x"}},{"from":"1","type":"text"}]})"));
  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->messages.empty());
  EXPECT_EQ(batch->skipped, 2u);
}

TEST(WebhookPayload, MalformedBodiesAreRejectedWithAReason) {
  for (const char* body : {"", "{", "[]", "42", R"({"object":"page","entry":[]})", "{\"object\":1}"}) {
    const Result<WebhookBatch> batch = ParseWebhook(body);
    ASSERT_FALSE(batch) << body;
    EXPECT_EQ(batch.error().code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(WebhookPayload, EveryFixtureParses) {
  for (const char* name : testing::kWebhookFixtures) {
    const WebhookBatch batch = Parsed(name);
    EXPECT_GT(batch.messages.size() + batch.statuses.size() + batch.errors.size(), 0u) << name;
  }
}

}  // namespace
}  // namespace consentflow::engine::whatsapp
