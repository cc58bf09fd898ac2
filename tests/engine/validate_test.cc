#include "engine/validate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "dsl/value_text.h"

namespace consentflow::engine {
namespace {

using dsl::ast::FieldType;

dsl::ProgramField Field(FieldType type) {
  dsl::ProgramField field;
  field.type = type;
  return field;
}

dsl::ProgramField Ranged(FieldType type, std::optional<double> min, std::optional<double> max) {
  dsl::ProgramField field = Field(type);
  field.min = min;
  field.max = max;
  return field;
}

dsl::ProgramField TextMax(int64_t max_length) {
  dsl::ProgramField field = Field(FieldType::kText);
  field.max_length = max_length;
  return field;
}

InboundMessage Message(MessageKind kind, std::string text, std::string reply_id = "") {
  InboundMessage m;
  m.kind = kind;
  m.text = std::move(text);
  m.reply_id = std::move(reply_id);
  return m;
}

InboundMessage Text(std::string text) { return Message(MessageKind::kText, std::move(text)); }

InboundMessage Location(double latitude, double longitude) {
  InboundMessage m = Message(MessageKind::kLocation, "");
  m.location = GeoPoint{latitude, longitude};
  return m;
}

// The canonical value of a typed answer, or "<invalid>".
std::string Typed(const dsl::ProgramField& field, std::string text) {
  return ValidateAnswer(field, Text(std::move(text))).value_or("<invalid>");
}
std::string Typed(FieldType type, std::string text) { return Typed(Field(type), std::move(text)); }

constexpr const char* kInvalid = "<invalid>";

// ---------------------------------------------------------------- text

TEST(ValidateText, KeepsTheAnswerTrimmed) {
  EXPECT_EQ(Typed(FieldType::kText, "Lena Fischer"), "Lena Fischer");
  EXPECT_EQ(Typed(FieldType::kText, "  Lena Fischer \n"), "Lena Fischer");
  EXPECT_EQ(Typed(FieldType::kText, "\t\xC2\xA0Zoë\xE2\x80\x8F"), "Zo\xC3\xAB");  // NBSP, RLM
  EXPECT_EQ(Typed(FieldType::kText, "line one\nline two"), "line one\nline two");
}

TEST(ValidateText, RejectsBlankAnswers) {
  EXPECT_EQ(Typed(FieldType::kText, ""), kInvalid);
  EXPECT_EQ(Typed(FieldType::kText, "   \n\t"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kText, "\xE2\x80\x8B\xEF\xBB\xBF"), kInvalid);  // ZWSP, BOM
}

TEST(ValidateText, AcceptsExactlyTheMaximumLength) {
  EXPECT_EQ(Typed(TextMax(5), "abcde"), "abcde");
  EXPECT_EQ(Typed(TextMax(5), "abcdef"), kInvalid);
  EXPECT_EQ(Typed(TextMax(5), "  abcde  "), "abcde");  // spaces around do not count
  EXPECT_EQ(Typed(TextMax(1000), std::string(1000, 'x')), std::string(1000, 'x'));
  EXPECT_EQ(Typed(TextMax(1000), std::string(1001, 'x')), kInvalid);
  EXPECT_EQ(Typed(Field(FieldType::kText), std::string(1001, 'x')), kInvalid);  // default 1000
}

TEST(ValidateText, CountsCodePointsNotBytes) {
  EXPECT_EQ(Typed(TextMax(5), "Zoë M"), "Zoë M");  // ë is two bytes
  EXPECT_EQ(Typed(TextMax(3), "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"),  // 😀😀😀
            "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
  EXPECT_EQ(Typed(TextMax(3), "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80!"), kInvalid);
  EXPECT_EQ(Typed(TextMax(1), "\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(Typed(TextMax(2), "\xE6\x9D\xB1\xE4\xBA\xAC"), "\xE6\x9D\xB1\xE4\xBA\xAC");  // 東京
}

TEST(ValidateText, RejectsInvalidUtf8) {
  EXPECT_EQ(Typed(FieldType::kText, "caf\xE9"), kInvalid);           // Latin-1
  EXPECT_EQ(Typed(FieldType::kText, "\xC0\xAF"), kInvalid);          // overlong '/'
  EXPECT_EQ(Typed(FieldType::kText, "\xED\xA0\x80"), kInvalid);      // surrogate
  EXPECT_EQ(Typed(FieldType::kText, "\xF4\x90\x80\x80"), kInvalid);  // beyond U+10FFFF
  EXPECT_EQ(Typed(FieldType::kText, "abc\xF0\x9F\x98"), kInvalid);   // truncated
  EXPECT_EQ(Typed(FieldType::kText, "\x80"), kInvalid);              // lone continuation
}

TEST(ValidateText, TakesTappedTitlesButNotCaptionsOrLocations) {
  const auto field = Field(FieldType::kText);
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kButtonReply, "Tomorrow", "b1")),
            "Tomorrow");
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kListReply, "Berlin", "row2")), "Berlin");
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kMedia, "a caption")), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kUnsupported, "x")), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Location(52.5, 13.4)), std::nullopt);
}

// ---------------------------------------------------------------- email

TEST(ValidateEmail, AcceptsCommonAddressesAndLowerCasesTheDomainOnly) {
  EXPECT_EQ(Typed(FieldType::kEmail, "lena@example.com"), "lena@example.com");
  EXPECT_EQ(Typed(FieldType::kEmail, " Lena.Fischer@Example.COM "), "Lena.Fischer@example.com");
  EXPECT_EQ(Typed(FieldType::kEmail, "first.last+news@mail.example.co.uk"),
            "first.last+news@mail.example.co.uk");
  EXPECT_EQ(Typed(FieldType::kEmail, "o'brien@my-shop.ie"), "o'brien@my-shop.ie");
  EXPECT_EQ(Typed(FieldType::kEmail, "x_1@a1.de"), "x_1@a1.de");
  EXPECT_EQ(Typed(FieldType::kEmail, "jörg@xn--mnchen-3ya.de"), "jörg@xn--mnchen-3ya.de");
  EXPECT_EQ(Typed(FieldType::kEmail, "info@example.xn--p1ai"), "info@example.xn--p1ai");
}

TEST(ValidateEmail, RejectsWhatIsNotAnAddress) {
  for (const char* text : {
           "lena",                      // no '@'
           "lena@",                     // no domain
           "@example.com",              // no local part
           "lena@@example.com",         // two '@'
           "lena@x@example.com",        //
           "lena fischer@example.com",  // space in the local part
           "lena@example",              // no dot in the domain
           "lena@example.c",            // one-letter TLD
           "lena@example.c0m",          // digit in the TLD
           "lena@exa_mple.com",         // '_' in a label
           "lena@-example.com",         // label starts with '-'
           "lena@example-.com",         // label ends with '-'
           "lena@example..com",         // empty label
           "lena@.example.com",         //
           "lena@example.com.",         // trailing dot
           ".lena@example.com",         // local part starts with '.'
           "lena.@example.com",         //
           "le..na@example.com",        //
           "Lena <lena@example.com>",   // a display name
           "lena,anna@example.com",     // a special
           "lena@münchen.de",           // not in ASCII form
           "lena@exam ple.com",         //
       }) {
    EXPECT_EQ(Typed(FieldType::kEmail, text), kInvalid) << text;
  }
}

TEST(ValidateEmail, EnforcesTheLengthLimits) {
  const std::string local64(64, 'a');
  EXPECT_EQ(Typed(FieldType::kEmail, local64 + "@example.com"), local64 + "@example.com");
  EXPECT_EQ(Typed(FieldType::kEmail, local64 + "a@example.com"), kInvalid);
  const std::string label63(63, 'b');
  EXPECT_EQ(Typed(FieldType::kEmail, "x@" + label63 + ".com"), "x@" + label63 + ".com");
  EXPECT_EQ(Typed(FieldType::kEmail, "x@" + label63 + "b.com"), kInvalid);
  // 254 in all: "x@" + 3 labels of 63 + 1 of 57 + 3 dots + ".de"
  const std::string domain = label63 + "." + label63 + "." + label63 + "." + std::string(57, 'c');
  const std::string at254 = "x@" + domain + ".de";
  ASSERT_EQ(at254.size(), 254u);
  EXPECT_EQ(Typed(FieldType::kEmail, at254), at254);
  EXPECT_EQ(Typed(FieldType::kEmail, "xy@" + domain + ".de"), kInvalid);
}

// ---------------------------------------------------------------- phone

TEST(ValidatePhone, AcceptsInternationalSpellings) {
  EXPECT_EQ(Typed(FieldType::kPhone, "+4915112345678"), "+4915112345678");
  EXPECT_EQ(Typed(FieldType::kPhone, "+49 151 12345678"), "+4915112345678");
  EXPECT_EQ(Typed(FieldType::kPhone, "0049 151 1234-5678"), "+4915112345678");
  EXPECT_EQ(Typed(FieldType::kPhone, "+49 (151) 123.456.78"), "+4915112345678");
  EXPECT_EQ(Typed(FieldType::kPhone, "+49 (0)151 12345678"), "+4915112345678");
  EXPECT_EQ(Typed(FieldType::kPhone, "+1 (415) 555-0123"), "+14155550123");
  EXPECT_EQ(Typed(FieldType::kPhone, "+44 7700 900123"), "+447700900123");
  EXPECT_EQ(Typed(FieldType::kPhone, "+39 06 1234 5678"), "+390612345678");
  EXPECT_EQ(Typed(FieldType::kPhone, "\xE2\x80\xAA+49 151 12345678\xE2\x80\xAC"),  // LRE..PDF
            "+4915112345678");
}

TEST(ValidatePhone, KeepsDigitsWithoutAPrefixAsTheyAre) {
  EXPECT_EQ(Typed(FieldType::kPhone, "4915112345678"), "+4915112345678");
  EXPECT_EQ(Typed(FieldType::kPhone, "44 7700 900123"), "+447700900123");
}

TEST(ValidatePhone, Accepts8To15Digits) {
  EXPECT_EQ(Typed(FieldType::kPhone, "+1234567"), kInvalid);  // 7
  EXPECT_EQ(Typed(FieldType::kPhone, "+12345678"), "+12345678");
  EXPECT_EQ(Typed(FieldType::kPhone, "+123456789012345"), "+123456789012345");
  EXPECT_EQ(Typed(FieldType::kPhone, "+1234567890123456"), kInvalid);   // 16
  EXPECT_EQ(Typed(FieldType::kPhone, "001234567890123456"), kInvalid);  // 16 after "00"
  EXPECT_EQ(Typed(FieldType::kPhone, "00123456789012345"), "+123456789012345");
}

TEST(ValidatePhone, RejectsNationalAndMalformedNumbers) {
  for (const char* text : {
           "0151 12345678",         // national: a trunk 0, no country code
           "+0151 12345678",        //
           "000 49 151 1234567",    // "00" then 0
           "+49 151 1234567x",      // letter
           "+49/151/12345678",      // '/'
           "+49 151 12345678 ext",  //
           "++49 151 12345678",     //
           "+ 49 151 12345678",     // separator before the first digit
           "+49 151 12345678-",     // separator at the end
           "+49 (151 12345678",     // unbalanced
           "+49 151) 12345678",     //
           "+49 ((151)) 1234567",   // nested
           "+49 () 15112345678",    // empty parentheses
           "+49 151 1234 5678 +1",  //
           "phone: +4915112345678",
           "+",
           "-",
       }) {
    EXPECT_EQ(Typed(FieldType::kPhone, text), kInvalid) << text;
  }
}

// ---------------------------------------------------------------- number

TEST(ValidateNumber, ReadsDecimalPointsAndCommas) {
  EXPECT_EQ(Typed(FieldType::kNumber, "42"), "42");
  EXPECT_EQ(Typed(FieldType::kNumber, "2.5"), "2.5");
  EXPECT_EQ(Typed(FieldType::kNumber, "2,5"), "2.5");
  EXPECT_EQ(Typed(FieldType::kNumber, "-3"), "-3");
  EXPECT_EQ(Typed(FieldType::kNumber, "+3"), "3");
  EXPECT_EQ(Typed(FieldType::kNumber,
                  "\xE2\x88\x92"
                  "3.5"),
            "-3.5");  // U+2212
  EXPECT_EQ(Typed(FieldType::kNumber, "0.1"), "0.1");
  EXPECT_EQ(Typed(FieldType::kNumber, ".5"), "0.5");
  EXPECT_EQ(Typed(FieldType::kNumber, ",5"), "0.5");
  EXPECT_EQ(Typed(FieldType::kNumber, "007"), "7");
  EXPECT_EQ(Typed(FieldType::kNumber, "5000.00"), "5000");
  EXPECT_EQ(Typed(FieldType::kNumber, "-0"), "0");
  EXPECT_EQ(Typed(FieldType::kNumber, "-0.0"), "0");
  EXPECT_EQ(Typed(FieldType::kNumber, " 12.75 "), "12.75");
}

TEST(ValidateNumber, ReadsThousandsGroups) {
  EXPECT_EQ(Typed(FieldType::kNumber, "100 000"), "100000");
  EXPECT_EQ(Typed(FieldType::kNumber, "1 000 000"), "1000000");
  EXPECT_EQ(Typed(FieldType::kNumber,
                  "100\xE2\x80\x89"
                  "000"),
            "100000");  // thin space
  EXPECT_EQ(Typed(FieldType::kNumber,
                  "100\xE2\x80\xAF"
                  "000"),
            "100000");  // narrow NBSP
  EXPECT_EQ(Typed(FieldType::kNumber,
                  "100\xC2\xA0"
                  "000"),
            "100000");  // NBSP
  EXPECT_EQ(Typed(FieldType::kNumber, "1 000,5"), "1000.5");
  EXPECT_EQ(Typed(FieldType::kNumber, "1 000.5"), "1000.5");
  EXPECT_EQ(Typed(FieldType::kNumber, "1,000.5"), "1000.5");
  EXPECT_EQ(Typed(FieldType::kNumber, "1,234,567.89"), "1234567.89");
  EXPECT_EQ(Typed(FieldType::kNumber, "1.000,5"), "1000.5");
  EXPECT_EQ(Typed(FieldType::kNumber, "1.234.567,89"), "1234567.89");
  EXPECT_EQ(Typed(FieldType::kNumber, "1,000,000"), "1000000");
  EXPECT_EQ(Typed(FieldType::kNumber, "1.000.000"), "1000000");
  EXPECT_EQ(Typed(FieldType::kNumber, "-12 345"), "-12345");
}

TEST(ValidateNumber, ASingleCommaIsADecimalComma) {
  // "1,000" is a thousand in English and one in most of Europe: asked again, never guessed.
  EXPECT_EQ(Typed(FieldType::kNumber, "1,000"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kNumber, "1.000"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kNumber, "2.500"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kNumber, "0.125"), "0.125");    // no thousands reading
  EXPECT_EQ(Typed(FieldType::kNumber, "1000.500"), "1000.5");  // no thousands reading either
}

TEST(ValidateNumber, RejectsAmbiguousAndMalformedNumbers) {
  for (const char* text : {
           "",        "-",           "+",         ".",         "abc",         "12 34",
           "1 00",    "1000 000",    "1,00,000",  "1.5.3",     "1,000.000.5", "1.000,000,5",
           "1,5 000", "1 000,000.5", "1.000 000", "1,000 000", "5.",          "5,",
           "1..5",    "1  000",      "- 5",       "--5",       "+-5",         "5-",
           "1e5",     "0x10",        "inf",       "nan",       "Infinity",    "5 kg",
           "€5",      "5€",          "five",      "1/2",       "\xD9\xA5",  // Arabic 5
       }) {
    EXPECT_EQ(Typed(FieldType::kNumber, text), kInvalid) << text;
  }
}

TEST(ValidateNumber, ChecksTheRangeInclusively) {
  const auto field = Ranged(FieldType::kNumber, 0, 100000);
  EXPECT_EQ(Typed(field, "0"), "0");
  EXPECT_EQ(Typed(field, "100000"), "100000");
  EXPECT_EQ(Typed(field, "100 000"), "100000");
  EXPECT_EQ(Typed(field, "99999.99"), "99999.99");
  EXPECT_EQ(Typed(field, "100000.01"), kInvalid);
  EXPECT_EQ(Typed(field, "-0.01"), kInvalid);
  EXPECT_EQ(Typed(field, "-0"), "0");
  const auto only_min = Ranged(FieldType::kNumber, 1.5, std::nullopt);
  EXPECT_EQ(Typed(only_min, "1,5"), "1.5");
  EXPECT_EQ(Typed(only_min, "1.49"), kInvalid);
  EXPECT_EQ(Typed(only_min, "1e9"), kInvalid);
  EXPECT_EQ(Typed(only_min, "999 999 999"), "999999999");
  const auto only_max = Ranged(FieldType::kNumber, std::nullopt, -1);
  EXPECT_EQ(Typed(only_max, "-1"), "-1");
  EXPECT_EQ(Typed(only_max, "-0.5"), kInvalid);
}

TEST(ValidateNumber, RejectsOverlongInput) {
  EXPECT_NE(Typed(FieldType::kNumber, "1" + std::string(99, '0')), kInvalid);   // 100 bytes
  EXPECT_EQ(Typed(FieldType::kNumber, "1" + std::string(100, '0')), kInvalid);  // 101 bytes
  EXPECT_EQ(Typed(FieldType::kNumber, "0." + std::string(98, '0')), "0");
}

// ---------------------------------------------------------------- integer

TEST(ValidateInteger, ReadsWholeNumbers) {
  EXPECT_EQ(Typed(FieldType::kInteger, "42"), "42");
  EXPECT_EQ(Typed(FieldType::kInteger, " -42 "), "-42");
  EXPECT_EQ(Typed(FieldType::kInteger, "+42"), "42");
  EXPECT_EQ(Typed(FieldType::kInteger, "0042"), "42");
  EXPECT_EQ(Typed(FieldType::kInteger, "-0"), "0");
  EXPECT_EQ(Typed(FieldType::kInteger, "100 000"), "100000");
  EXPECT_EQ(Typed(FieldType::kInteger, "1,000,000"), "1000000");
  EXPECT_EQ(Typed(FieldType::kInteger, "1.000.000"), "1000000");
}

TEST(ValidateInteger, RejectsDecimalsAndAmbiguousGroups) {
  for (const char* text : {"4.5", "5.0", "2,5", "1,000", "1.000", ".5", "12 34", "42 years",
                           "forty-two", "4 2", "", "-", "1e3"}) {
    EXPECT_EQ(Typed(FieldType::kInteger, text), kInvalid) << text;
  }
}

TEST(ValidateInteger, MustFitInt64) {
  EXPECT_EQ(Typed(FieldType::kInteger, "9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(Typed(FieldType::kInteger, "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(Typed(FieldType::kInteger, "9223372036854775808"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kInteger, "-9223372036854775809"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kInteger, "99999999999999999999"), kInvalid);
}

TEST(ValidateInteger, ChecksTheRangeInclusively) {
  const auto field = Ranged(FieldType::kInteger, 1, 10);
  EXPECT_EQ(Typed(field, "1"), "1");
  EXPECT_EQ(Typed(field, "10"), "10");
  EXPECT_EQ(Typed(field, "0"), kInvalid);
  EXPECT_EQ(Typed(field, "11"), kInvalid);
  const auto fractional_bounds = Ranged(FieldType::kInteger, 0.5, 2.5);
  EXPECT_EQ(Typed(fractional_bounds, "0"), kInvalid);
  EXPECT_EQ(Typed(fractional_bounds, "1"), "1");
  EXPECT_EQ(Typed(fractional_bounds, "2"), "2");
  EXPECT_EQ(Typed(fractional_bounds, "3"), kInvalid);
  // Bounds beyond int64, and exact comparison near 2^53 where doubles lose integers.
  const auto huge = Ranged(FieldType::kInteger, -1e300, 1e300);
  EXPECT_EQ(Typed(huge, "9223372036854775807"), "9223372036854775807");
  const auto at_2_53 = Ranged(FieldType::kInteger, std::nullopt, 9007199254740992.0);
  EXPECT_EQ(Typed(at_2_53, "9007199254740992"), "9007199254740992");
  EXPECT_EQ(Typed(at_2_53, "9007199254740993"), kInvalid);
  const auto beyond = Ranged(FieldType::kInteger, 1e19, std::nullopt);
  EXPECT_EQ(Typed(beyond, "9223372036854775807"), kInvalid);
}

// ---------------------------------------------------------------- date

TEST(ValidateDate, ReadsTheThreeForms) {
  EXPECT_EQ(Typed(FieldType::kDate, "2026-03-14"), "2026-03-14");
  EXPECT_EQ(Typed(FieldType::kDate, "14/03/2026"), "2026-03-14");
  EXPECT_EQ(Typed(FieldType::kDate, "14.03.2026"), "2026-03-14");
  EXPECT_EQ(Typed(FieldType::kDate, " 14.03.2026 "), "2026-03-14");
}

TEST(ValidateDate, ReadsOneDigitDaysAndMonthsDayFirst) {
  EXPECT_EQ(Typed(FieldType::kDate, "4/3/2026"), "2026-03-04");
  EXPECT_EQ(Typed(FieldType::kDate, "4.3.2026"), "2026-03-04");
  EXPECT_EQ(Typed(FieldType::kDate, "04/3/2026"), "2026-03-04");
  EXPECT_EQ(Typed(FieldType::kDate, "2026-3-4"), "2026-03-04");
  EXPECT_EQ(Typed(FieldType::kDate, "12/11/2026"), "2026-11-12");  // day first, never US
}

TEST(ValidateDate, ChecksTheCalendar) {
  EXPECT_EQ(Typed(FieldType::kDate, "29/02/2024"), "2024-02-29");  // leap
  EXPECT_EQ(Typed(FieldType::kDate, "29/02/2026"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kDate, "2000-02-29"), "2000-02-29");  // divisible by 400
  EXPECT_EQ(Typed(FieldType::kDate, "1900-02-29"), kInvalid);      // by 100 only
  EXPECT_EQ(Typed(FieldType::kDate, "2100-02-29"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kDate, "28/02/2026"), "2026-02-28");
  EXPECT_EQ(Typed(FieldType::kDate, "31/04/2026"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kDate, "30/04/2026"), "2026-04-30");
  EXPECT_EQ(Typed(FieldType::kDate, "31/12/2026"), "2026-12-31");
  EXPECT_EQ(Typed(FieldType::kDate, "32/01/2026"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kDate, "00/01/2026"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kDate, "01/00/2026"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kDate, "01/13/2026"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kDate, "2026-13-01"), kInvalid);
}

TEST(ValidateDate, AcceptsYears1900To2200) {
  EXPECT_EQ(Typed(FieldType::kDate, "1900-01-01"), "1900-01-01");
  EXPECT_EQ(Typed(FieldType::kDate, "1899-12-31"), kInvalid);
  EXPECT_EQ(Typed(FieldType::kDate, "31.12.2200"), "2200-12-31");
  EXPECT_EQ(Typed(FieldType::kDate, "01.01.2201"), kInvalid);
}

TEST(ValidateDate, RejectsOtherSpellings) {
  for (const char* text : {
           "14/03/26",
           "14-03-2026",
           "2026/03/14",
           "2026.03.14",
           "14/03.2026",
           "14/03/2026/",
           "14//03/2026",
           "/03/2026",
           "14/03/",
           "2026-03-14T10:00",
           "2026-03",
           "14 03 2026",
           "14. 03. 2026",
           "March 14, 2026",
           "14/003/2026",
           "014/03/2026",
           "14/03/02026",
           "today",
           "",
           "1/1/1",
       }) {
    EXPECT_EQ(Typed(FieldType::kDate, text), kInvalid) << text;
  }
}

// ---------------------------------------------------------------- yesno

TEST(YesNoWord, KnowsEachLanguagesWords) {
  for (const char* yes : {"yes", "y", "yeah", "yep", "sure", "ok", "okay",  // English
                          "sì", "si", "certo",                              // Italian
                          "ja", "jawohl", "klar",                           // German
                          "oui", "d'accord",                                // French
                          "sí", "claro", "vale"}) {                         // Spanish
    EXPECT_EQ(YesNoWord(yes), true) << yes;
  }
  for (const char* no : {"no", "n", "nope", "nein", "non"}) {
    EXPECT_EQ(YesNoWord(no), false) << no;
  }
}

TEST(YesNoWord, IgnoresCaseAccentsSpacesAndFinalPunctuation) {
  EXPECT_EQ(YesNoWord("YES"), true);
  EXPECT_EQ(YesNoWord("  Yes.  "), true);
  EXPECT_EQ(YesNoWord("Ok!"), true);
  EXPECT_EQ(YesNoWord("okay!!!"), true);
  EXPECT_EQ(YesNoWord("Sì"), true);
  EXPECT_EQ(YesNoWord("SÍ"), true);
  EXPECT_EQ(YesNoWord("¡Sí!"), true);
  EXPECT_EQ(YesNoWord("D'Accord."), true);
  EXPECT_EQ(YesNoWord("d\xE2\x80\x99"
                      "accord"),
            true);  // typographic apostrophe
  EXPECT_EQ(YesNoWord("Nein!"), false);
  EXPECT_EQ(YesNoWord("NO."), false);
  EXPECT_EQ(YesNoWord("Non ."), false);
  EXPECT_EQ(YesNoWord("\xC2\xA0no\n"), false);
}

TEST(YesNoWord, ReadsThumbs) {
  EXPECT_EQ(YesNoWord("\xF0\x9F\x91\x8D"), true);                  // 👍
  EXPECT_EQ(YesNoWord("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"), true);  // 👍🏽
  EXPECT_EQ(YesNoWord("\xF0\x9F\x91\x8D\xEF\xB8\x8F"), true);      // 👍 + VS16
  EXPECT_EQ(YesNoWord("\xF0\x9F\x91\x8E"), false);                 // 👎
  EXPECT_EQ(YesNoWord("\xF0\x9F\x91\x8D\xF0\x9F\x91\x8D"), std::nullopt);
}

TEST(YesNoWord, RejectsEverythingElse) {
  for (const char* text :
       {"",    "  ",      ".",        "!",       "yes please", "no thanks", "yes no", "yess",
        "noo", "oui oui", "d accord", "daccord", "ja ja",      "maybe",     "yes?",   "?",
        "1",   "true",    "ye s",     "y.e.s",   "s",          "nö!?",      "caf\xE9"}) {
    EXPECT_EQ(YesNoWord(text), std::nullopt) << text;
  }
}

TEST(ValidateYesNo, ReadsOurButtons) {
  const auto field = Field(FieldType::kYesNo);
  EXPECT_EQ(
      ValidateAnswer(field, Message(MessageKind::kButtonReply, "Yes", std::string(kYesReplyId))),
      "yes");
  EXPECT_EQ(
      ValidateAnswer(field, Message(MessageKind::kButtonReply, "No", std::string(kNoReplyId))),
      "no");
  // The id decides, whatever the title says (translated buttons).
  EXPECT_EQ(
      ValidateAnswer(field, Message(MessageKind::kButtonReply, "Ja", std::string(kNoReplyId))),
      "no");
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kButtonReply, "", std::string(kYesReplyId))),
            "yes");
}

TEST(ValidateYesNo, ReadsWordsTypedOrOnOtherButtons) {
  const auto field = Field(FieldType::kYesNo);
  EXPECT_EQ(Typed(field, "Oui"), "yes");
  EXPECT_EQ(Typed(field, "nein"), "no");
  EXPECT_EQ(Typed(field, "perhaps"), kInvalid);
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kButtonReply, "Yes", "template:qr1")),
            "yes");
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kButtonReply, "Later", "template:qr2")),
            std::nullopt);
}

TEST(ValidateYesNo, RejectsOtherKinds) {
  const auto field = Field(FieldType::kYesNo);
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kMedia, "yes")), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kUnsupported, "yes")), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kText, "x", std::string(kYesReplyId))),
            std::nullopt);  // a reply id counts only on a tap
  EXPECT_EQ(ValidateAnswer(field, Location(1, 2)), std::nullopt);
}

TEST(ValidateYesNo, AcceptsItsOwnCanonicalValues) {  // hooks write "yes"/"no" as text
  EXPECT_EQ(Typed(FieldType::kYesNo, "yes"), "yes");
  EXPECT_EQ(Typed(FieldType::kYesNo, "no"), "no");
}

// ---------------------------------------------------------------- location

TEST(ValidateLocation, FormatsSixDecimals) {
  const auto field = Field(FieldType::kLocation);
  EXPECT_EQ(ValidateAnswer(field, Location(52.520008, 13.404954)), "52.520008,13.404954");
  EXPECT_EQ(ValidateAnswer(field, Location(-33.8688, 151.2093)), "-33.868800,151.209300");
  EXPECT_EQ(ValidateAnswer(field, Location(0, 0)), "0.000000,0.000000");
  EXPECT_EQ(ValidateAnswer(field, Location(-0.0000001, -0.0)), "0.000000,0.000000");
  EXPECT_EQ(ValidateAnswer(field, Location(90, 180)), "90.000000,180.000000");
  EXPECT_EQ(ValidateAnswer(field, Location(-90, -180)), "-90.000000,-180.000000");
}

TEST(ValidateLocation, RejectsOutOfRangeAndNonFiniteCoordinates) {
  const auto field = Field(FieldType::kLocation);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(ValidateAnswer(field, Location(90.000001, 0)), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Location(-90.5, 0)), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Location(0, 180.1)), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Location(0, -181)), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Location(nan, 0)), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Location(0, nan)), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Location(inf, 0)), std::nullopt);
  EXPECT_EQ(ValidateAnswer(field, Location(0, -inf)), std::nullopt);
}

TEST(ValidateLocation, RejectsEverythingButALocationMessage) {
  const auto field = Field(FieldType::kLocation);
  EXPECT_EQ(Typed(field, "52.520008,13.404954"), kInvalid);
  EXPECT_EQ(Typed(field, "Berlin"), kInvalid);
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kLocation, "")), std::nullopt);  // no point
  EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kMedia, "here")), std::nullopt);
}

// ---------------------------------------------------------------- choice, wrong kinds

TEST(ValidateChoice, IsNeverSetByAsk) {
  EXPECT_EQ(Typed(FieldType::kChoice, "Berlin"), kInvalid);
  EXPECT_EQ(ValidateAnswer(Field(FieldType::kChoice),
                           Message(MessageKind::kButtonReply, "Berlin", "opt:1")),
            std::nullopt);
}

TEST(ValidateAnswer, RejectsMediaAndUnsupportedMessagesForEveryTypedField) {
  for (const FieldType type :
       {FieldType::kText, FieldType::kEmail, FieldType::kPhone, FieldType::kNumber,
        FieldType::kInteger, FieldType::kDate, FieldType::kYesNo}) {
    const auto field = Field(type);
    EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kMedia, "2026-03-14")), std::nullopt);
    EXPECT_EQ(ValidateAnswer(field, Message(MessageKind::kUnsupported, "42")), std::nullopt);
    EXPECT_EQ(ValidateAnswer(field, Location(52.5, 13.4)), std::nullopt);
  }
}

TEST(ValidateAnswer, AcceptsEachTypesCanonicalFormAgain) {  // hooks write canonical values
  EXPECT_EQ(Typed(FieldType::kEmail, "lena@example.com"), "lena@example.com");
  EXPECT_EQ(Typed(FieldType::kPhone, "+4915112345678"), "+4915112345678");
  EXPECT_EQ(Typed(FieldType::kNumber, "-2.5"), "-2.5");
  EXPECT_EQ(Typed(FieldType::kNumber, "0.000001"), "0.000001");
  EXPECT_EQ(Typed(FieldType::kInteger, "-42"), "-42");
  EXPECT_EQ(Typed(FieldType::kDate, "2026-03-14"), "2026-03-14");
  for (const double value : {0.1, -1234.5678, 1e-7, 1e20, 123456789.125, 2.5e-5}) {
    const std::string canonical = dsl::FormatNumber(value);
    EXPECT_EQ(Typed(FieldType::kNumber, canonical), canonical);
  }
}

TEST(ValidateAnswer, TakesTappedTitlesForTypedFields) {
  EXPECT_EQ(ValidateAnswer(Field(FieldType::kDate),
                           Message(MessageKind::kListReply, "14/03/2026", "slot:1")),
            "2026-03-14");
  EXPECT_EQ(ValidateAnswer(Ranged(FieldType::kInteger, 1, 5),
                           Message(MessageKind::kButtonReply, "3", "n:3")),
            "3");
}

// ---------------------------------------------------------------- invalid texts

TEST(DefaultInvalidText, SaysWhatIsExpected) {
  EXPECT_EQ(DefaultInvalidText(Field(FieldType::kText)), "Please answer with a text message.");
  EXPECT_EQ(DefaultInvalidText(TextMax(80)),
            "Please answer with a text message of at most 80 characters.");
  EXPECT_EQ(DefaultInvalidText(TextMax(1)),
            "Please answer with a text message of at most 1 character.");
  EXPECT_EQ(DefaultInvalidText(Field(FieldType::kEmail)),
            "Please send an email address, like name@example.com.");
  EXPECT_EQ(DefaultInvalidText(Field(FieldType::kPhone)),
            "Please send a phone number with its country code, like +49 151 12345678.");
  EXPECT_EQ(DefaultInvalidText(Field(FieldType::kDate)), "Please send a date like 14/03/2026.");
  EXPECT_EQ(DefaultInvalidText(Field(FieldType::kYesNo)), "Please answer yes or no.");
  EXPECT_EQ(DefaultInvalidText(Field(FieldType::kLocation)),
            "Please share a location with the \xF0\x9F\x93\x8E button, then Location.");
  EXPECT_EQ(DefaultInvalidText(Field(FieldType::kChoice)), "Please choose one of the options.");
}

TEST(DefaultInvalidText, NamesTheRange) {
  EXPECT_EQ(DefaultInvalidText(Field(FieldType::kNumber)), "Please send a number.");
  EXPECT_EQ(DefaultInvalidText(Ranged(FieldType::kNumber, 0, 100000)),
            "Please send a number from 0 to 100000.");
  EXPECT_EQ(DefaultInvalidText(Ranged(FieldType::kNumber, 0.5, 2.5)),
            "Please send a number from 0.5 to 2.5.");
  EXPECT_EQ(DefaultInvalidText(Ranged(FieldType::kNumber, -10, std::nullopt)),
            "Please send a number of at least -10.");
  EXPECT_EQ(DefaultInvalidText(Ranged(FieldType::kNumber, std::nullopt, 99)),
            "Please send a number of at most 99.");
  EXPECT_EQ(DefaultInvalidText(Field(FieldType::kInteger)), "Please send a whole number.");
  EXPECT_EQ(DefaultInvalidText(Ranged(FieldType::kInteger, 1, 10)),
            "Please send a whole number from 1 to 10.");
  EXPECT_EQ(DefaultInvalidText(Ranged(FieldType::kInteger, 18, std::nullopt)),
            "Please send a whole number of at least 18.");
}

}  // namespace
}  // namespace consentflow::engine
