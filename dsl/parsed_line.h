#pragma once

// The parser's first product: one ParsedLine per logical line, in file order, before lines are
// grouped into notices, states and steps (flow_builder.cc). Internal to dsl/.

#include <optional>
#include <string_view>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostic.h"
#include "dsl/parser.h"

namespace consentflow::dsl {

enum class ItemKind {
  kNone,
  // declarations
  kFlow, kVersion, kEntry, kHooks, kPurpose, kNotice, kField, kOn, kState,
  // notice details
  kNoticeText, kGrants, kAccept, kDecline,
  // steps
  kSay, kAsk, kChoose, kConsent, kCall, kIf, kGoto, kHandoff, kEnd,
  // branches
  kInvalid, kRetries, kTimeout, kAccepted, kDeclined, kOption,
};

struct RawString {
  std::string_view raw;  // with its quotes, pointing into the SourceFile
  Location location;
};

struct ParsedLine {
  ItemKind kind = ItemKind::kNone;
  Location location;
  LineLayout layout;

  ast::Identifier name;                 // the name declared or referenced first on the line
  std::vector<ast::Identifier> names;   // grants, writes
  std::vector<RawString> strings;       // string literals, in order
  std::vector<ast::Number> numbers;     // version, text max, range bounds, retries
  std::optional<ast::Duration> duration;
  std::optional<ast::Identifier> target;  // after '->'
  ast::FieldType field_type = ast::FieldType::kText;
  ast::EntryKind entry_kind = ast::EntryKind::kDefault;
  ast::HandlerKind handler_kind = ast::HandlerKind::kKeyword;
  ast::Priority priority = ast::Priority::kNormal;
  bool has_note = false;
  ast::Expr condition;
};

LineKind LineKindOf(ItemKind kind);

// Groups the lines into a Flow. Lines in the wrong place are reported and skipped.
ast::Flow BuildFlow(const std::vector<ParsedLine>& lines, Diagnostics& diagnostics);

}  // namespace consentflow::dsl
