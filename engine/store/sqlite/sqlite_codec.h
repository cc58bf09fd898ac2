#pragma once

// Internal to engine/store/sqlite/: how the structured parts of a row are written as text.
//
// Enums are stored by stable names (not by their C++ values, which may be reordered), the
// handoff priority by a rank that sorts (0 low .. 3 urgent), lists and messages as compact JSON.
// Encoding fails with kInvalidArgument on text that is not valid UTF-8 (nothing is silently
// replaced: a ledger entry must read back exactly as it was hashed); decoding fails with
// kInternal, since a stored value that does not decode means a corrupt database. Messages
// never quote the text itself.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"
#include "engine/base/result.h"
#include "engine/base/status.h"
#include "engine/consent_decision.h"
#include "engine/conversation.h"
#include "engine/event.h"
#include "engine/outbound.h"

namespace consentflow::engine::sqlite {

const char* PhaseName(Phase phase);  // "idle", "waiting", "handoff"
Result<Phase> ParsePhase(std::string_view name);

const char* TimerKindName(TimerKind kind);  // "none", "step_timeout", "flow_timeout"
Result<TimerKind> ParseTimerKind(std::string_view name);

// The inverse of DecisionName() (engine/consent_decision.h).
Result<Decision> ParseDecision(std::string_view name);

int64_t PriorityRank(dsl::ast::Priority priority);  // higher is more urgent
Result<dsl::ast::Priority> PriorityFromRank(int64_t rank);

// A JSON array of strings (purposes).
Result<std::string> EncodeStrings(const std::vector<std::string>& strings);
Result<std::vector<std::string>> DecodeStrings(std::string_view json);

// An inbound message's payload: kind, text, reply_id, location, referral. The id, contact and
// time are columns of their own (they outlive the payload, which is erased once processed).
Result<std::string> EncodeInboundPayload(const InboundMessage& message);
// Fills the payload members of `message`.
Status DecodeInboundPayload(std::string_view json, InboundMessage& message);

// An outbound message without its contact (a column of its own).
Result<std::string> EncodeOutboundMessage(const OutboundMessage& message);
// Fills every member of `message` but `contact`.
Status DecodeOutboundMessage(std::string_view json, OutboundMessage& message);

}  // namespace consentflow::engine::sqlite
