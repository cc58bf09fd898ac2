#include "tools/scenario/state_checks.h"

#include "tools/scenario/text_pattern.h"

namespace consentflow::tools {
namespace {

using engine::Conversation;
using engine::Phase;

std::string Where(const Session& session, const std::optional<Conversation>& c) {
  if (!c) return "no conversation";
  switch (c->phase) {
    case Phase::kIdle:
      return "the conversation ended";
    case Phase::kWaiting:
      return "the chat with the bot at state '" + session.StateName(*c) + "'";
    case Phase::kHandoff:
      if (!c->handoff) return "the chat handed off";
      return "the chat in queue '" + c->handoff->queue + "' (priority " +
             dsl::ast::PriorityName(c->handoff->priority) + ")";
  }
  return "";
}

std::optional<std::string> CheckField(const Step& step, const std::optional<Conversation>& c) {
  const engine::FieldValue* value = nullptr;
  if (c) {
    if (const auto it = c->fields.find(step.name); it != c->fields.end()) value = &it->second;
  }
  const std::string got = value ? Quote(value->value) : "unset";
  switch (step.kind) {
    case StepKind::kFieldEquals:
      if (value && value->value == step.text) return std::nullopt;
      return "expected field " + step.name + " = " + Quote(step.text) + ", got " + got;
    case StepKind::kFieldUnset:
      if (!value) return std::nullopt;
      return "expected field " + step.name + " unset, got " + got;
    default:
      if (value) return std::nullopt;
      return "expected field " + step.name + " set, got unset";
  }
}

std::optional<std::string> CheckConsent(const Session& session, const Step& step,
                                        const std::optional<Conversation>& c) {
  Result<std::vector<engine::LedgerEntry>> ledger = session.Ledger();
  if (!ledger) return "cannot read the ledger: " + ledger.error().message();
  const engine::LedgerEntry* last = nullptr;
  for (const engine::LedgerEntry& e : *ledger) {
    if (e.notice_id == step.name && (!c || c->flow_id.empty() || e.flow_id == c->flow_id))
      last = &e;
  }
  const std::string got = last ? engine::DecisionName(last->decision) : "not given";
  const std::string want = ConsentExpectationName(step.consent);
  const bool active = c && c->consents.count(step.name) > 0;
  if (got != want) return "expected consent " + step.name + " " + want + ", got " + got;
  if (step.consent == ConsentExpectation::kGranted && !active) {
    return "expected consent " + step.name +
           " granted, got granted in the ledger but no active consent in the conversation";
  }
  if (step.consent != ConsentExpectation::kGranted && active) {
    return "expected consent " + step.name + " " + want + ", got " + want +
           " in the ledger but an active consent in the conversation";
  }
  return std::nullopt;
}

std::optional<std::string> CheckChat(const Session& session, const Step& step,
                                     const std::optional<Conversation>& c) {
  const std::string got = Where(session, c);
  const Phase phase = c ? c->phase : Phase::kIdle;
  switch (step.kind) {
    case StepKind::kWithBot:
      if (phase == Phase::kWaiting) return std::nullopt;
      return "expected the chat with the bot, got " + got;
    case StepKind::kAtState:
      if (phase != Phase::kIdle && session.StateName(*c) == step.name) return std::nullopt;
      return "expected the chat at state '" + step.name + "', got " + got;
    case StepKind::kInQueue: {
      const bool queued =
          phase == Phase::kHandoff && c->handoff && c->handoff->queue == step.name &&
          (step.priority.empty() || step.priority == dsl::ast::PriorityName(c->handoff->priority));
      if (queued) return std::nullopt;
      return "expected the chat in queue '" + step.name + "'" +
             (step.priority.empty() ? "" : " (priority " + step.priority + ")") + ", got " + got;
    }
    case StepKind::kEnded:
      if (phase == Phase::kIdle) return std::nullopt;
      return "expected the conversation to have ended, got " + got;
    default: {  // kHandoffNote
      if (phase != Phase::kHandoff || !c->handoff) {
        return "expected handoff note " + step.pattern.Describe() + ", got " + got;
      }
      if (step.pattern.Matches(c->handoff->note)) return std::nullopt;
      return "expected handoff note " + step.pattern.Describe() + ", got " +
             Quote(c->handoff->note);
    }
  }
}

std::optional<std::string> CheckLedger(const Session& session, const Step& step) {
  Result<std::vector<engine::LedgerEntry>> ledger = session.Ledger();
  if (!ledger) return "cannot read the ledger: " + ledger.error().message();
  if (step.kind == StepKind::kLedgerCount) {
    if (static_cast<int64_t>(ledger->size()) == step.count) return std::nullopt;
    return "expected " + std::to_string(step.count) + " ledger entries, got " +
           std::to_string(ledger->size());
  }
  engine::LedgerVerifier verifier;
  for (const engine::LedgerEntry& e : *ledger) {
    if (!verifier.Add(e)) {
      return "expected the ledger to verify, got entry " +
             std::to_string(*verifier.first_broken()) + " broken: " + verifier.problem();
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckIncidents(const Session& session, const Step& step) {
  Result<std::vector<engine::PrivacyIncident>> incidents = session.Incidents();
  if (!incidents) return "cannot read the privacy incidents: " + incidents.error().message();
  if (step.kind == StepKind::kNoIncidents) {
    if (incidents->empty()) return std::nullopt;
    return "expected no privacy incidents, got " + std::to_string(incidents->size()) +
           ", the first: " + incidents->front().what;
  }
  std::string fields;
  for (const engine::PrivacyIncident& incident : *incidents) {
    if (incident.field == step.name) return std::nullopt;
    fields += (fields.empty() ? "" : ", ") + incident.field;
  }
  return "expected a privacy incident on field " + step.name + ", got " +
         (fields.empty() ? "none" : "incidents on " + fields);
}

}  // namespace

bool IsStateCheck(StepKind kind) {
  switch (kind) {
    case StepKind::kFieldEquals:
    case StepKind::kFieldUnset:
    case StepKind::kFieldSet:
    case StepKind::kConsent:
    case StepKind::kWithBot:
    case StepKind::kAtState:
    case StepKind::kInQueue:
    case StepKind::kEnded:
    case StepKind::kHandoffNote:
    case StepKind::kLedgerVerifies:
    case StepKind::kLedgerCount:
    case StepKind::kNoIncidents:
    case StepKind::kIncidentOnField:
      return true;
    default:
      return false;
  }
}

std::optional<std::string> CheckState(const Session& session, const Step& step) {
  switch (step.kind) {
    case StepKind::kLedgerVerifies:
    case StepKind::kLedgerCount:
      return CheckLedger(session, step);
    case StepKind::kNoIncidents:
    case StepKind::kIncidentOnField:
      return CheckIncidents(session, step);
    default:
      break;
  }
  Result<std::optional<Conversation>> c = session.Conversation();
  if (!c) return "cannot read the conversation: " + c.error().message();
  switch (step.kind) {
    case StepKind::kFieldEquals:
    case StepKind::kFieldUnset:
    case StepKind::kFieldSet:
      return CheckField(step, *c);
    case StepKind::kConsent:
      return CheckConsent(session, step, *c);
    default:
      return CheckChat(session, step, *c);
  }
}

}  // namespace consentflow::tools
