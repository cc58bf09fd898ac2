#include "dsl/ast.h"

namespace consentflow::dsl::ast {

std::string Text::Spelled() const {
  std::string out;
  for (const TextPart& part : parts) {
    if (part.is_reference) {
      out += '{' + part.value + '}';
    } else {
      out += part.value;
    }
  }
  return out;
}

bool Text::HasReferences() const {
  for (const TextPart& part : parts) {
    if (part.is_reference) return true;
  }
  return false;
}

const char* FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kText: return "text";
    case FieldType::kEmail: return "email";
    case FieldType::kPhone: return "phone";
    case FieldType::kNumber: return "number";
    case FieldType::kInteger: return "integer";
    case FieldType::kDate: return "date";
    case FieldType::kYesNo: return "yesno";
    case FieldType::kChoice: return "choice";
    case FieldType::kLocation: return "location";
  }
  return "text";
}

const char* StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kSay: return "say";
    case StepKind::kAsk: return "ask";
    case StepKind::kChoose: return "choose";
    case StepKind::kConsent: return "consent";
    case StepKind::kCall: return "call";
    case StepKind::kIf: return "if";
    case StepKind::kGoto: return "->";
    case StepKind::kHandoff: return "handoff";
    case StepKind::kEnd: return "end";
  }
  return "end";
}

const char* PriorityName(Priority priority) {
  switch (priority) {
    case Priority::kLow: return "low";
    case Priority::kNormal: return "normal";
    case Priority::kHigh: return "high";
    case Priority::kUrgent: return "urgent";
  }
  return "normal";
}

const char* CompareOpSpelling(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "==";
    case CompareOp::kNe: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "==";
}

}  // namespace consentflow::dsl::ast
