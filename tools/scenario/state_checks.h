#pragma once

// The expectations about what the engine holds for the contact (fields, consents, where the chat
// is, the ledger, privacy incidents), checked against the session's store.

#include <optional>
#include <string>

#include "tools/scenario/scenario.h"
#include "tools/session/session.h"

namespace consentflow::tools {

// Is `step` one of the expectations below (kFieldEquals ... kIncidentOnField, not the bot's
// replies)?
bool IsStateCheck(StepKind kind);

// nullopt when the expectation holds; else the failure: "expected field name = "Lena", got unset".
// REQUIRES: IsStateCheck(step.kind).
std::optional<std::string> CheckState(const Session& session, const Step& step);

}  // namespace consentflow::tools
