#pragma once

// The syntax tree of one flow file: plain data, every node with its Location. No PEGTL types
// here; the parser (parser.cc) fills it, the checks (check*.cc) read it, compile.cc lowers it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dsl/source.h"

namespace consentflow::dsl::ast {

struct Identifier {
  std::string name;
  Location location;
};

// A string literal whose value may not hold field references (button titles, words, codes).
struct Literal {
  std::string value;
  Location location;
};

// One piece of a message text: literal text, or a `{name}` reference to a field (or to the
// `{purposes}` placeholder of notice texts).
struct TextPart {
  bool is_reference = false;
  std::string value;  // the literal text, or the referenced name
  Location location;  // where the piece starts in the source
};

// A message text after escapes and `"""` dedent.
struct Text {
  std::vector<TextPart> parts;
  Location location;  // the opening quote

  // The literal text, with each reference written as `{name}`.
  std::string Spelled() const;
  bool HasReferences() const;
};

struct Duration {
  int64_t seconds = 0;
  Location location;
};

enum class EntryKind { kLink, kKeyword, kAd, kDefault };

// `entry link "CODE"`, `entry keyword "w", ...`, `entry ad ["SOURCE_ID"]`, `entry default`.
struct Entry {
  EntryKind kind = EntryKind::kDefault;
  std::vector<Literal> values;  // the code, the words, or the optional ad source id
  Location location;
};

struct Purpose {
  Identifier id;
  Literal description;
};

// `notice ID vN` and its detail lines.
struct Notice {
  Identifier id;
  int64_t version = 1;
  std::optional<Text> text;
  std::vector<Identifier> grants;
  std::optional<Literal> accept;
  std::optional<Literal> decline;
};

enum class FieldType { kText, kEmail, kPhone, kNumber, kInteger, kDate, kYesNo, kChoice, kLocation };

struct Number {
  double value = 0;
  std::string spelled;  // as written, for messages and the formatter
  Location location;
};

// `field ID TYPE [constraint] for PURPOSE keep DURATION`.
struct Field {
  Identifier id;
  FieldType type = FieldType::kText;
  std::optional<Number> max_length;  // text max N
  std::optional<Number> min;         // number/integer MIN..MAX
  std::optional<Number> max;
  Identifier purpose;
  Duration keep;
};

enum class HandlerKind { kKeyword, kTimeout, kWithdraw };

// `on keyword "w", ... -> STATE`, `on timeout DURATION -> STATE`, `on withdraw -> STATE`.
struct Handler {
  HandlerKind kind = HandlerKind::kKeyword;
  std::vector<Literal> words;
  Duration timeout;
  Identifier target;
  Location location;
};

// Expressions of `if`.
enum class ExprKind { kField, kString, kNumber, kBool, kSet, kNot, kAnd, kOr, kCompare };
enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Expr {
  ExprKind kind = ExprKind::kBool;
  CompareOp op = CompareOp::kEq;  // kCompare
  std::string name;               // kField, kSet: the field; kString: the value
  double number = 0;              // kNumber
  bool boolean = false;           // kBool
  std::vector<Expr> operands;     // kNot: 1; kAnd, kOr, kCompare: 2
  Location location;
};

// `"Title" -> STATE`: an option of `choose`, an outcome of `call`, an extra button of `consent`.
struct Option {
  Literal title;
  Identifier target;
};

enum class StepKind { kSay, kAsk, kChoose, kConsent, kCall, kIf, kGoto, kHandoff, kEnd };
enum class Priority { kLow, kNormal, kHigh, kUrgent };

// One step. Which members are meaningful depends on `kind`; the comments say which.
struct Step {
  StepKind kind = StepKind::kEnd;
  Location location;

  Text text;                            // say: text; ask, choose: question; handoff: note
  bool has_text = false;                // handoff: a note was given
  std::optional<Identifier> field;      // ask (always), choose (optional)
  std::optional<Text> invalid;          // ask
  std::optional<int64_t> retries;       // ask: `retries N -> STATE`
  std::optional<Identifier> retries_target;
  std::optional<Duration> timeout;      // ask: `timeout DURATION -> STATE`
  std::optional<Identifier> timeout_target;
  Identifier notice;                    // consent
  std::optional<Identifier> accepted;   // consent
  std::optional<Identifier> declined;   // consent
  Identifier hook;                      // call
  std::vector<Identifier> writes;       // call
  std::vector<Option> options;          // choose: options; call: outcomes; consent: extra buttons
  Expr condition;                       // if
  Identifier target;                    // if, goto
  Identifier queue;                     // handoff
  Priority priority = Priority::kNormal;  // handoff
};

struct State {
  Identifier id;
  std::vector<Step> steps;
};

struct Flow {
  Identifier id;
  std::optional<Literal> title;
  int64_t version = 1;
  std::vector<Entry> entries;
  std::optional<Literal> hooks;
  std::vector<Purpose> purposes;
  std::vector<Notice> notices;
  std::vector<Field> fields;
  std::vector<Handler> handlers;
  std::vector<State> states;
};

const char* FieldTypeName(FieldType type);
const char* StepKindName(StepKind kind);
const char* PriorityName(Priority priority);
const char* CompareOpSpelling(CompareOp op);

}  // namespace consentflow::dsl::ast
