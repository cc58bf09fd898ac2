#include "engine/handoff/message_template.h"

#include <optional>
#include <set>

namespace consentflow::engine::handoff {
namespace {

bool Lower(char c) { return c >= 'a' && c <= 'z'; }
bool Upper(char c) { return c >= 'A' && c <= 'Z'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }

// A placeholder "{{N}}" starting at `at`: its number (and its length); nullopt when there is none.
std::optional<std::size_t> PlaceholderAt(std::string_view body, std::size_t at,
                                         std::size_t& length) {
  if (body.substr(at, 2) != "{{") return std::nullopt;
  std::size_t i = at + 2;
  std::size_t number = 0;
  while (i < body.size() && Digit(body[i]) && number < 1000) {
    number = number * 10 + static_cast<std::size_t>(body[i] - '0');
    ++i;
  }
  if (i == at + 2 || body.substr(i, 2) != "}}") return std::nullopt;
  length = i + 2 - at;
  return number;
}

}  // namespace

bool ValidTemplateName(std::string_view name) {
  if (name.empty() || name.size() > kMaxTemplateNameBytes) return false;
  for (char c : name) {
    if (!Lower(c) && !Digit(c) && c != '_') return false;
  }
  return true;
}

bool ValidLanguageCode(std::string_view code) {
  std::size_t i = 0;
  while (i < code.size() && Lower(code[i])) ++i;
  if (i < 2 || i > 3) return false;
  if (i == code.size()) return true;
  if (code[i] != '_') return false;
  const std::size_t region = code.size() - i - 1;
  if (region < 2 || region > 3) return false;
  for (std::size_t j = i + 1; j < code.size(); ++j) {
    if (!Upper(code[j])) return false;
  }
  return true;
}

std::vector<std::size_t> Placeholders(std::string_view body) {
  std::vector<std::size_t> numbers;
  for (std::size_t at = 0; at < body.size();) {
    std::size_t length = 0;
    if (const std::optional<std::size_t> n = PlaceholderAt(body, at, length)) {
      numbers.push_back(*n);
      at += length;
    } else {
      ++at;
    }
  }
  return numbers;
}

std::string CheckTemplateBody(std::string_view body, std::size_t params) {
  if (body.empty()) return "the body is empty; copy the approved template's body text";
  if (body.size() > kMaxTemplateBodyBytes) {
    return "the body is longer than " + std::to_string(kMaxTemplateBodyBytes) + " bytes";
  }
  if (params > kMaxTemplateParams) {
    return "at most " + std::to_string(kMaxTemplateParams) + " parameters are supported";
  }
  const std::vector<std::size_t> used = Placeholders(body);
  const std::set<std::size_t> distinct(used.begin(), used.end());
  for (std::size_t n : distinct) {
    if (n < 1 || n > params) {
      return "the body uses {{" + std::to_string(n) + "}} but 'params' is " +
             std::to_string(params) + "; set 'params' to the number of parameters";
    }
  }
  for (std::size_t n = 1; n <= params; ++n) {
    if (!distinct.contains(n)) {
      return "'params' is " + std::to_string(params) + " but the body never uses {{" +
             std::to_string(n) + "}}";
    }
  }
  return "";
}

std::string CheckTemplateValues(const MessageTemplate& t, const std::vector<std::string>& values) {
  if (values.size() != t.params) {
    return "template '" + t.name + "' takes " + std::to_string(t.params) + " parameter" +
           (t.params == 1 ? "" : "s") + ", not " + std::to_string(values.size());
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string& value = values[i];
    const std::string which = "parameter {{" + std::to_string(i + 1) + "}}";
    if (value.empty()) return which + " is empty";
    if (value.size() > kMaxTemplateParamBytes) {
      return which + " is longer than " + std::to_string(kMaxTemplateParamBytes) + " bytes";
    }
    if (value.find_first_of("\n\r\t") != std::string::npos) {
      return which + " has a new line or a tab; WhatsApp refuses those in parameters";
    }
    if (value.find("     ") != std::string::npos) {
      return which + " has more than 4 spaces in a row; WhatsApp refuses that in parameters";
    }
  }
  return "";
}

std::string RenderTemplate(const MessageTemplate& t, const std::vector<std::string>& values) {
  std::string out;
  out.reserve(t.body.size());
  const std::string_view body = t.body;
  for (std::size_t at = 0; at < body.size();) {
    std::size_t length = 0;
    const std::optional<std::size_t> n = PlaceholderAt(body, at, length);
    if (n && *n >= 1 && *n <= values.size()) {
      out += values[*n - 1];
      at += length;
    } else {
      out += body[at++];
    }
  }
  return out;
}

}  // namespace consentflow::engine::handoff
