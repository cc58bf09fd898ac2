// End to end: the prefilled text of a generated link, sent as a first message through the real
// engine (tools/session), starts the flow that owns the link's code.

#include <gtest/gtest.h>

#include "tools/link/flow_directory.h"
#include "tools/link/qr_code.h"
#include "tools/link/wa_link.h"
#include "tools/session/session.h"

namespace consentflow::link {
namespace {

const std::string kFlows = std::string(CF_SOURCE_DIR) + "/flows";

// The flow a new contact is in after sending `text` to the example flows.
std::string FlowAfterFirstMessage(const std::string& text) {
  const Result<FlowDirectory> flows = LoadFlowDirectory(kFlows);
  EXPECT_TRUE(flows) << flows.error().message();
  if (!flows) return "";
  Result<std::unique_ptr<tools::Session>> session = tools::Session::Open(flows->programs);
  EXPECT_TRUE(session) << session.error().message();
  if (!session) return "";
  const auto replies = (*session)->Say(text);
  EXPECT_TRUE(replies) << replies.error().message();
  const auto conversation = (*session)->Conversation();
  EXPECT_TRUE(conversation && *conversation) << "no conversation after \"" << text << "\"";
  return conversation && *conversation ? (**conversation).flow_id : "";
}

struct Campaign {
  const char* code;
  const char* text;
  const char* flow;
};

class LinkLandsInItsFlow : public ::testing::TestWithParam<Campaign> {};

TEST_P(LinkLandsInItsFlow, WhenItsPrefilledTextIsTheFirstMessage) {
  const Campaign& c = GetParam();
  const Result<WaLink> made = MakeWaLink("+39 333 123 4567", c.code, c.text);
  ASSERT_TRUE(made) << made.error().message();
  // What the phone does: open the link, take the text parameter, send it.
  const Result<WaLink> opened = ParseWaLink(made->url);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(FlowAfterFirstMessage(opened->text), c.flow) << "text: " << opened->text;
}

INSTANTIATE_TEST_SUITE_P(
    ExampleFlows, LinkLandsInItsFlow,
    ::testing::Values(Campaign{"SPRING24", "", "spring_leads"},
                      Campaign{"SPRING24", "Ciao! Vorrei l'offerta sci è più 🎿", "spring_leads"},
                      Campaign{"TESTDRIVE", "Hallo, ich möchte eine Probefahrt 🚗", "test_drive"},
                      // "newsletter" is the newsletter flow's keyword; the link code routes first.
                      Campaign{"TESTDRIVE", "Test drive, and the newsletter too", "test_drive"}));

TEST(LinkLandsInItsFlow, WithoutTheCodeTheSameTextGoesElsewhere) {
  // The control for the cases above: the code, not the wording, picks the flow.
  EXPECT_EQ(FlowAfterFirstMessage("Hallo, ich möchte eine Probefahrt 🚗"), "support_desk");
  EXPECT_EQ(FlowAfterFirstMessage("Test drive, and the newsletter too"), "newsletter");
}

TEST(LinkLandsInItsFlow, EveryCodeOfTheExampleFlowsThroughItsQrCodeText) {
  const Result<FlowDirectory> flows = LoadFlowDirectory(kFlows);
  ASSERT_TRUE(flows) << flows.error().message();
  ASSERT_FALSE(flows->Codes().empty());
  for (const std::string& code : flows->Codes()) {
    const Result<WaLink> made = MakeWaLink("+39 333 123 4567", code, "Hello!");
    ASSERT_TRUE(made);
    ASSERT_TRUE(EncodeQr(made->url, QrLevel::kH)) << "the link fits a QR code at the highest level";
    EXPECT_EQ(FlowAfterFirstMessage(ParseWaLink(made->url)->text), flows->OwnerOf(code)->flow_id)
        << code;
  }
}

}  // namespace
}  // namespace consentflow::link
