#pragma once
// Message templates: what an agent may send once the contact's 24-hour window has passed
// (docs/handoff.md, "Templates"). WhatsApp delivers only templates it approved beforehand outside
// the window; the server's configuration declares the ones agents may use ([[templates]]), with
// the approved body so the console can show what the customer will read. Pure.
//
// A body's parameters are {{1}}, {{2}}, ... {{n}}: each number from 1 to `params` appears at
// least once, and no other. The values an agent fills in are checked against WhatsApp's rules
// before anything is queued: the right count, each non-empty, at most kMaxTemplateParamBytes,
// no new line or tab, no more than 4 spaces in a row.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace consentflow::engine::handoff {

struct MessageTemplate {
  std::string name;      // as approved in WhatsApp Manager: lowercase letters, digits, '_'
  std::string language;  // the approved translation's code: "en", "en_US", "pt_BR"
  std::string body;      // the approved body text, with {{1}} .. {{params}}
  std::size_t params = 0;

  friend bool operator==(const MessageTemplate&, const MessageTemplate&) = default;
};

inline constexpr std::size_t kMaxTemplateNameBytes = 512;
inline constexpr std::size_t kMaxTemplateBodyBytes = 1024;
inline constexpr std::size_t kMaxTemplateParamBytes = 1024;
inline constexpr std::size_t kMaxTemplateParams = 20;

bool ValidTemplateName(std::string_view name);
// "en", "fil", "en_US", "zh_HK": 2 or 3 lowercase letters, optionally '_' and 2 or 3 capitals.
bool ValidLanguageCode(std::string_view code);

// The numbers of the {{n}} placeholders in `body`, in the order they appear (repeats kept).
std::vector<std::size_t> Placeholders(std::string_view body);

// "" when `body` uses exactly {{1}} .. {{params}}; otherwise what is wrong, in words.
std::string CheckTemplateBody(std::string_view body, std::size_t params);

// "" when `values` may fill `t`; otherwise what is wrong, for the agent (names no value).
std::string CheckTemplateValues(const MessageTemplate& t, const std::vector<std::string>& values);

// The body with each {{n}} replaced by values[n - 1]. REQUIRES: CheckTemplateValues() passed.
std::string RenderTemplate(const MessageTemplate& t, const std::vector<std::string>& values);

}  // namespace consentflow::engine::handoff
