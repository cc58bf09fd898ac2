#include "dsl/link_code.h"

#include <gtest/gtest.h>

#include <string>

namespace consentflow::dsl {
namespace {

TEST(LinkCodeTest, LettersDigitsDashAndUnderscoreMakeACode) {
  EXPECT_TRUE(IsValidLinkCode("SPRING24"));
  EXPECT_TRUE(IsValidLinkCode("spring-24_b"));
  EXPECT_TRUE(IsValidLinkCode("x"));
  EXPECT_TRUE(IsValidLinkCode("-_-"));
}

TEST(LinkCodeTest, OneToThirtyTwoCharacters) {
  EXPECT_FALSE(IsValidLinkCode(""));
  EXPECT_TRUE(IsValidLinkCode(std::string(kMaxLinkCode, 'A')));
  EXPECT_FALSE(IsValidLinkCode(std::string(kMaxLinkCode + 1, 'A')));
  EXPECT_EQ(kMaxLinkCode, 32u);
}

// Everything percent-encoding would change, or that would split the word, is refused.
TEST(LinkCodeTest, SpacesPunctuationAndNonAsciiAreRefused) {
  for (const char* bad : {"SPRING 24", "SPRING.24", "a+b", "a/b", "a%20", "caf\xC3\xA9",
                          "\xE2\x82\xAC", "tab\there", "new\nline", "quote\"", "a~b"}) {
    EXPECT_FALSE(IsValidLinkCode(bad)) << bad;
  }
}

TEST(LinkCodeTest, CodeCharactersAreExactlyTheAsciiAlphanumericsDashAndUnderscore) {
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    const bool expected = (i >= 'A' && i <= 'Z') || (i >= 'a' && i <= 'z') ||
                          (i >= '0' && i <= '9') || c == '-' || c == '_';
    EXPECT_EQ(IsLinkCodeChar(c), expected) << "byte " << i;
  }
}

}  // namespace
}  // namespace consentflow::dsl
