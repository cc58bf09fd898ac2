#include "engine/whatsapp/webhook_signature.h"

#include <gtest/gtest.h>

namespace consentflow::engine::whatsapp {
namespace {

constexpr std::string_view kSecret = "app-secret";

TEST(WebhookSignature, AcceptsTheHmacOfTheRawBytes) {
  const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
  EXPECT_TRUE(VerifySignature(kSecret, body, SignBody(kSecret, body)));
}

TEST(WebhookSignature, MatchesAKnownDigest) {
  // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
  EXPECT_EQ(SignBody("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSignature, UppercaseHexIsAcceptedToo) {
  const std::string body = "{}";
  std::string header = SignBody(kSecret, body);
  for (size_t i = 7; i < header.size(); ++i) header[i] = static_cast<char>(std::toupper(header[i]));
  EXPECT_TRUE(VerifySignature(kSecret, body, header));
}

TEST(WebhookSignature, RejectsAChangedBodyAWrongSecretAndMalformedHeaders) {
  const std::string body = R"({"a":1})";
  const std::string good = SignBody(kSecret, body);
  EXPECT_FALSE(VerifySignature(kSecret, R"({"a":2})", good));
  EXPECT_FALSE(VerifySignature("other-secret", body, good));
  EXPECT_FALSE(VerifySignature(kSecret, body, ""));
  EXPECT_FALSE(VerifySignature(kSecret, body, good.substr(7)));          // no "sha256="
  EXPECT_FALSE(VerifySignature(kSecret, body, "sha1=" + good.substr(7)));
  EXPECT_FALSE(VerifySignature(kSecret, body, good.substr(0, good.size() - 1)));  // short
  EXPECT_FALSE(VerifySignature(kSecret, body, good + "0"));                       // long
  std::string not_hex = good;
  not_hex.back() = 'g';
  EXPECT_FALSE(VerifySignature(kSecret, body, not_hex));
}

TEST(WebhookSignature, AcceptsTheEscapedUnicodeFormGraphDocuments) {
  const std::string raw = "{\"body\":\"geöffnet 🙂\"}";
  const std::string escaped = "{\"body\":\"ge\\u00f6ffnet \\ud83d\\ude42\"}";
  EXPECT_TRUE(VerifySignature(kSecret, raw, SignBody(kSecret, escaped)));
  EXPECT_TRUE(VerifySignature(kSecret, raw, SignBody(kSecret, raw)));
  EXPECT_FALSE(VerifySignature(kSecret, raw, SignBody(kSecret, "{\"body\":\"geoffnet\"}")));
}

TEST(WebhookSignature, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("token", "token"));
  EXPECT_FALSE(ConstantTimeEquals("token", "tokem"));
  EXPECT_FALSE(ConstantTimeEquals("token", "token2"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace consentflow::engine::whatsapp
