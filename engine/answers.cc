#include "engine/answers.h"

#include <algorithm>
#include <cctype>

#include "engine/validate.h"

namespace consentflow::engine {

std::string OptionReplyId(dsl::StateId state, uint32_t step, std::size_t option) {
  return "o:" + std::to_string(state) + ":" + std::to_string(step) + ":" + std::to_string(option);
}
std::string AcceptReplyId(std::string_view notice) { return "n:" + std::string(notice) + ":accept"; }
std::string DeclineReplyId(std::string_view notice) {
  return "n:" + std::string(notice) + ":decline";
}

std::string Fold(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  std::string out(text.substr(first, last - first + 1));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool ContainsWord(std::string_view text, std::string_view word) {
  if (word.empty()) return false;
  const std::string haystack = Fold(text);
  const std::string needle = Fold(word);
  auto is_word_char = [](unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; };
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    const bool starts = at == 0 || !is_word_char(haystack[at - 1]);
    const std::size_t end = at + needle.size();
    const bool ends = end == haystack.size() || !is_word_char(haystack[end]);
    if (starts && ends) return true;
  }
  return false;
}

namespace {

// "2", "2.", "2)" -> 2
std::optional<std::size_t> OptionNumber(std::string_view folded) {
  while (!folded.empty() && (folded.back() == '.' || folded.back() == ')')) folded.remove_suffix(1);
  if (folded.empty() || folded.size() > 2) return std::nullopt;
  std::size_t n = 0;
  for (const char c : folded) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

std::optional<std::size_t> MatchTitle(const std::vector<dsl::ProgramOption>& options,
                                      std::string_view text) {
  const std::string folded = Fold(text);
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (Fold(options[i].title) == folded) return i;
  }
  return std::nullopt;
}

bool IsTap(const InboundMessage& m) {
  return m.kind == MessageKind::kButtonReply || m.kind == MessageKind::kListReply;
}

}  // namespace

std::optional<std::size_t> MatchOption(const dsl::Step& step, dsl::StateId state, uint32_t index,
                                       const InboundMessage& message) {
  if (IsTap(message)) {
    for (std::size_t i = 0; i < step.options.size(); ++i) {
      if (message.reply_id == OptionReplyId(state, index, i)) return i;
    }
  }
  if (message.kind != MessageKind::kText && !IsTap(message)) return std::nullopt;
  if (auto by_title = MatchTitle(step.options, message.text)) return by_title;
  if (message.kind != MessageKind::kText) return std::nullopt;
  const auto number = OptionNumber(Fold(message.text));
  if (number && *number >= 1 && *number <= step.options.size()) return *number - 1;
  return std::nullopt;
}

ConsentReply MatchConsent(const dsl::Step& step, const dsl::ProgramNotice& notice,
                          dsl::StateId state, uint32_t index, const InboundMessage& message) {
  if (IsTap(message)) {
    if (message.reply_id == AcceptReplyId(notice.id)) return {ConsentAnswer::kAccept, 0};
    if (message.reply_id == DeclineReplyId(notice.id)) return {ConsentAnswer::kDecline, 0};
  }
  if (auto option = MatchOption(step, state, index, message)) {
    // Numbers are not accepted here: "1" must not be read as a decision.
    if (IsTap(message) || Fold(step.options[*option].title) == Fold(message.text)) {
      return {ConsentAnswer::kOption, *option};
    }
  }
  if (message.kind != MessageKind::kText && !IsTap(message)) return {};
  const std::string folded = Fold(message.text);
  if (folded == Fold(notice.accept)) return {ConsentAnswer::kAccept, 0};
  if (folded == Fold(notice.decline)) return {ConsentAnswer::kDecline, 0};
  if (message.kind != MessageKind::kText) return {};
  if (const auto yes = YesNoWord(message.text)) {
    return {*yes ? ConsentAnswer::kAccept : ConsentAnswer::kDecline, 0};
  }
  return {};
}

}  // namespace consentflow::engine
