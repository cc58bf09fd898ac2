#include "engine/whatsapp/graph_request.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace consentflow::engine::whatsapp {
namespace {

using Json = nlohmann::json;

// send-examples.json's "requests" (../shared/whatsapp/fixtures).
const Json& Examples() {
  static const Json examples = [] {
    std::ifstream in(std::string(CF_SHARED_DIR) + "/whatsapp/fixtures/send-examples.json");
    EXPECT_TRUE(in);
    return Json::parse(in, nullptr, /*allow_exceptions=*/false);
  }();
  return examples.at("requests");
}

Json Body(const OutboundMessage& message) {
  Result<std::string> body = MessageRequestBody(message);
  EXPECT_TRUE(body) << body.error().ToString();
  return body ? Json::parse(*body) : Json();
}

TEST(GraphRequest, TextIsTheExampleBodyWithALinkPreview) {
  const Json& example = Examples().at("text");
  OutboundMessage m{"4915112345678", OutboundMessage::Kind::kText,
                    example.at("text").at("body").get<std::string>(), {}, ""};
  EXPECT_EQ(Body(m), example);
}

TEST(GraphRequest, TextWithoutALinkAsksForNoPreview) {
  Json expected = Examples().at("text");
  expected["text"] = {{"body", "Ja, heute bis 18 Uhr."}};
  OutboundMessage m{"4915112345678", OutboundMessage::Kind::kText, "Ja, heute bis 18 Uhr.", {}, ""};
  EXPECT_EQ(Body(m), expected);
}

TEST(GraphRequest, ABusinessScopedIdIsSentAsRecipient) {
  const Json& example = Examples().at("text_to_bsuid");
  OutboundMessage m{"DE.30571946628410937265", OutboundMessage::Kind::kText,
                    "Yes, from 15 EUR per day.", {}, ""};
  EXPECT_EQ(Body(m), example);
}

TEST(GraphRequest, ButtonsAreTheExampleWithoutItsHeaderAndFooter) {
  Json expected = Examples().at("interactive_buttons");
  expected["interactive"].erase("header");
  expected["interactive"].erase("footer");
  OutboundMessage m{"4915112345678", OutboundMessage::Kind::kButtons,
                    expected["interactive"]["body"]["text"].get<std::string>(), {}, ""};
  for (const Json& button : expected["interactive"]["action"]["buttons"]) {
    m.choices.push_back({button["reply"]["id"].get<std::string>(),
                         button["reply"]["title"].get<std::string>()});
  }
  EXPECT_EQ(Body(m), expected);
}

TEST(GraphRequest, AListHasOneUntitledSectionAndTheListButton) {
  const Json& example = Examples().at("interactive_list");
  OutboundMessage m{"4915112345678", OutboundMessage::Kind::kList, "Which service do you need?",
                    {{"svc_tyre_change", "Tyre change"},
                     {"svc_brake_check", "Brake check"},
                     {"svc_full_service", "Full service"},
                     {"svc_other", "Something else"}},
                    "Show services"};
  const Json body = Body(m);
  for (const char* key : {"messaging_product", "recipient_type", "to", "type"}) {
    EXPECT_EQ(body.at(key), example.at(key)) << key;
  }
  EXPECT_EQ(body["interactive"]["type"], "list");
  EXPECT_EQ(body["interactive"]["body"], example["interactive"]["body"]);
  EXPECT_EQ(body["interactive"]["action"]["button"], "Show services");
  const Json rows = Json::array({{{"id", "svc_tyre_change"}, {"title", "Tyre change"}},
                                 {{"id", "svc_brake_check"}, {"title", "Brake check"}},
                                 {{"id", "svc_full_service"}, {"title", "Full service"}},
                                 {{"id", "svc_other"}, {"title", "Something else"}}});
  EXPECT_EQ(body["interactive"]["action"]["sections"], Json::array({{{"rows", rows}}}));
}

TEST(GraphRequest, ALocationRequestAsksForTheSendLocationAction) {
  OutboundMessage m{"4915112345678", OutboundMessage::Kind::kLocationRequest, "Where are you?", {},
                    ""};
  const Json expected = {{"messaging_product", "whatsapp"},
                         {"recipient_type", "individual"},
                         {"to", "+4915112345678"},
                         {"type", "interactive"},
                         {"interactive",
                          {{"type", "location_request_message"},
                           {"body", {{"text", "Where are you?"}}},
                           {"action", {{"name", "send_location"}}}}}};
  EXPECT_EQ(Body(m), expected);
}

TEST(GraphRequest, AReadReceiptIsTheExampleBody) {
  const Json& example = Examples().at("mark_read");
  EXPECT_EQ(Json::parse(ReadReceiptBody(example.at("message_id").get<std::string>())), example);
}

TEST(GraphRequest, ATemplateIsTheExampleWithOnlyItsBodyParameters) {
  Json expected = Examples().at("template");
  Json body_only = Json::array();
  for (const Json& component : expected["template"]["components"]) {
    if (component["type"] == "body") body_only.push_back(component);
  }
  ASSERT_EQ(body_only.size(), 1u);
  expected["template"]["components"] = body_only;
  OutboundMessage m{"4915112345678", OutboundMessage::Kind::kTemplate,
                    "Hallo Lena, Ihre Abholung ist am Dienstag, 3. März.", {}, ""};
  m.template_name = "pickup_reminder";
  m.template_language = "de";
  m.template_params = {"Lena", "Dienstag, 3. März"};
  EXPECT_EQ(Body(m), expected);
}

TEST(GraphRequest, ATemplateWithoutParametersHasNoComponentsAndNeedsNoBody) {
  OutboundMessage m{"4915112345678", OutboundMessage::Kind::kTemplate, "", {}, ""};
  m.template_name = "hello_world";
  m.template_language = "en_US";
  const Json body = Body(m);
  EXPECT_EQ(body["type"], "template");
  EXPECT_EQ(body["template"],
            (Json{{"name", "hello_world"},
                  {"language", {{"code", "en_US"}, {"policy", "deterministic"}}}}));
  EXPECT_FALSE(body.contains("text"));
}

// Texts come from flows, field values and agents: quotes, backslashes, line breaks, control
// characters and broken UTF-8 must still make one valid body that says what they said.
TEST(GraphRequest, AnyTextMakesAValidBody) {
  const std::string tricky = "say \"hi\" \\ to\nLena\t\x01 \xC3\xA4 and \xFF";
  OutboundMessage m{"4915112345678", OutboundMessage::Kind::kButtons, tricky,
                    {{"id\"1", "Yes \"sure\""}, {"id\\2", "Ne\nin"}}, ""};
  const Json body = Body(m);
  ASSERT_TRUE(body.is_object());
  // The invalid byte is replaced (U+FFFD), everything else is kept as it was.
  EXPECT_EQ(body["interactive"]["body"]["text"],
            "say \"hi\" \\ to\nLena\t\x01 \xC3\xA4 and \xEF\xBF\xBD");
  EXPECT_EQ(body["interactive"]["action"]["buttons"][0]["reply"]["id"], "id\"1");
  EXPECT_EQ(body["interactive"]["action"]["buttons"][0]["reply"]["title"], "Yes \"sure\"");
  EXPECT_EQ(body["interactive"]["action"]["buttons"][1]["reply"]["id"], "id\\2");
  EXPECT_EQ(body["interactive"]["action"]["buttons"][1]["reply"]["title"], "Ne\nin");
  EXPECT_EQ(Json::parse(ReadReceiptBody("wamid.\"x\"")).at("message_id"), "wamid.\"x\"");
}

TEST(GraphRequest, MessagesTheApiCouldNeverAcceptAreRefusedBeforeSending) {
  OutboundMessage unnamed{"49151", OutboundMessage::Kind::kTemplate, "Hi", {}, ""};
  unnamed.template_language = "en";
  EXPECT_EQ(MessageRequestBody(unnamed).error().code(), StatusCode::kInvalidArgument);
  OutboundMessage no_language{"49151", OutboundMessage::Kind::kTemplate, "Hi", {}, ""};
  no_language.template_name = "follow_up";
  EXPECT_EQ(MessageRequestBody(no_language).error().code(), StatusCode::kInvalidArgument);

  OutboundMessage four_buttons{"49151", OutboundMessage::Kind::kButtons, "Pick", {}, ""};
  for (int i = 0; i < 4; ++i) four_buttons.choices.push_back({"o" + std::to_string(i), "O"});
  EXPECT_EQ(MessageRequestBody(four_buttons).error().code(), StatusCode::kInvalidArgument);

  OutboundMessage eleven_rows{"49151", OutboundMessage::Kind::kList, "Pick", {}, "Open"};
  for (int i = 0; i < 11; ++i) eleven_rows.choices.push_back({"o" + std::to_string(i), "O"});
  EXPECT_EQ(MessageRequestBody(eleven_rows).error().code(), StatusCode::kInvalidArgument);

  OutboundMessage no_body{"49151", OutboundMessage::Kind::kText, "", {}, ""};
  EXPECT_EQ(MessageRequestBody(no_body).error().code(), StatusCode::kInvalidArgument);
  OutboundMessage nobody{"", OutboundMessage::Kind::kText, "Hi", {}, ""};
  EXPECT_EQ(MessageRequestBody(nobody).error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace consentflow::engine::whatsapp
