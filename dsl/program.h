#pragma once

// The compiled flow: an immutable state machine with every name resolved to a dense index.
// The engine runs it; `consentflow check --emit` writes it as JSON (program_json.h).
// Produced only by Compile() from a flow that passed Check() with no error.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"

namespace consentflow::dsl {

using StateId = uint32_t;
using FieldId = uint32_t;
using NoticeId = uint32_t;
using PurposeId = uint32_t;

// A branch target that ends the conversation (`-> end`, and the default after failed retries).
inline constexpr StateId kEndConversation = UINT32_MAX;
inline constexpr FieldId kNoField = UINT32_MAX;

// A message text: literal pieces and field references, rendered by the engine at run time.
struct TemplatePart {
  enum class Kind : uint8_t { kLiteral, kField };
  Kind kind = Kind::kLiteral;
  std::string literal;     // kLiteral
  FieldId field = kNoField;  // kField
};
struct Template {
  std::vector<TemplatePart> parts;
  bool empty() const { return parts.empty(); }
};

struct ProgramPurpose {
  std::string id;
  std::string description;
};

struct ProgramNotice {
  std::string id;
  int64_t version = 1;
  Template text;                   // {purposes} already replaced by the granted descriptions
  std::vector<PurposeId> grants;
  std::string accept;
  std::string decline;
};

struct ProgramField {
  std::string id;
  ast::FieldType type = ast::FieldType::kText;
  int64_t max_length = 1000;        // text
  std::optional<double> min, max;   // number, integer
  PurposeId purpose = 0;
  int64_t keep_seconds = 0;
};

// `if` conditions, with fields resolved.
struct Condition {
  ast::ExprKind kind = ast::ExprKind::kBool;
  ast::CompareOp op = ast::CompareOp::kEq;
  FieldId field = kNoField;  // kField, kSet
  std::string text;          // kString
  double number = 0;         // kNumber
  bool boolean = false;      // kBool
  std::vector<Condition> operands;
};

struct ProgramOption {
  std::string title;
  StateId target = kEndConversation;
};

struct Step {
  ast::StepKind kind = ast::StepKind::kEnd;
  uint32_t line = 0;  // in the flow file, for logs and traces

  Template text;        // say: text; ask, choose: question; handoff: note
  FieldId field = kNoField;  // ask; choose (kNoField when the answer is not stored)
  Template invalid;     // ask: empty means "use the type's default"
  int64_t retries = 3;  // ask
  StateId retries_target = kEndConversation;
  int64_t timeout_seconds = 0;  // ask: 0 means no timeout of its own
  StateId timeout_target = kEndConversation;
  NoticeId notice = 0;          // consent
  StateId accepted = kEndConversation;
  StateId declined = kEndConversation;
  std::string hook;             // call
  std::vector<FieldId> writes;  // call
  std::vector<ProgramOption> options;  // choose: options; call: outcomes; consent: extra buttons
  Condition condition;          // if
  StateId target = kEndConversation;  // if, goto
  std::string queue;            // handoff
  ast::Priority priority = ast::Priority::kNormal;
};

struct ProgramState {
  std::string id;
  std::vector<Step> steps;
};

struct EntryRule {
  ast::EntryKind kind = ast::EntryKind::kDefault;
  std::vector<std::string> values;  // link code / keywords / ad source id (may be empty)
};

struct KeywordHandler {
  std::vector<std::string> words;  // lower-cased
  StateId target = kEndConversation;
};

struct Program {
  static constexpr int kFormatVersion = 1;

  std::string flow_id;
  std::string title;
  int64_t version = 1;
  std::string source_name;  // the .flow file
  std::string hooks_file;   // as written, relative to the flow file; empty without hooks
  std::vector<EntryRule> entries;
  std::vector<ProgramPurpose> purposes;
  std::vector<ProgramNotice> notices;
  std::vector<ProgramField> fields;
  std::vector<KeywordHandler> keyword_handlers;
  int64_t timeout_seconds = 0;  // `on timeout`; 0 = none
  StateId timeout_target = kEndConversation;
  std::optional<StateId> withdraw_target;  // none: confirm and end
  std::vector<ProgramState> states;
  StateId start = 0;

  // Lookups by name; nullopt when absent.
  std::optional<StateId> FindState(std::string_view id) const;
  std::optional<FieldId> FindField(std::string_view id) const;
};

using ProgramPtr = std::shared_ptr<const Program>;

// The descriptions of `purposes`, joined the way people read a list: "a", "a and b",
// "a, b and c". The text a `{purposes}` placeholder becomes.
std::string JoinPurposes(const std::vector<std::string>& descriptions);

}  // namespace consentflow::dsl
