#include "scripting/redact.h"

#include <algorithm>
#include <cctype>

namespace consentflow::scripting {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool IsLocalPart(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool IsDomainPart(char c) { return IsAlnum(c) || c == '.' || c == '-'; }
bool IsPhoneSeparator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')';
}

// Case-insensitive (ASCII) search for `needle` in `hay` from `from`.
std::size_t FindFolded(std::string_view hay, std::string_view needle, std::size_t from) {
  if (needle.size() > hay.size()) return std::string_view::npos;
  for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && Lower(hay[i + k]) == Lower(needle[k])) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

std::string RedactValues(std::string_view text, std::vector<std::string> values) {
  std::sort(values.begin(), values.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string out(text);
  for (const std::string& value : values) {
    if (value.empty()) continue;
    for (std::size_t at = FindFolded(out, value, 0); at != std::string::npos;
         at = FindFolded(out, value, at + kRedacted.size())) {
      out.replace(at, value.size(), kRedacted);
    }
  }
  return out;
}

// local@domain.tld: scans for each '@' and widens to both sides.
std::string RedactEmails(std::string out) {
  for (std::size_t at = out.find('@'); at != std::string::npos; at = out.find('@', at + 1)) {
    std::size_t begin = at;
    while (begin > 0 && IsLocalPart(out[begin - 1])) --begin;
    std::size_t end = at + 1;
    while (end < out.size() && IsDomainPart(out[end])) ++end;
    while (end > at + 1 && (out[end - 1] == '.' || out[end - 1] == '-')) --end;
    const std::string_view domain = std::string_view(out).substr(at + 1, end - at - 1);
    const std::size_t dot = domain.rfind('.');
    if (begin == at || dot == std::string_view::npos || dot == 0 || domain.size() - dot < 3) continue;
    out.replace(begin, end - begin, kRedacted);
    at = begin + kRedacted.size() - 1;
  }
  return out;
}

std::string RedactPhones(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const bool starts = IsDigit(in[i]) || (in[i] == '+' && i + 1 < in.size() && IsDigit(in[i + 1]));
    const bool word_start = i == 0 || !IsAlnum(in[i - 1]);
    if (!starts || !word_start) {
      out += in[i++];
      continue;
    }
    std::size_t end = i + (in[i] == '+' ? 1 : 0);
    std::size_t last_digit = end;
    int digits = 0;
    while (end < in.size() && (IsDigit(in[end]) || IsPhoneSeparator(in[end]))) {
      if (IsDigit(in[end])) {
        ++digits;
        last_digit = end + 1;
      }
      ++end;
    }
    if (digits >= 7) {
      out += kRedacted;
      i = last_digit;
    } else {
      out.append(in, i, last_digit - i);
      i = last_digit;
    }
  }
  return out;
}

}  // namespace

std::string Redact(std::string_view text, std::vector<std::string> values) {
  return RedactPhones(RedactEmails(RedactValues(text, std::move(values))));
}

}  // namespace consentflow::scripting
