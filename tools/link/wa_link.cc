#include "tools/link/wa_link.h"

#include <algorithm>
#include <cstdint>

#include "dsl/link_code.h"
#include "engine/answers.h"
#include "tools/link/percent_encoding.h"
#include "tools/link/phone_number.h"

namespace consentflow::link {
namespace {

constexpr std::string_view kHttps = "https://wa.me/";
constexpr std::string_view kHttp = "http://wa.me/";

// The prefilled text's own rules: UTF-8, no control characters except '\n' and '\t', bounded.
Status CheckText(std::string_view text) {
  if (const std::size_t at = FindInvalidUtf8(text); at != std::string_view::npos) {
    return Status::InvalidArgument("the text is not valid UTF-8 (byte " + std::to_string(at + 1) +
                                   "); save it as UTF-8");
  }
  const auto control = std::find_if(text.begin(), text.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f;
  });
  if (control != text.end()) {
    return Status::InvalidArgument("the text contains a control character (byte " +
                                   std::to_string(control - text.begin() + 1) +
                                   "); only line breaks and tabs are allowed");
  }
  if (text.size() > kMaxPrefilledBytes) {
    return Status::InvalidArgument("the text is " + std::to_string(text.size()) +
                                   " bytes long; a prefilled text may be at most " +
                                   std::to_string(kMaxPrefilledBytes) + " bytes: keep it short");
  }
  return Status::Ok();
}

}  // namespace

std::size_t FindInvalidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    uint32_t code_point = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2;
      code_point = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code_point = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code_point = c & 0x07;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallest[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

Status CheckLinkCode(std::string_view code) {
  if (code.empty()) return Status::InvalidArgument("the link code is empty; e.g. \"SPRING24\"");
  if (!dsl::IsValidLinkCode(code)) {
    return Status::InvalidArgument(
        "link code \"" + std::string(code) + "\" is not a code of the flow language: use 1 to " +
        std::to_string(dsl::kMaxLinkCode) + " letters, digits, '-' or '_', e.g. \"SPRING24\"");
  }
  return Status::Ok();
}

Result<std::string> PrefilledText(std::string_view text, std::string_view code) {
  if (Status s = CheckLinkCode(code); !s.ok()) return s;
  if (Status s = CheckText(text); !s.ok()) return s;
  // The engine's own whole-word, case-insensitive match decides whether the code is there.
  if (engine::ContainsWord(text, code)) return std::string(text);
  std::string out(text);
  if (!out.empty() && out.back() != ' ' && out.back() != '\n' && out.back() != '\t') out += ' ';
  out += code;
  if (Status s = CheckText(out); !s.ok()) return s;
  return out;
}

Result<WaLink> MakeWaLink(std::string_view phone, std::string_view code, std::string_view text) {
  Result<std::string> digits = NormalizePhoneNumber(phone);
  if (!digits) return digits.error();
  Result<std::string> prefilled = PrefilledText(text, code);
  if (!prefilled) return prefilled.error();
  WaLink link;
  link.phone = std::move(*digits);
  link.text = std::move(*prefilled);
  link.url = std::string(kHttps) + link.phone + "?text=" + PercentEncode(link.text);
  return link;
}

Result<WaLink> ParseWaLink(std::string_view url) {
  std::string_view rest;
  if (url.starts_with(kHttps)) {
    rest = url.substr(kHttps.size());
  } else if (url.starts_with(kHttp)) {
    rest = url.substr(kHttp.size());
  } else {
    return Status::InvalidArgument("\"" + std::string(url) +
                                   "\" is no wa.me link: it must start "
                                   "with https://wa.me/");
  }
  const std::size_t query_at = rest.find('?');
  std::string_view phone = rest.substr(0, query_at);
  if (phone.ends_with('/')) phone.remove_suffix(1);
  if (phone.empty() ||
      !std::all_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument("the link's phone number \"" + std::string(phone) +
                                   "\" must be digits only");
  }
  WaLink link;
  link.phone = std::string(phone);
  link.url = std::string(url);
  std::string_view query = query_at == std::string_view::npos ? "" : rest.substr(query_at + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view parameter = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (!parameter.starts_with("text=")) continue;
    Result<std::string> text = PercentDecode(parameter.substr(5));
    if (!text) return Status::InvalidArgument("the link's text: " + text.error().message());
    if (FindInvalidUtf8(*text) != std::string::npos) {
      return Status::InvalidArgument("the link's text is not valid UTF-8 once decoded");
    }
    link.text = std::move(*text);
  }
  return link;
}

}  // namespace consentflow::link
