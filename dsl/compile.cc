#include "dsl/compile.h"

#include <cassert>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace consentflow::dsl {
namespace {

// Declaration-order indices of one kind of name. The first declaration of a name wins, as in
// the checks (a duplicate is an error there, so it never reaches Compile in a checked flow).
class NameTable {
 public:
  template <typename Decl, typename IdOf>
  NameTable(const std::vector<Decl>& decls, IdOf id_of) {
    for (std::size_t i = 0; i < decls.size(); ++i) {
      indices_.emplace(id_of(decls[i]).name, static_cast<uint32_t>(i));
    }
  }

  // The index of `name`. Check() guarantees it exists; `fallback` only keeps release builds
  // defined when that contract is broken.
  uint32_t Find(std::string_view name, uint32_t fallback) const {
    const auto it = indices_.find(name);
    assert(it != indices_.end() && "Compile() needs a flow that passed Check()");
    return it == indices_.end() ? fallback : it->second;
  }

 private:
  std::unordered_map<std::string_view, uint32_t> indices_;
};

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Appends a literal piece, merging it into a literal just before it; drops empty pieces.
void AppendLiteral(Template& out, std::string_view text) {
  if (text.empty()) return;
  if (!out.parts.empty() && out.parts.back().kind == TemplatePart::Kind::kLiteral) {
    out.parts.back().literal.append(text);
    return;
  }
  TemplatePart part;
  part.kind = TemplatePart::Kind::kLiteral;
  part.literal = std::string(text);
  out.parts.push_back(std::move(part));
}

class Compiler {
 public:
  explicit Compiler(const ast::Flow& flow)
      : flow_(flow),
        states_(flow.states, [](const ast::State& s) -> const ast::Identifier& { return s.id; }),
        fields_(flow.fields, [](const ast::Field& f) -> const ast::Identifier& { return f.id; }),
        purposes_(flow.purposes,
                  [](const ast::Purpose& p) -> const ast::Identifier& { return p.id; }),
        notices_(flow.notices,
                 [](const ast::Notice& n) -> const ast::Identifier& { return n.id; }) {}

  ProgramPtr Run(const std::string& source_name) {
    auto program = std::make_shared<Program>();
    program->flow_id = flow_.id.name;
    program->title = flow_.title ? flow_.title->value : std::string();
    program->version = flow_.version;
    program->source_name = source_name;
    program->hooks_file = flow_.hooks ? flow_.hooks->value : std::string();
    for (const ast::Entry& entry : flow_.entries) program->entries.push_back(LowerEntry(entry));
    for (const ast::Purpose& purpose : flow_.purposes) {
      program->purposes.push_back(ProgramPurpose{purpose.id.name, purpose.description.value});
    }
    for (const ast::Notice& notice : flow_.notices) program->notices.push_back(LowerNotice(notice));
    for (const ast::Field& field : flow_.fields) program->fields.push_back(LowerField(field));
    for (const ast::Handler& handler : flow_.handlers) LowerHandler(handler, *program);
    for (const ast::State& state : flow_.states) program->states.push_back(LowerState(state));
    program->start = states_.Find("start", 0);
    return program;
  }

 private:
  StateId State(const ast::Identifier& target) const {
    if (target.name == "end") return kEndConversation;
    return states_.Find(target.name, kEndConversation);
  }
  StateId OptionalState(const std::optional<ast::Identifier>& target) const {
    return target ? State(*target) : kEndConversation;
  }
  FieldId Field(const ast::Identifier& field) const { return fields_.Find(field.name, kNoField); }

  // `purposes_text`, when given, replaces `{purposes}` (notice texts only).
  Template LowerText(const ast::Text& text, const std::string* purposes_text = nullptr) const {
    Template out;
    for (const ast::TextPart& part : text.parts) {
      if (!part.is_reference) {
        AppendLiteral(out, part.value);
      } else if (purposes_text != nullptr && part.value == "purposes") {
        AppendLiteral(out, *purposes_text);
      } else {
        TemplatePart field;
        field.kind = TemplatePart::Kind::kField;
        field.field = fields_.Find(part.value, kNoField);
        out.parts.push_back(std::move(field));
      }
    }
    return out;
  }

  static EntryRule LowerEntry(const ast::Entry& entry) {
    EntryRule rule;
    rule.kind = entry.kind;
    for (const ast::Literal& value : entry.values) rule.values.push_back(value.value);
    return rule;
  }

  ProgramNotice LowerNotice(const ast::Notice& notice) const {
    ProgramNotice out;
    out.id = notice.id.name;
    out.version = notice.version;
    std::vector<std::string> descriptions;
    for (const ast::Identifier& purpose : notice.grants) {
      const PurposeId id = purposes_.Find(purpose.name, 0);
      out.grants.push_back(id);
      if (id < flow_.purposes.size()) descriptions.push_back(flow_.purposes[id].description.value);
    }
    const std::string joined = JoinPurposes(descriptions);
    if (notice.text) out.text = LowerText(*notice.text, &joined);
    out.accept = notice.accept ? notice.accept->value : std::string();
    out.decline = notice.decline ? notice.decline->value : std::string();
    return out;
  }

  ProgramField LowerField(const ast::Field& field) const {
    ProgramField out;
    out.id = field.id.name;
    out.type = field.type;
    if (field.max_length) out.max_length = static_cast<int64_t>(field.max_length->value);
    if (field.min) out.min = field.min->value;
    if (field.max) out.max = field.max->value;
    out.purpose = purposes_.Find(field.purpose.name, 0);
    out.keep_seconds = field.keep.seconds;
    return out;
  }

  void LowerHandler(const ast::Handler& handler, Program& program) const {
    switch (handler.kind) {
      case ast::HandlerKind::kKeyword: {
        KeywordHandler out;
        for (const ast::Literal& word : handler.words) out.words.push_back(AsciiLower(word.value));
        out.target = State(handler.target);
        program.keyword_handlers.push_back(std::move(out));
        return;
      }
      case ast::HandlerKind::kTimeout:
        program.timeout_seconds = handler.timeout.seconds;
        program.timeout_target = State(handler.target);
        return;
      case ast::HandlerKind::kWithdraw:
        program.withdraw_target = State(handler.target);
        return;
    }
  }

  Condition LowerCondition(const ast::Expr& expr) const {
    Condition out;
    out.kind = expr.kind;
    out.op = expr.op;
    switch (expr.kind) {
      case ast::ExprKind::kField:
      case ast::ExprKind::kSet: out.field = fields_.Find(expr.name, kNoField); break;
      case ast::ExprKind::kString: out.text = expr.name; break;
      case ast::ExprKind::kNumber: out.number = expr.number; break;
      case ast::ExprKind::kBool: out.boolean = expr.boolean; break;
      default: break;
    }
    for (const ast::Expr& operand : expr.operands) {
      out.operands.push_back(LowerCondition(operand));
    }
    return out;
  }

  std::vector<ProgramOption> LowerOptions(const std::vector<ast::Option>& options) const {
    std::vector<ProgramOption> out;
    for (const ast::Option& option : options) {
      out.push_back(ProgramOption{option.title.value, State(option.target)});
    }
    return out;
  }

  void LowerAsk(const ast::Step& step, Step& out) const {
    out.text = LowerText(step.text);
    if (step.field) out.field = Field(*step.field);
    if (step.invalid) out.invalid = LowerText(*step.invalid);
    if (step.retries) out.retries = *step.retries;
    out.retries_target = OptionalState(step.retries_target);
    if (step.timeout) out.timeout_seconds = step.timeout->seconds;
    out.timeout_target = OptionalState(step.timeout_target);
  }

  Step LowerStep(const ast::Step& step) const {
    Step out;
    out.kind = step.kind;
    out.line = step.location.line;
    switch (step.kind) {
      case ast::StepKind::kSay: out.text = LowerText(step.text); break;
      case ast::StepKind::kAsk: LowerAsk(step, out); break;
      case ast::StepKind::kChoose:
        out.text = LowerText(step.text);
        if (step.field) out.field = Field(*step.field);
        out.options = LowerOptions(step.options);
        break;
      case ast::StepKind::kConsent:
        out.notice = notices_.Find(step.notice.name, 0);
        out.accepted = OptionalState(step.accepted);
        out.declined = OptionalState(step.declined);
        out.options = LowerOptions(step.options);
        break;
      case ast::StepKind::kCall:
        out.hook = step.hook.name;
        for (const ast::Identifier& field : step.writes) out.writes.push_back(Field(field));
        out.options = LowerOptions(step.options);
        break;
      case ast::StepKind::kIf:
        out.condition = LowerCondition(step.condition);
        out.target = State(step.target);
        break;
      case ast::StepKind::kGoto: out.target = State(step.target); break;
      case ast::StepKind::kHandoff:
        out.queue = step.queue.name;
        out.priority = step.priority;
        if (step.has_text) out.text = LowerText(step.text);
        break;
      case ast::StepKind::kEnd: break;
    }
    return out;
  }

  ProgramState LowerState(const ast::State& state) const {
    ProgramState out;
    out.id = state.id.name;
    for (const ast::Step& step : state.steps) out.steps.push_back(LowerStep(step));
    return out;
  }

  const ast::Flow& flow_;
  NameTable states_;
  NameTable fields_;
  NameTable purposes_;
  NameTable notices_;
};

}  // namespace

ProgramPtr Compile(const ast::Flow& flow, const std::string& source_name) {
  return Compiler(flow).Run(source_name);
}

}  // namespace consentflow::dsl
