#include "tools/link/phone_number.h"

#include <gtest/gtest.h>

namespace consentflow::link {
namespace {

struct Written {
  const char* as_written;
  const char* digits;
};

class PhoneNumberAsWritten : public ::testing::TestWithParam<Written> {};

TEST_P(PhoneNumberAsWritten, BecomesTheDigitsWaMeExpects) {
  const Result<std::string> digits = NormalizePhoneNumber(GetParam().as_written);
  ASSERT_TRUE(digits) << digits.error().message();
  EXPECT_EQ(*digits, GetParam().digits);
}

INSTANTIATE_TEST_SUITE_P(
    Accepted, PhoneNumberAsWritten,
    ::testing::Values(
        Written{"+39 333 123 4567", "393331234567"}, Written{"0039 333 123 4567", "393331234567"},
        Written{"0039-333-123.4567", "393331234567"}, Written{"393331234567", "393331234567"},
        Written{"+44 (0)20 7946 0958", "442079460958"},
        Written{"0044 (0)20 7946 0958", "442079460958"},
        Written{"(+1) 555-010-9999", "15550109999"}, Written{"+49 30/1234567", "49301234567"},
        Written{"  +41\t44 668 18 00 ", "41446681800"},
        Written{"+1 2345678", "12345678"},                     // 8 digits: the fewest
        Written{"+123 456 789 012 345", "123456789012345"}));  // 15: the most

struct Refused {
  const char* as_written;
  const char* message_part;
};

class PhoneNumberRefused : public ::testing::TestWithParam<Refused> {};

TEST_P(PhoneNumberRefused, WithAMessageThatSaysWhatToDo) {
  const Result<std::string> digits = NormalizePhoneNumber(GetParam().as_written);
  ASSERT_FALSE(digits) << *digits;
  EXPECT_EQ(digits.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(digits.error().message().find(GetParam().message_part), std::string::npos)
      << digits.error().message();
  EXPECT_NE(digits.error().message().find(GetParam().as_written), std::string::npos)
      << "the message quotes the input: " << digits.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, PhoneNumberRefused,
    ::testing::Values(Refused{"0333 123 4567", "country code"},
                      Refused{"(0)333 123 4567", "country code"}, Refused{"333 12a 4567", "'a'"},
                      Refused{"+39 333 + 4567", "only the first character may be '+'"},
                      Refused{"+0 333 123 4567", "no country code starts with 0"},
                      Refused{"000 39 333 1234", "no country code starts with 0"},
                      Refused{"+39 333", "5 digits"}, Refused{"+1 234 567", "7 digits"},
                      Refused{"+1234 5678 9012 3456", "16 digits"}, Refused{"", "no digits"},
                      Refused{"---", "no digits"}, Refused{"+39 333 123 4567 ext. 2", "'e'"}));

TEST(PhoneNumber, ANationalNumberIsTheCountryCodeMessage) {
  const Result<std::string> digits = NormalizePhoneNumber("0333 1234567");
  ASSERT_FALSE(digits);
  EXPECT_EQ(digits.error().message(),
            "phone number \"0333 1234567\" starts with a single 0, so it is written the national "
            "way; wa.me needs the country code: write it with '+' and the country code instead of "
            "the 0, e.g. +39 333 123 4567");
}

}  // namespace
}  // namespace consentflow::link
