#include "engine/validate.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/value_text.h"

namespace consentflow::engine {
namespace {

using dsl::ast::FieldType;

// Every typed answer but free text is short; anything longer is not worth parsing.
constexpr size_t kMaxShortAnswerBytes = 100;
constexpr size_t kMaxEmailBytes = 254;  // RFC 5321, the whole path
constexpr size_t kMaxLocalPartBytes = 64;
constexpr size_t kMaxDomainLabelBytes = 63;
constexpr size_t kMinPhoneDigits = 8;
constexpr size_t kMaxPhoneDigits = 15;  // E.164
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2200;

// ---------------------------------------------------------------- UTF-8

struct CodePoint {
  char32_t value = 0;
  size_t length = 0;  // in bytes
};

// The code point that starts at s[i]; nullopt for a truncated, malformed or overlong sequence,
// a surrogate, or a value beyond U+10FFFF.
std::optional<CodePoint> DecodeAt(std::string_view s, size_t i) {
  struct Lead {
    unsigned char mask, bits;
    size_t length;
    char32_t min;
  };
  static constexpr Lead kLeads[] = {
      {0xE0, 0xC0, 2, 0x80}, {0xF0, 0xE0, 3, 0x800}, {0xF8, 0xF0, 4, 0x10000}};
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  if (byte(i) < 0x80) return CodePoint{byte(i), 1};
  for (const Lead& lead : kLeads) {
    if ((byte(i) & lead.mask) != lead.bits) continue;
    if (s.size() - i < lead.length) return std::nullopt;
    char32_t value = byte(i) & static_cast<unsigned char>(~lead.mask);
    for (size_t k = 1; k < lead.length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
      value = (value << 6) | (byte(i + k) & 0x3F);
    }
    if (value < lead.min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
      return std::nullopt;
    }
    return CodePoint{value, lead.length};
  }
  return std::nullopt;  // a continuation byte, or 0xF8..0xFF
}

// Whitespace, and the invisible marks phones put around pasted names and numbers: direction
// marks, embeddings and isolates, zero-width spaces and joiners, the byte order mark.
bool IsBlank(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200F) || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202A && c <= 0x202F) || c == 0x205F || c == 0x2060 ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x3000 || c == 0xFEFF;
}

// `s` without blanks at either end; nullopt when `s` is not valid UTF-8.
std::optional<std::string_view> TrimUtf8(std::string_view s) {
  size_t begin = s.size();
  size_t end = 0;
  for (size_t i = 0; i < s.size();) {
    const auto cp = DecodeAt(s, i);
    if (!cp) return std::nullopt;
    if (!IsBlank(cp->value)) {
      if (begin == s.size()) begin = i;
      end = i + cp->length;
    }
    i += cp->length;
  }
  if (begin == s.size()) return std::string_view();
  return s.substr(begin, end - begin);
}

// Valid UTF-8 only: every byte that is not a continuation byte starts a code point.
size_t CountCodePoints(std::string_view s) {
  return std::count_if(s.begin(), s.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

bool IsTap(const InboundMessage& m) {
  return m.kind == MessageKind::kButtonReply || m.kind == MessageKind::kListReply;
}

// The text a typed answer is read from: a text message, or the title of a tapped button or list
// row (a template's quick reply, a button of an earlier message); trimmed. nullopt for other
// kinds (a media caption is not an answer), invalid UTF-8 and blank text.
std::optional<std::string_view> AnswerText(const InboundMessage& m) {
  if (m.kind != MessageKind::kText && !IsTap(m)) return std::nullopt;
  const auto text = TrimUtf8(m.text);
  if (!text || text->empty()) return std::nullopt;
  return text;
}

std::optional<std::string_view> ShortAnswerText(const InboundMessage& m) {
  const auto text = AnswerText(m);
  if (!text || text->size() > kMaxShortAnswerBytes) return std::nullopt;
  return text;
}

// ---------------------------------------------------------------- text

// Length counts code points, not grapheme clusters: "😀" is one character, a flag two, a family
// joined with ZWJ several. Line breaks inside the text are kept.
std::optional<std::string> ValidateText(const dsl::ProgramField& field, const InboundMessage& m) {
  const auto text = AnswerText(m);
  if (!text) return std::nullopt;
  if (static_cast<int64_t>(CountCodePoints(*text)) > field.max_length) return std::nullopt;
  return std::string(*text);
}

// ---------------------------------------------------------------- email

// A dot-atom of any non-blank characters but RFC 5322's specials; non-ASCII is allowed
// (RFC 6531). No leading, trailing or doubled dot.
bool IsLocalPart(std::string_view local) {
  if (local.empty() || local.size() > kMaxLocalPartBytes) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != local.npos) return false;
  constexpr std::string_view kSpecials = "\"(),:;<>@[\\]";
  for (size_t i = 0; i < local.size();) {
    const auto cp = DecodeAt(local, i);
    if (!cp || IsBlank(cp->value) || cp->value < 0x20 || cp->value == 0x7F) return false;
    if (cp->value < 0x80 && kSpecials.find(static_cast<char>(cp->value)) != kSpecials.npos) {
      return false;
    }
    i += cp->length;
  }
  return true;
}

// Letters, digits and inner hyphens, 1 to 63 of them.
bool IsDomainLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxDomainLabelBytes) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return IsLetter(c) || IsDigit(c) || c == '-'; });
}

// Two or more letters, or an internationalised TLD in its ASCII form ("xn--p1ai").
bool IsTopLevelDomain(std::string_view label) {
  if (label.size() > 4 && label.substr(0, 4) == "xn--") return true;
  return label.size() >= 2 && std::all_of(label.begin(), label.end(), IsLetter);
}

// Dot-separated labels, at least two. Internationalised domains must be in their ASCII form:
// "münchen.de" is rejected, "xn--mnchen-3ya.de" accepted.
bool IsDomain(std::string_view domain) {
  const size_t last_dot = domain.rfind('.');
  if (last_dot == domain.npos || !IsTopLevelDomain(domain.substr(last_dot + 1))) return false;
  for (size_t start = 0; start <= domain.size();) {
    const size_t dot = std::min(domain.find('.', start), domain.size());
    if (!IsDomainLabel(domain.substr(start, dot - start))) return false;
    start = dot + 1;
  }
  return true;
}

std::optional<std::string> ValidateEmail(const InboundMessage& m) {
  const auto text = AnswerText(m);
  if (!text || text->size() > kMaxEmailBytes) return std::nullopt;
  const size_t at = text->find('@');
  if (at == text->npos || text->find('@', at + 1) != text->npos) return std::nullopt;
  const std::string_view local = text->substr(0, at);
  const std::string_view domain = text->substr(at + 1);
  if (!IsLocalPart(local) || !IsDomain(domain)) return std::nullopt;
  std::string email(local);
  email += '@';
  std::transform(domain.begin(), domain.end(), std::back_inserter(email), ToLower);
  return email;
}

// ---------------------------------------------------------------- phone

// The digits of a number as people type it: digits with spaces, '-', '.' and one level of
// parentheses between them ("(0151) 123-45.67"); it starts with a digit or '(' and ends with a
// digit. nullopt for anything else.
std::optional<std::string> PhoneDigits(std::string_view s) {
  if (s.empty() || !(IsDigit(s.front()) || s.front() == '(') || !IsDigit(s.back())) {
    return std::nullopt;
  }
  std::string digits;
  bool open = false;
  char previous = 0;
  for (const char c : s) {
    if (IsDigit(c)) {
      digits += c;
    } else if (c == '(' && !open) {
      open = true;
    } else if (c == ')' && open && IsDigit(previous)) {
      open = false;
    } else if (c != ' ' && c != '-' && c != '.') {
      return std::nullopt;
    }
    previous = c;
  }
  if (open) return std::nullopt;
  return digits;
}

// '+' or "00" starts an international number. Without either we cannot know the country, so
// the digits are kept as given behind a '+' (WhatsApp numbers are international anyway); a
// leading 0 is a national trunk prefix, never the start of a country code, and is rejected.
// "(0)" after the country code ("+49 (0)151 ...") is the trunk prefix written for national
// callers and is dropped.
std::optional<std::string> ValidatePhone(const InboundMessage& m) {
  const auto text = ShortAnswerText(m);
  if (!text) return std::nullopt;
  std::string_view rest = *text;
  bool international = true;
  if (rest.starts_with('+')) {
    rest.remove_prefix(1);
  } else if (rest.starts_with("00")) {
    rest.remove_prefix(2);
  } else {
    international = false;
  }
  std::string spelled(rest);
  if (international) {
    for (size_t at; (at = spelled.find("(0)")) != spelled.npos;) spelled.erase(at, 3);
  }
  const auto digits = PhoneDigits(spelled);
  if (!digits || digits->size() < kMinPhoneDigits || digits->size() > kMaxPhoneDigits ||
      digits->front() == '0') {
    return std::nullopt;
  }
  return "+" + *digits;
}

// ---------------------------------------------------------------- number, integer

enum class Separator { kPoint, kComma, kSpace };

// A number as typed, cut at its separators: "-1 000,5" is negative, runs {"1", "000", "5"},
// separators {kSpace, kComma}. The first run is empty for ".5".
struct SplitNumber {
  bool negative = false;
  std::vector<std::string_view> runs;
  std::vector<Separator> separators;  // separators[i] stands between runs[i] and runs[i + 1]
};

// The separator at s[i] and its length in bytes: '.', ',', a space, a no-break space, a thin
// space or a narrow no-break space (what phones and French keyboards put between groups).
std::optional<std::pair<Separator, size_t>> SeparatorAt(std::string_view s, size_t i) {
  static constexpr std::pair<std::string_view, Separator> kSeparators[] = {
      {".", Separator::kPoint},
      {",", Separator::kComma},
      {" ", Separator::kSpace},
      {"\xC2\xA0", Separator::kSpace},
      {"\xE2\x80\x89", Separator::kSpace},
      {"\xE2\x80\xAF", Separator::kSpace}};
  for (const auto& [spelling, separator] : kSeparators) {
    if (s.substr(i, spelling.size()) == spelling) return std::pair(separator, spelling.size());
  }
  return std::nullopt;
}

// A sign ('+', '-' or the Unicode minus), then digits and single separators; every run but the
// first has digits, and an empty first run is allowed only before a lone '.' or ','.
std::optional<SplitNumber> Split(std::string_view s) {
  SplitNumber n;
  if (s.starts_with('-') || s.starts_with('+')) {
    n.negative = s.front() == '-';
    s.remove_prefix(1);
  } else if (s.starts_with("\xE2\x88\x92")) {  // U+2212 MINUS SIGN
    n.negative = true;
    s.remove_prefix(3);
  }
  size_t start = 0;
  for (size_t i = 0; i < s.size();) {
    if (IsDigit(s[i])) {
      ++i;
      continue;
    }
    const auto separator = SeparatorAt(s, i);
    if (!separator) return std::nullopt;
    n.runs.push_back(s.substr(start, i - start));
    n.separators.push_back(separator->first);
    i += separator->second;
    start = i;
  }
  n.runs.push_back(s.substr(start));
  for (size_t k = 1; k < n.runs.size(); ++k) {
    if (n.runs[k].empty()) return std::nullopt;
  }
  if (n.runs[0].empty() && (n.runs.size() != 2 || n.separators[0] == Separator::kSpace)) {
    return std::nullopt;
  }
  return n;
}

// Which separator is the decimal one: the last '.' or ',' when that character occurs once
// ("2,5", "1,000.5", "1.000,5"). None when it repeats ("1,000,000"): then it groups thousands.
std::optional<size_t> DecimalSeparator(const std::vector<Separator>& separators) {
  for (size_t k = separators.size(); k-- > 0;) {
    if (separators[k] == Separator::kSpace) continue;
    if (std::count(separators.begin(), separators.end(), separators[k]) == 1) return k;
    return std::nullopt;
  }
  return std::nullopt;
}

// The first `count` separators group thousands: all of one kind, a first group of 1 to 3
// digits, then groups of exactly 3 ("12 34" is two numbers, not one).
bool AreThousandsGroups(const SplitNumber& n, size_t count) {
  if (count == 0) return true;
  for (size_t k = 0; k < count; ++k) {
    if (n.separators[k] != n.separators[0]) return false;
  }
  if (n.runs[0].empty() || n.runs[0].size() > 3) return false;
  for (size_t k = 1; k <= count; ++k) {
    if (n.runs[k].size() != 3) return false;
  }
  return true;
}

struct DecimalText {
  bool negative = false;
  std::string integer;   // digits only, may be empty (".5")
  std::string fraction;  // digits only, empty without a decimal separator
};

// A decimal number as people type it, see DecimalSeparator and AreThousandsGroups; the decimal
// separator must be the last separator.
std::optional<DecimalText> ParseDecimal(std::string_view text) {
  const auto n = Split(text);
  if (!n) return std::nullopt;
  const auto decimal = DecimalSeparator(n->separators);
  if (decimal && *decimal + 1 != n->separators.size()) return std::nullopt;
  const size_t groups = decimal ? *decimal : n->separators.size();
  if (!AreThousandsGroups(*n, groups)) return std::nullopt;
  // "1,000" and "2.500" are a thousand and two and a half thousand in some countries, and one
  // and two and a half in others: such an answer is asked again rather than guessed.
  if (decimal && groups == 0 && n->runs[0].size() >= 1 && n->runs[0].size() <= 3 &&
      n->runs[0] != "0" && n->runs.back().size() == 3 &&
      n->separators[*decimal] != Separator::kSpace) {
    return std::nullopt;
  }
  DecimalText parsed;
  parsed.negative = n->negative;
  for (size_t k = 0; k <= groups; ++k) parsed.integer += n->runs[k];
  if (decimal) parsed.fraction = n->runs.back();
  return parsed;
}

bool InRange(double value, const dsl::ProgramField& field) {
  return (!field.min || value >= *field.min) && (!field.max || value <= *field.max);
}

// "-0" reads as 0, so that the canonical form never shows "-0".
std::optional<std::string> ValidateNumber(const dsl::ProgramField& field, const InboundMessage& m) {
  const auto text = ShortAnswerText(m);
  if (!text) return std::nullopt;
  const auto parsed = ParseDecimal(*text);
  if (!parsed) return std::nullopt;
  std::string ascii = parsed->integer.empty() ? "0" : parsed->integer;
  if (!parsed->fraction.empty()) ascii += "." + parsed->fraction;
  double value = 0;
  const auto result =
      std::from_chars(ascii.data(), ascii.data() + ascii.size(), value, std::chars_format::fixed);
  if (result.ec != std::errc() || result.ptr != ascii.data() + ascii.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  if (parsed->negative && value != 0) value = -value;
  if (!InRange(value, field)) return std::nullopt;
  return dsl::FormatNumber(value);
}

// Exact comparisons of an int64 with a double bound, which may lie beyond int64's range;
// a NaN bound (never compiled) bounds nothing.
bool AtLeast(int64_t value, std::optional<double> bound) {
  if (!bound || std::isnan(*bound) || *bound < -0x1p63) return true;
  if (*bound >= 0x1p63) return false;
  return value >= static_cast<int64_t>(std::ceil(*bound));
}
bool AtMost(int64_t value, std::optional<double> bound) {
  if (!bound || std::isnan(*bound) || *bound >= 0x1p63) return true;
  if (*bound < -0x1p63) return false;
  return value <= static_cast<int64_t>(std::floor(*bound));
}

// The number rules without a decimal part: "1 000" and "1,000,000" are integers, "5.0" and
// "1,000" (a decimal comma) are not.
std::optional<std::string> ValidateInteger(const dsl::ProgramField& field,
                                           const InboundMessage& m) {
  const auto text = ShortAnswerText(m);
  if (!text) return std::nullopt;
  const auto parsed = ParseDecimal(*text);
  if (!parsed || parsed->integer.empty() || !parsed->fraction.empty()) return std::nullopt;
  const std::string ascii = (parsed->negative ? "-" : "") + parsed->integer;
  int64_t value = 0;
  const auto result = std::from_chars(ascii.data(), ascii.data() + ascii.size(), value);
  if (result.ec != std::errc() || result.ptr != ascii.data() + ascii.size()) return std::nullopt;
  if (!AtLeast(value, field.min) || !AtMost(value, field.max)) return std::nullopt;
  return std::to_string(value);
}

// ---------------------------------------------------------------- date

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
};

// `s` cut at `separator` into exactly three non-empty digit runs.
std::optional<std::array<std::string_view, 3>> SplitDate(std::string_view s, char separator) {
  std::array<std::string_view, 3> parts;
  for (size_t k = 0; k < 3; ++k) {
    const size_t end = k < 2 ? s.find(separator) : s.npos;
    if (k < 2 && end == s.npos) return std::nullopt;
    parts[k] = s.substr(0, end);
    if (parts[k].empty() || !AllDigits(parts[k])) return std::nullopt;
    s.remove_prefix(k < 2 ? end + 1 : s.size());
  }
  return parts;
}

int ToInt(std::string_view digits) {
  int value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}

// "2026-03-14" (year first), "14/03/2026" and "14.03.2026" (day first); day and month of one or
// two digits, the year of four.
std::optional<Date> ParseDate(std::string_view text) {
  const size_t first = text.find_first_of("-/.");
  if (first == text.npos) return std::nullopt;
  const bool iso = text[first] == '-';
  const auto parts = SplitDate(text, text[first]);
  if (!parts) return std::nullopt;
  const std::string_view year = iso ? (*parts)[0] : (*parts)[2];
  const std::string_view month = (*parts)[1];
  const std::string_view day = iso ? (*parts)[2] : (*parts)[0];
  if (year.size() != 4 || month.size() > 2 || day.size() > 2) return std::nullopt;
  return Date{ToInt(year), ToInt(month), ToInt(day)};
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

std::optional<std::string> ValidateDate(const InboundMessage& m) {
  const auto text = ShortAnswerText(m);
  if (!text) return std::nullopt;
  const auto date = ParseDate(*text);
  if (!date || date->year < kMinYear || date->year > kMaxYear || date->month < 1 ||
      date->month > 12 || date->day < 1 || date->day > DaysInMonth(date->year, date->month)) {
    return std::nullopt;
  }
  char iso[32];  // room for any int, to keep -Wformat-truncation quiet
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", date->year, date->month, date->day);
  return std::string(iso);
}

// ---------------------------------------------------------------- yesno

// U+00C0..U+00FF without their accents; '?' keeps the letter as it is (Æ, ×, Þ, ß, ...).
constexpr std::string_view kLatin1Folded =
    "aaaaaa?ceeeeiiiidnooooo?ouuuuy??"
    "aaaaaa?ceeeeiiiidnooooo?ouuuuy?y";

// One code point as the word lists spell it: lower-case, without accents, straight apostrophe;
// the emoji presentation selector and skin tones vanish ("👍🏽" is "👍").
void AppendFolded(std::string_view spelled, char32_t c, std::string& out) {
  if (c < 0x80) {
    out += ToLower(static_cast<char>(c));
  } else if (c >= 0xC0 && c <= 0xFF && kLatin1Folded[c - 0xC0] != '?') {
    out += kLatin1Folded[c - 0xC0];
  } else if (c == 0x2018 || c == 0x2019 || c == 0x00B4 || c == 0x02BC) {
    out += '\'';  // phones type "d’accord"
  } else if (c != 0xFE0F && !(c >= 0x1F3FB && c <= 0x1F3FF)) {
    out += spelled;
  }
}

// `text` trimmed, without a leading '¡' and final '.' or '!', folded (AppendFolded).
std::optional<std::string> FoldWord(std::string_view text) {
  auto trimmed = TrimUtf8(text);
  if (!trimmed) return std::nullopt;
  std::string_view s = *trimmed;
  if (s.starts_with("\xC2\xA1")) s.remove_prefix(2);  // ¡
  while (!s.empty() && (s.back() == '.' || s.back() == '!')) s.remove_suffix(1);
  s = *TrimUtf8(s);  // still valid: only whole code points were removed
  std::string folded;
  for (size_t i = 0; i < s.size();) {
    const CodePoint cp = *DecodeAt(s, i);
    AppendFolded(s.substr(i, cp.length), cp.value, folded);
    i += cp.length;
  }
  return folded;
}

// The words YesNoWord knows, as FoldWord spells them ("si" is also "sì" and "sí").
// clang-format off
constexpr std::string_view kYesWords[] = {
    "yes", "y", "yeah", "yep", "sure", "ok", "okay",  // English
    "si", "certo",                                    // Italian
    "ja", "jawohl", "klar",                           // German
    "oui", "d'accord",                                // French
    "claro", "vale",                                  // Spanish ("si" above)
    "\xF0\x9F\x91\x8D"};                              // 👍
constexpr std::string_view kNoWords[] = {
    "no", "n", "nope", "nein", "non",
    "\xF0\x9F\x91\x8E"};                              // 👎
// clang-format on

std::optional<std::string> ValidateYesNo(const InboundMessage& m) {
  if (IsTap(m) && m.reply_id == kYesReplyId) return "yes";
  if (IsTap(m) && m.reply_id == kNoReplyId) return "no";
  if (m.kind != MessageKind::kText && !IsTap(m)) return std::nullopt;
  const auto yes = YesNoWord(m.text);
  if (!yes) return std::nullopt;
  return *yes ? "yes" : "no";
}

// ---------------------------------------------------------------- location

std::string Coordinate(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", value);
  const std::string_view spelled = text;
  return spelled == "-0.000000" ? "0.000000" : std::string(spelled);
}

std::optional<std::string> ValidateLocation(const InboundMessage& m) {
  if (m.kind != MessageKind::kLocation || !m.location) return std::nullopt;
  const double latitude = m.location->latitude;
  const double longitude = m.location->longitude;
  // NaN fails every comparison, infinity the ranges.
  if (!(latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180)) {
    return std::nullopt;
  }
  return Coordinate(latitude) + "," + Coordinate(longitude);
}

// ---------------------------------------------------------------- invalid texts

// " from 0 to 100000", " of at least 18", " of at most 10", or nothing.
std::string RangeText(const dsl::ProgramField& field) {
  if (field.min && field.max) {
    return " from " + dsl::FormatNumber(*field.min) + " to " + dsl::FormatNumber(*field.max);
  }
  if (field.min) return " of at least " + dsl::FormatNumber(*field.min);
  if (field.max) return " of at most " + dsl::FormatNumber(*field.max);
  return "";
}

std::string TextInvalidText(const dsl::ProgramField& field) {
  if (field.max_length == dsl::ProgramField().max_length) {
    return "Please answer with a text message.";
  }
  return "Please answer with a text message of at most " + std::to_string(field.max_length) +
         (field.max_length == 1 ? " character." : " characters.");
}

}  // namespace

std::optional<std::string> ValidateAnswer(const dsl::ProgramField& field,
                                          const InboundMessage& answer) {
  switch (field.type) {
    case FieldType::kText:
      return ValidateText(field, answer);
    case FieldType::kEmail:
      return ValidateEmail(answer);
    case FieldType::kPhone:
      return ValidatePhone(answer);
    case FieldType::kNumber:
      return ValidateNumber(field, answer);
    case FieldType::kInteger:
      return ValidateInteger(field, answer);
    case FieldType::kDate:
      return ValidateDate(answer);
    case FieldType::kYesNo:
      return ValidateYesNo(answer);
    case FieldType::kLocation:
      return ValidateLocation(answer);
    case FieldType::kChoice:
      return std::nullopt;  // set by `choose`
  }
  return std::nullopt;
}

std::optional<bool> YesNoWord(std::string_view text) {
  if (text.size() > kMaxShortAnswerBytes) return std::nullopt;
  const auto word = FoldWord(text);
  if (!word || word->empty()) return std::nullopt;
  if (std::find(std::begin(kYesWords), std::end(kYesWords), *word) != std::end(kYesWords))
    return true;
  if (std::find(std::begin(kNoWords), std::end(kNoWords), *word) != std::end(kNoWords))
    return false;
  return std::nullopt;
}

std::string DefaultInvalidText(const dsl::ProgramField& field) {
  switch (field.type) {
    case FieldType::kText:
      return TextInvalidText(field);
    case FieldType::kEmail:
      return "Please send an email address, like name@example.com.";
    case FieldType::kPhone:
      return "Please send a phone number with its country code, like +49 151 12345678.";
    case FieldType::kNumber:
      return "Please send a number" + RangeText(field) + ".";
    case FieldType::kInteger:
      return "Please send a whole number" + RangeText(field) + ".";
    case FieldType::kDate:
      return "Please send a date like 14/03/2026.";
    case FieldType::kYesNo:
      return "Please answer yes or no.";
    case FieldType::kLocation:
      return "Please share a location with the \xF0\x9F\x93\x8E button, then Location.";  // 📎
    case FieldType::kChoice:
      return "Please choose one of the options.";
  }
  return "Please try again.";
}

}  // namespace consentflow::engine
