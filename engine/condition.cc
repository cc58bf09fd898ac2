#include "engine/condition.h"

#include <charconv>
#include <optional>
#include <string>
#include <variant>

namespace consentflow::engine {
namespace {

using dsl::Condition;
using Kind = dsl::ast::ExprKind;

// A value in a comparison: a number, or text (dates and choices are text). nullopt: unset.
using Value = std::variant<double, std::string>;

const FieldValue* Stored(dsl::FieldId field, const dsl::Program& program, const Conversation& c) {
  if (field >= program.fields.size()) return nullptr;
  const auto it = c.fields.find(program.fields[field].id);
  return it == c.fields.end() ? nullptr : &it->second;
}

std::optional<Value> ValueOf(const Condition& e, const dsl::Program& program, const Conversation& c) {
  switch (e.kind) {
    case Kind::kNumber: return Value(e.number);
    case Kind::kString: return Value(e.text);
    case Kind::kBool: return Value(std::string(e.boolean ? "yes" : "no"));
    case Kind::kField: {
      const FieldValue* stored = Stored(e.field, program, c);
      if (!stored) return std::nullopt;
      const dsl::ast::FieldType type = program.fields[e.field].type;
      if (type == dsl::ast::FieldType::kNumber || type == dsl::ast::FieldType::kInteger) {
        double number = 0;
        const std::string& s = stored->value;
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
        if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
        return Value(number);
      }
      return Value(stored->value);
    }
    default: return std::nullopt;
  }
}

template <typename T>
bool Compare(const T& l, const T& r, dsl::ast::CompareOp op) {
  switch (op) {
    case dsl::ast::CompareOp::kEq: return l == r;
    case dsl::ast::CompareOp::kNe: return l != r;
    case dsl::ast::CompareOp::kLt: return l < r;
    case dsl::ast::CompareOp::kLe: return l <= r;
    case dsl::ast::CompareOp::kGt: return l > r;
    case dsl::ast::CompareOp::kGe: return l >= r;
  }
  return false;
}

}  // namespace

bool Evaluate(const Condition& e, const dsl::Program& program, const Conversation& c) {
  switch (e.kind) {
    case Kind::kBool: return e.boolean;
    case Kind::kSet: return Stored(e.field, program, c) != nullptr;
    case Kind::kField: {
      const FieldValue* stored = Stored(e.field, program, c);
      return stored && stored->value == "yes";
    }
    case Kind::kNot: return !Evaluate(e.operands[0], program, c);
    case Kind::kAnd: return Evaluate(e.operands[0], program, c) && Evaluate(e.operands[1], program, c);
    case Kind::kOr: return Evaluate(e.operands[0], program, c) || Evaluate(e.operands[1], program, c);
    case Kind::kCompare: {
      const auto l = ValueOf(e.operands[0], program, c);
      const auto r = ValueOf(e.operands[1], program, c);
      if (!l || !r || l->index() != r->index()) return false;
      if (l->index() == 0) return Compare(std::get<0>(*l), std::get<0>(*r), e.op);
      return Compare(std::get<1>(*l), std::get<1>(*r), e.op);
    }
    default: return false;
  }
}

}  // namespace consentflow::engine
