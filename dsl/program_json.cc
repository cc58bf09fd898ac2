#include "dsl/program_json.h"

#include <nlohmann/json.hpp>

namespace consentflow::dsl {
namespace {

// ordered_json keeps members in the order this file writes them: stable, and readable (the
// flow's name first, states last), unlike the alphabetical order of nlohmann::json.
using Json = nlohmann::ordered_json;

class Writer {
 public:
  Writer(const Program& program, const ProgramJsonOptions& options)
      : program_(program), options_(options) {}

  Json Write() const {
    Json out = Json::object();
    out["format_version"] = Program::kFormatVersion;
    out["flow"] = program_.flow_id;
    out["title"] = program_.title;
    out["version"] = program_.version;
    out["source"] = program_.source_name;
    out["hooks"] = program_.hooks_file.empty() ? Json(nullptr) : Json(program_.hooks_file);
    out["start"] = StateName(program_.start);
    out["entries"] = Entries();
    out["purposes"] = Purposes();
    out["notices"] = Notices();
    out["fields"] = Fields();
    out["handlers"] = Handlers();
    out["states"] = States();
    return out;
  }

 private:
  // Names of resolved ids. An id out of range cannot come from Compile(); it is written as
  // null rather than read out of bounds.
  template <typename T>
  static Json NameAt(const std::vector<T>& items, uint32_t id) {
    return id < items.size() ? Json(items[id].id) : Json(nullptr);
  }
  Json StateName(StateId id) const {
    return id == kEndConversation ? Json("end") : NameAt(program_.states, id);
  }
  Json FieldName(FieldId id) const { return NameAt(program_.fields, id); }

  Json TemplateJson(const Template& text) const {
    Json out = Json::array();
    for (const TemplatePart& part : text.parts) {
      switch (part.kind) {
        case TemplatePart::Kind::kLiteral: out.push_back({{"text", part.literal}}); break;
        case TemplatePart::Kind::kField: out.push_back({{"field", FieldName(part.field)}}); break;
      }
    }
    return out;
  }

  Json Entries() const {
    Json out = Json::array();
    for (const EntryRule& entry : program_.entries) {
      out.push_back({{"kind", EntryKindName(entry.kind)}, {"values", entry.values}});
    }
    return out;
  }

  Json Purposes() const {
    Json out = Json::array();
    for (const ProgramPurpose& purpose : program_.purposes) {
      out.push_back({{"id", purpose.id}, {"description", purpose.description}});
    }
    return out;
  }

  Json Notices() const {
    Json out = Json::array();
    for (const ProgramNotice& notice : program_.notices) {
      Json grants = Json::array();
      for (PurposeId id : notice.grants) grants.push_back(NameAt(program_.purposes, id));
      Json n = Json::object();
      n["id"] = notice.id;
      n["version"] = notice.version;
      n["text"] = TemplateJson(notice.text);
      n["grants"] = std::move(grants);
      n["accept"] = notice.accept;
      n["decline"] = notice.decline;
      out.push_back(std::move(n));
    }
    return out;
  }

  Json FieldJson(const ProgramField& field) const {
    Json f = Json::object();
    f["id"] = field.id;
    f["type"] = ast::FieldTypeName(field.type);
    if (field.type == ast::FieldType::kText) f["max_length"] = field.max_length;
    if (field.min) f["min"] = *field.min;
    if (field.max) f["max"] = *field.max;
    f["purpose"] = NameAt(program_.purposes, field.purpose);
    f["keep_seconds"] = field.keep_seconds;
    return f;
  }

  Json Fields() const {
    Json out = Json::array();
    for (const ProgramField& field : program_.fields) out.push_back(FieldJson(field));
    return out;
  }

  Json Handlers() const {
    Json keywords = Json::array();
    for (const KeywordHandler& handler : program_.keyword_handlers) {
      keywords.push_back({{"words", handler.words}, {"target", StateName(handler.target)}});
    }
    Json out = Json::object();
    out["keywords"] = std::move(keywords);
    out["timeout"] = program_.timeout_seconds > 0
                         ? Json({{"seconds", program_.timeout_seconds},
                                 {"target", StateName(program_.timeout_target)}})
                         : Json(nullptr);
    out["withdraw"] =
        program_.withdraw_target ? StateName(*program_.withdraw_target) : Json(nullptr);
    return out;
  }

  Json ConditionJson(const Condition& condition) const {
    Json out = Json::object();
    out["kind"] = ExprKindName(condition.kind);
    switch (condition.kind) {
      case ast::ExprKind::kField:
      case ast::ExprKind::kSet: out["field"] = FieldName(condition.field); return out;
      case ast::ExprKind::kString: out["value"] = condition.text; return out;
      case ast::ExprKind::kNumber: out["value"] = condition.number; return out;
      case ast::ExprKind::kBool: out["value"] = condition.boolean; return out;
      case ast::ExprKind::kCompare: out["op"] = CompareOpName(condition.op); break;
      case ast::ExprKind::kNot:
      case ast::ExprKind::kAnd:
      case ast::ExprKind::kOr: break;
    }
    Json operands = Json::array();
    for (const Condition& operand : condition.operands) operands.push_back(ConditionJson(operand));
    out["operands"] = std::move(operands);
    return out;
  }

  Json Options(const std::vector<ProgramOption>& options) const {
    Json out = Json::array();
    for (const ProgramOption& option : options) {
      out.push_back({{"title", option.title}, {"target", StateName(option.target)}});
    }
    return out;
  }

  void AskMembers(const Step& step, Json& out) const {
    out["field"] = FieldName(step.field);
    out["text"] = TemplateJson(step.text);
    out["invalid"] = step.invalid.empty() ? Json(nullptr) : TemplateJson(step.invalid);
    out["retries"] = step.retries;
    out["retries_target"] = StateName(step.retries_target);
    out["timeout"] = step.timeout_seconds > 0
                         ? Json({{"seconds", step.timeout_seconds},
                                 {"target", StateName(step.timeout_target)}})
                         : Json(nullptr);
  }

  void KindMembers(const Step& step, Json& out) const {
    switch (step.kind) {
      case ast::StepKind::kSay: out["text"] = TemplateJson(step.text); return;
      case ast::StepKind::kAsk: AskMembers(step, out); return;
      case ast::StepKind::kChoose:
        out["field"] = step.field == kNoField ? Json(nullptr) : FieldName(step.field);
        out["text"] = TemplateJson(step.text);
        out["options"] = Options(step.options);
        return;
      case ast::StepKind::kConsent:
        out["notice"] = NameAt(program_.notices, step.notice);
        out["accepted"] = StateName(step.accepted);
        out["declined"] = StateName(step.declined);
        out["options"] = Options(step.options);
        return;
      case ast::StepKind::kCall: {
        Json writes = Json::array();
        for (FieldId field : step.writes) writes.push_back(FieldName(field));
        out["hook"] = step.hook;
        out["writes"] = std::move(writes);
        out["options"] = Options(step.options);
        return;
      }
      case ast::StepKind::kIf:
        out["condition"] = ConditionJson(step.condition);
        out["target"] = StateName(step.target);
        return;
      case ast::StepKind::kGoto: out["target"] = StateName(step.target); return;
      case ast::StepKind::kHandoff:
        out["queue"] = step.queue;
        out["priority"] = ast::PriorityName(step.priority);
        out["note"] = step.text.empty() ? Json(nullptr) : TemplateJson(step.text);
        return;
      case ast::StepKind::kEnd: return;
    }
  }

  Json StepJson(const Step& step) const {
    Json out = Json::object();
    out["kind"] = StepKindJsonName(step.kind);
    if (options_.include_lines) out["line"] = step.line;
    KindMembers(step, out);
    return out;
  }

  Json States() const {
    Json out = Json::array();
    for (const ProgramState& state : program_.states) {
      Json steps = Json::array();
      for (const Step& step : state.steps) steps.push_back(StepJson(step));
      out.push_back({{"id", state.id}, {"steps", std::move(steps)}});
    }
    return out;
  }

  static const char* EntryKindName(ast::EntryKind kind) {
    switch (kind) {
      case ast::EntryKind::kLink: return "link";
      case ast::EntryKind::kKeyword: return "keyword";
      case ast::EntryKind::kAd: return "ad";
      case ast::EntryKind::kDefault: return "default";
    }
    return "default";
  }

  // ast::StepKindName() spells a jump "->"; JSON readers want a word.
  static const char* StepKindJsonName(ast::StepKind kind) {
    return kind == ast::StepKind::kGoto ? "goto" : ast::StepKindName(kind);
  }

  static const char* ExprKindName(ast::ExprKind kind) {
    switch (kind) {
      case ast::ExprKind::kField: return "field";
      case ast::ExprKind::kString: return "string";
      case ast::ExprKind::kNumber: return "number";
      case ast::ExprKind::kBool: return "bool";
      case ast::ExprKind::kSet: return "set";
      case ast::ExprKind::kNot: return "not";
      case ast::ExprKind::kAnd: return "and";
      case ast::ExprKind::kOr: return "or";
      case ast::ExprKind::kCompare: return "compare";
    }
    return "bool";
  }

  static const char* CompareOpName(ast::CompareOp op) {
    switch (op) {
      case ast::CompareOp::kEq: return "eq";
      case ast::CompareOp::kNe: return "ne";
      case ast::CompareOp::kLt: return "lt";
      case ast::CompareOp::kLe: return "le";
      case ast::CompareOp::kGt: return "gt";
      case ast::CompareOp::kGe: return "ge";
    }
    return "eq";
  }

  const Program& program_;
  const ProgramJsonOptions& options_;
};

}  // namespace

std::string ProgramToJson(const Program& program, const ProgramJsonOptions& options) {
  const Json json = Writer(program, options).Write();
  return json.dump(options.indent < 0 ? -1 : options.indent, ' ', /*ensure_ascii=*/false,
                   Json::error_handler_t::replace);
}

}  // namespace consentflow::dsl
