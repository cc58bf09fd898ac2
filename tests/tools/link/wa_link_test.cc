#include "tools/link/wa_link.h"

#include <gtest/gtest.h>

#include "tools/link/percent_encoding.h"

namespace consentflow::link {
namespace {

TEST(PercentEncoding, KeepsTheUnreservedSetAndEncodesEveryOtherByte) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b+c&d=e?f#g/h%"), "a%20b%2Bc%26d%3De%3Ff%23g%2Fh%25");
  EXPECT_EQ(PercentEncode("è"), "%C3%A8");
  EXPECT_EQ(PercentEncode("😀"), "%F0%9F%98%80");
  EXPECT_EQ(PercentEncode("line\nbreak"), "line%0Abreak");
}

TEST(PercentEncoding, DecodingGivesBackEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const Result<std::string> decoded = PercentDecode(PercentEncode(all));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, all);
  EXPECT_EQ(*PercentDecode("%c3%a8+x"), "è+x");  // lower-case hex; '+' is a plus sign
}

TEST(PercentEncoding, ABrokenEscapeIsAnError) {
  for (const char* bad : {"%", "%4", "%zz", "abc%g1"}) {
    const Result<std::string> decoded = PercentDecode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_NE(decoded.error().message().find("two hexadecimal digits"), std::string::npos);
  }
}

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(FindInvalidUtf8("Ciao è 😀 ⛷️"), std::string::npos);
  EXPECT_EQ(FindInvalidUtf8("ab\xE9"), 2u);            // Latin-1 é
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("x\xED\xA0\x80"), 1u);     // a UTF-16 surrogate
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("ok\xF0\x9F\x98"), 2u);    // cut short
}

TEST(PrefilledText, AppendsTheCodeWhenTheTextLacksIt) {
  EXPECT_EQ(*PrefilledText("Hi! I'd like the ski offer", "SPRING24"),
            "Hi! I'd like the ski offer SPRING24");
  EXPECT_EQ(*PrefilledText("", "SPRING24"), "SPRING24");
  EXPECT_EQ(*PrefilledText("Two lines\n", "SPRING24"), "Two lines\nSPRING24");
  // Glued to other letters the code is no whole word, so the engine would not see it.
  EXPECT_EQ(*PrefilledText("SPRING24X please", "SPRING24"), "SPRING24X please SPRING24");
}

TEST(PrefilledText, KeepsATextThatCarriesTheCodeAsTheEngineMatchesIt) {
  EXPECT_EQ(*PrefilledText("Code spring24, please", "SPRING24"), "Code spring24, please");
  EXPECT_EQ(*PrefilledText("#SPRING24 🎿", "SPRING24"), "#SPRING24 🎿");
}

TEST(PrefilledText, RefusesBadTextsAndCodes) {
  auto message = [](std::string_view text, std::string_view code) {
    const Result<std::string> r = PrefilledText(text, code);
    return r ? std::string("(accepted)") : r.error().message();
  };
  EXPECT_NE(message("Caf\xE9", "SPRING24").find("not valid UTF-8 (byte 4)"), std::string::npos);
  EXPECT_NE(message("a\x07", "SPRING24").find("control character"), std::string::npos);
  EXPECT_NE(message(std::string(1001, 'a'), "SPRING24").find("at most 1000 bytes"),
            std::string::npos);
  // 995 bytes and " SPRING24" make 1004.
  EXPECT_NE(message(std::string(995, 'a'), "SPRING24").find("at most 1000 bytes"),
            std::string::npos);
  EXPECT_NE(message("Hi", "SPRING 24").find("letters, digits, '-' or '_'"), std::string::npos);
  EXPECT_NE(message("Hi", "").find("empty"), std::string::npos);
  EXPECT_NE(message("Hi", std::string(33, 'A')).find("1 to 32"), std::string::npos);
  EXPECT_NE(message("Hi", "SPRINGè").find("letters, digits"), std::string::npos);
}

TEST(WaLink, BuildsTheLinkWithTheNormalisedNumberAndTheEncodedText) {
  const Result<WaLink> link =
      MakeWaLink("+39 333 123 4567", "SPRING24", "Ciao! Vorrei l'offerta è");
  ASSERT_TRUE(link) << link.error().message();
  EXPECT_EQ(link->phone, "393331234567");
  EXPECT_EQ(link->text, "Ciao! Vorrei l'offerta è SPRING24");
  EXPECT_EQ(link->url,
            "https://wa.me/393331234567?text=Ciao%21%20Vorrei%20l%27offerta%20%C3%A8%20SPRING24");
}

TEST(WaLink, ReportsTheFirstProblem) {
  EXPECT_NE(MakeWaLink("0333 1234567", "SPRING24", "").error().message().find("country code"),
            std::string::npos);
  EXPECT_NE(MakeWaLink("+39 333 1234567", "SPRING 24", "").error().message().find("link code"),
            std::string::npos);
}

// The property the issue asks for: a link, decoded and parsed again, gives back its input.
TEST(WaLink, ParsedBackGivesTheInput) {
  const std::vector<std::string> texts = {
      "",
      "Hi! I'd like the ski offer",
      "Ciao! Vorrei l'offerta sci: è più bello 🎿⛷️😀",
      "Grüße aus Köln – 10% Rabatt? a+b=c & d#e /f\\g \"q\" 'x'",
      "Two\nlines\tand a tab",
      "日本語のテキスト",
  };
  for (const std::string& text : texts) {
    const Result<WaLink> made = MakeWaLink("+41 44 668 18 00", "SPRING24", text);
    ASSERT_TRUE(made) << made.error().message();
    for (const char c : made->url.substr(made->url.find('?') + 1)) {
      const bool plain = std::isalnum(static_cast<unsigned char>(c)) ||
                         std::string_view("-._~%=").find(c) != std::string_view::npos;
      EXPECT_TRUE(plain) << "'" << c << "' left unencoded in " << made->url;
    }
    const Result<WaLink> parsed = ParseWaLink(made->url);
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(parsed->phone, "41446681800");
    EXPECT_EQ(parsed->text, made->text);
    EXPECT_EQ(*PrefilledText(parsed->text, "SPRING24"), made->text) << "the code is in the text";
  }
}

TEST(WaLink, ParsesOtherParametersAndSlashes) {
  const Result<WaLink> parsed =
      ParseWaLink("http://wa.me/15550109999/?utm_source=x&text=Hi%20there");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->phone, "15550109999");
  EXPECT_EQ(parsed->text, "Hi there");
  EXPECT_EQ(ParseWaLink("https://wa.me/15550109999")->text, "");
}

TEST(WaLink, ParsingRefusesWhatIsNoWaMeLink) {
  EXPECT_NE(ParseWaLink("https://example.com/1555").error().message().find("https://wa.me/"),
            std::string::npos);
  EXPECT_NE(ParseWaLink("https://wa.me/+1555?text=x").error().message().find("digits only"),
            std::string::npos);
  EXPECT_NE(ParseWaLink("https://wa.me/1555?text=%zz").error().message().find("hexadecimal"),
            std::string::npos);
  EXPECT_NE(ParseWaLink("https://wa.me/1555?text=%E9").error().message().find("UTF-8"),
            std::string::npos);
}

}  // namespace
}  // namespace consentflow::link
