// Types: what `ask` and `choose` may store into, `{x}` references in texts, and `if`
// conditions (a number field compared with a string, a text field used as a condition, ...).

#include <set>

#include "dsl/check_context.h"
#include "dsl/edit_distance.h"

namespace consentflow::dsl {
namespace {

using ast::ExprKind;
using ast::FieldType;

enum class Type { kBool, kNumber, kText, kDate, kLocation, kError };

const char* TypeName(Type t) {
  switch (t) {
    case Type::kBool: return "a yes/no value";
    case Type::kNumber: return "a number";
    case Type::kText: return "text";
    case Type::kDate: return "a date";
    case Type::kLocation: return "a location";
    case Type::kError: return "an unknown value";
  }
  return "";
}

Type TypeOfField(FieldType type) {
  switch (type) {
    case FieldType::kNumber: case FieldType::kInteger: return Type::kNumber;
    case FieldType::kYesNo: return Type::kBool;
    case FieldType::kDate: return Type::kDate;
    case FieldType::kLocation: return Type::kLocation;
    default: return Type::kText;
  }
}

bool IsIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

class ConditionChecker {
 public:
  explicit ConditionChecker(CheckContext& cx) : cx_(cx) {
    for (const ast::State& state : cx.flow().states) {
      for (const ast::Step& step : state.steps) {
        if (step.kind != ast::StepKind::kChoose || !step.field) continue;
        for (const ast::Option& option : step.options) {
          choice_titles_[step.field->name].insert(option.title.value);
        }
      }
    }
  }

  void CheckCondition(const ast::Expr& e) {
    const Type t = TypeOf(e);
    if (t == Type::kBool || t == Type::kError) return;
    if (e.kind == ExprKind::kField) {
      cx_.Error(e.location, "condition-type",
                "'" + e.name + "' holds " + TypeName(t) + ", not a condition; write set(" + e.name +
                    ") to test whether it holds a value");
    } else {
      cx_.Error(e.location, "condition-type",
                std::string("a condition must be true or false, but this is ") + TypeName(t));
    }
  }

 private:
  Type TypeOf(const ast::Expr& e) {
    switch (e.kind) {
      case ExprKind::kBool: return Type::kBool;
      case ExprKind::kNumber: return Type::kNumber;
      case ExprKind::kString: return Type::kText;
      case ExprKind::kField: return FieldTypeOf(e);
      case ExprKind::kSet:
        FieldTypeOf(e);
        return Type::kBool;
      case ExprKind::kNot:
        Expect(e.operands[0], "'not'");
        return Type::kBool;
      case ExprKind::kAnd:
      case ExprKind::kOr:
        Expect(e.operands[0], e.kind == ExprKind::kAnd ? "'and'" : "'or'");
        Expect(e.operands[1], e.kind == ExprKind::kAnd ? "'and'" : "'or'");
        return Type::kBool;
      case ExprKind::kCompare:
        Compare(e);
        return Type::kBool;
    }
    return Type::kError;
  }

  Type FieldTypeOf(const ast::Expr& e) {
    const ast::Field* field = cx_.FindField(e.name);
    if (!field) {
      cx_.Error(e.location, "unknown-field",
                "unknown field '" + e.name + "'" + DidYouMean(e.name, cx_.FieldNames()));
      return Type::kError;
    }
    return TypeOfField(field->type);
  }

  void Expect(const ast::Expr& operand, const char* op) {
    const Type t = TypeOf(operand);
    if (t == Type::kBool || t == Type::kError) return;
    cx_.Error(operand.location, "condition-type",
              std::string(op) + " needs conditions on both sides, but this is " + TypeName(t));
  }

  void Compare(const ast::Expr& e) {
    const ast::Expr& l = e.operands[0];
    const ast::Expr& r = e.operands[1];
    Type lt = TypeOf(l);
    Type rt = TypeOf(r);
    if (lt == Type::kError || rt == Type::kError) return;
    // A string literal compared with a date field is a date, written 2026-03-14.
    for (auto [lit, other, lit_type] : {std::tuple{&r, lt, &rt}, std::tuple{&l, rt, &lt}}) {
      if (other == Type::kDate && lit->kind == ExprKind::kString) {
        if (!IsIsoDate(lit->name)) {
          cx_.Error(lit->location, "condition-type",
                    "compare dates with a date written YYYY-MM-DD, e.g. \"2026-03-14\"");
          return;
        }
        *lit_type = Type::kDate;
      }
    }
    const std::string op = ast::CompareOpSpelling(e.op);
    if (lt == Type::kLocation || rt == Type::kLocation) {
      cx_.Error(e.location, "condition-type",
                "a location cannot be compared; test it with set(FIELD)");
      return;
    }
    if (lt != rt) {
      cx_.Error(e.location, "condition-type",
                std::string("cannot compare ") + TypeName(lt) + " with " + TypeName(rt) + " using '" +
                    op + "'");
      return;
    }
    const bool ordering = e.op != ast::CompareOp::kEq && e.op != ast::CompareOp::kNe;
    if (ordering && lt != Type::kNumber && lt != Type::kDate) {
      cx_.Error(e.location, "condition-type",
                "'" + op + "' compares numbers or dates, not " + std::string(TypeName(lt)));
      return;
    }
    CheckChoiceTitle(l, r);
    CheckChoiceTitle(r, l);
  }

  // `interest == "Skying"`: no choose step could ever store that title.
  void CheckChoiceTitle(const ast::Expr& field, const ast::Expr& literal) {
    if (field.kind != ExprKind::kField || literal.kind != ExprKind::kString) return;
    const ast::Field* f = cx_.FindField(field.name);
    if (!f || f->type != FieldType::kChoice) return;
    const auto it = choice_titles_.find(field.name);
    if (it == choice_titles_.end() || it->second.count(literal.name)) return;
    const std::vector<std::string> titles(it->second.begin(), it->second.end());
    cx_.Warning(literal.location, "unknown-choice",
                "no 'choose " + field.name + "' step offers \"" + literal.name + "\", so this is never true" +
                    DidYouMean(literal.name, titles));
  }

  CheckContext& cx_;
  std::unordered_map<std::string, std::set<std::string>> choice_titles_;
};

void CheckReferences(CheckContext& cx, const ast::Text& text, bool in_notice) {
  for (const ast::TextPart& part : text.parts) {
    if (!part.is_reference) continue;
    if (part.value == "purposes") {
      if (!in_notice) {
        cx.Error(part.location, "misplaced-purposes",
                 "{purposes} can only be used in a notice's text; write \\{ for a literal brace");
      }
      continue;
    }
    if (!cx.FindField(part.value)) {
      cx.Error(part.location, "unknown-field",
               "{" + part.value + "} refers to no field" + DidYouMean(part.value, cx.FieldNames()));
    }
  }
}

void CheckStoreTypes(CheckContext& cx, const ast::Step& step) {
  if (!step.field) return;
  const ast::Field* field = cx.FindField(step.field->name);
  if (!field) return;
  if (step.kind == ast::StepKind::kAsk && field->type == FieldType::kChoice) {
    cx.Error(step.field->location, "store-type",
             "'" + field->id.name + "' is a choice field; fill it with 'choose " + field->id.name +
                 " \"question\"' and its options");
  }
  if (step.kind == ast::StepKind::kChoose && field->type != FieldType::kChoice) {
    cx.Error(step.field->location, "store-type",
             "'choose' stores the option's title into a choice field, but '" + field->id.name +
                 "' is a " + ast::FieldTypeName(field->type) + " field; declare it as 'field " +
                 field->id.name + " choice ...'");
  }
}

}  // namespace

void CheckTypes(CheckContext& cx) {
  ConditionChecker conditions(cx);
  for (const ast::Notice& notice : cx.flow().notices) {
    if (notice.text) CheckReferences(cx, *notice.text, /*in_notice=*/true);
  }
  for (const ast::State& state : cx.flow().states) {
    for (const ast::Step& step : state.steps) {
      CheckStoreTypes(cx, step);
      CheckReferences(cx, step.text, false);
      if (step.invalid) CheckReferences(cx, *step.invalid, false);
      if (step.kind == ast::StepKind::kIf) conditions.CheckCondition(step.condition);
    }
  }
}

}  // namespace consentflow::dsl
