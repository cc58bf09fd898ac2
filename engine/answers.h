#pragma once

// Recognising answers to the bot's interactive questions: taps on buttons and list rows (by the
// ids the bot gave them), titles typed instead of tapped, option numbers, yes/no words. Pure.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "dsl/program.h"
#include "engine/event.h"
#include "engine/outbound.h"

namespace consentflow::engine {

// Ids of the buttons the bot sends. They name the step they belong to, so a tap on an old
// message is not taken for an answer to a newer question.
std::string OptionReplyId(dsl::StateId state, uint32_t step, std::size_t option);
std::string AcceptReplyId(std::string_view notice);
std::string DeclineReplyId(std::string_view notice);

// Which option of `step` (at state/step) the message picks: a tap on its button or row, its
// title typed (case-insensitive, surrounding spaces ignored), or its number ("2").
std::optional<std::size_t> MatchOption(const dsl::Step& step, dsl::StateId state, uint32_t index,
                                       const InboundMessage& message);

enum class ConsentAnswer { kNone, kAccept, kDecline, kOption };

struct ConsentReply {
  ConsentAnswer answer = ConsentAnswer::kNone;
  std::size_t option = 0;  // kOption: which extra button
};

// The answer to a consent step: a tap, a button title typed, a plain yes/no word; kNone for
// anything else (the notice is then shown again).
ConsentReply MatchConsent(const dsl::Step& step, const dsl::ProgramNotice& notice,
                          dsl::StateId state, uint32_t index, const InboundMessage& message);

// `text` trimmed and ASCII-lower-cased, for comparing typed answers with titles.
std::string Fold(std::string_view text);

// Does `text` contain `word` as a whole word (case-insensitive)? Used for keywords and link codes.
bool ContainsWord(std::string_view text, std::string_view word);

}  // namespace consentflow::engine
