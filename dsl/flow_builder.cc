// BuildFlow: groups parsed lines into the tree. Declarations stand alone; notice details
// belong to the notice above them; steps to the state above them; a branch to the nearest
// step above it (in its state) that takes branches.

#include <cmath>
#include <optional>

#include "dsl/parsed_line.h"
#include "dsl/string_decode.h"

namespace consentflow::dsl {
namespace {

using ast::StepKind;

class Builder {
 public:
  explicit Builder(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  ast::Flow Build(const std::vector<ParsedLine>& lines) {
    for (const ParsedLine& line : lines) {
      if (line.kind == ItemKind::kNone) continue;
      switch (LineKindOf(line.kind)) {
        case LineKind::kDeclaration: Declaration(line); break;
        case LineKind::kNoticeDetail: NoticeDetail(line); break;
        case LineKind::kState: StateLine(line); break;
        case LineKind::kStep: StepLine(line); break;
        case LineKind::kBranch: BranchLine(line); break;
        default: break;
      }
    }
    if (!seen_flow_) {
      Error(Location{1, 1}, "missing-flow",
            "this file has no 'flow' declaration; start it with 'flow NAME \"Title\"'");
    }
    return std::move(flow_);
  }

 private:
  void Error(Location at, std::string code, std::string message) {
    diagnostics_.push_back(Diagnostic{Severity::kError, at, std::move(code), std::move(message), {}});
  }

  ast::Text TextOf(const RawString& s) { return DecodeString(s.raw, s.location, diagnostics_); }
  ast::Literal LiteralOf(const RawString& s, const char* what) {
    return DecodeLiteral(s.raw, s.location, what, diagnostics_);
  }
  // A whole number within [min, max], or min after reporting an error.
  int64_t WholeNumber(const ast::Number& n, int64_t min, int64_t max, const char* what) {
    if (n.value != std::floor(n.value) || n.value < static_cast<double>(min) ||
        n.value > static_cast<double>(max)) {
      Error(n.location, "bad-number",
            std::string(what) + " must be a whole number from " + std::to_string(min) + " to " +
                std::to_string(max) + ", not " + n.spelled);
      return min;
    }
    return static_cast<int64_t>(n.value);
  }

  void Declaration(const ParsedLine& line) {
    // A declaration closes the notice or state above it.
    notice_ = nullptr;
    state_ = nullptr;
    branch_owner_.reset();
    switch (line.kind) {
      case ItemKind::kFlow:
        if (seen_flow_) {
          Error(line.location, "duplicate-flow",
                "a second 'flow' declaration; a file holds exactly one flow");
          return;
        }
        seen_flow_ = true;
        flow_.id = line.name;
        if (!line.strings.empty()) flow_.title = LiteralOf(line.strings[0], "a flow title");
        return;
      case ItemKind::kVersion:
        if (seen_version_) {
          Error(line.location, "duplicate-version", "a second 'version' declaration");
          return;
        }
        seen_version_ = true;
        flow_.version = WholeNumber(line.numbers.at(0), 1, 1'000'000'000, "the version");
        return;
      case ItemKind::kEntry: {
        ast::Entry entry{line.entry_kind, {}, line.location};
        const char* what = line.entry_kind == ast::EntryKind::kLink    ? "a link code"
                           : line.entry_kind == ast::EntryKind::kKeyword ? "a keyword"
                                                                        : "an ad source id";
        for (const RawString& s : line.strings) entry.values.push_back(LiteralOf(s, what));
        flow_.entries.push_back(std::move(entry));
        return;
      }
      case ItemKind::kHooks:
        if (flow_.hooks) {
          Error(line.location, "duplicate-hooks",
                "a second 'hooks' declaration; put all of a flow's hooks in one Lua file");
          return;
        }
        flow_.hooks = LiteralOf(line.strings.at(0), "a file name");
        return;
      case ItemKind::kPurpose:
        flow_.purposes.push_back(
            ast::Purpose{line.name, LiteralOf(line.strings.at(0), "a purpose description")});
        return;
      case ItemKind::kNotice: {
        ast::Notice notice;
        notice.id = line.name;
        notice.version = WholeNumber(line.numbers.at(0), 1, 1'000'000'000, "a notice version");
        flow_.notices.push_back(std::move(notice));
        notice_ = &flow_.notices.back();
        notice_line_ = line.location;
        return;
      }
      case ItemKind::kField: Field(line); return;
      case ItemKind::kOn: {
        ast::Handler handler;
        handler.kind = line.handler_kind;
        handler.location = line.location;
        for (const RawString& s : line.strings) handler.words.push_back(LiteralOf(s, "a keyword"));
        if (line.duration) handler.timeout = *line.duration;
        handler.target = line.target.value_or(ast::Identifier{});
        flow_.handlers.push_back(std::move(handler));
        return;
      }
      default: return;
    }
  }

  void Field(const ParsedLine& line) {
    ast::Field field;
    field.id = line.name;
    field.type = line.field_type;
    if (field.type == ast::FieldType::kText && !line.numbers.empty()) {
      field.max_length = line.numbers[0];
      WholeNumber(line.numbers[0], 1, 1'000'000, "a text's maximum length");
    }
    if ((field.type == ast::FieldType::kNumber || field.type == ast::FieldType::kInteger) &&
        line.numbers.size() == 2) {
      field.min = line.numbers[0];
      field.max = line.numbers[1];
    }
    if (!line.names.empty()) field.purpose = line.names[0];
    if (line.duration) field.keep = *line.duration;
    flow_.fields.push_back(std::move(field));
  }

  void NoticeDetail(const ParsedLine& line) {
    branch_owner_.reset();
    if (notice_ == nullptr) {
      Error(line.location, "misplaced-line",
            "this line belongs to a notice; put it under a 'notice NAME vN' line");
      return;
    }
    auto duplicate = [&](bool present, const char* what) {
      if (present) {
        Error(line.location, "duplicate-detail",
              "notice '" + notice_->id.name + "' already has " + what);
      }
      return present;
    };
    switch (line.kind) {
      case ItemKind::kNoticeText:
        if (!duplicate(notice_->text.has_value(), "a text")) notice_->text = TextOf(line.strings.at(0));
        return;
      case ItemKind::kGrants:
        if (!duplicate(!notice_->grants.empty(), "a 'grants' line")) notice_->grants = line.names;
        return;
      case ItemKind::kAccept:
        if (!duplicate(notice_->accept.has_value(), "an accept title")) {
          notice_->accept = LiteralOf(line.strings.at(0), "a button title");
        }
        return;
      case ItemKind::kDecline:
        if (!duplicate(notice_->decline.has_value(), "a decline title")) {
          notice_->decline = LiteralOf(line.strings.at(0), "a button title");
        }
        return;
      default: return;
    }
  }

  void StateLine(const ParsedLine& line) {
    notice_ = nullptr;
    branch_owner_.reset();
    flow_.states.push_back(ast::State{line.name, {}});
    state_ = &flow_.states.back();
  }

  void StepLine(const ParsedLine& line) {
    if (notice_ != nullptr || state_ == nullptr) {
      Error(line.location, "step-outside-state",
            "steps belong to a state; put this step under a 'state NAME' line");
      return;
    }
    ast::Step step;
    step.location = line.location;
    switch (line.kind) {
      case ItemKind::kSay:
        step.kind = StepKind::kSay;
        step.text = TextOf(line.strings.at(0));
        break;
      case ItemKind::kAsk:
        step.kind = StepKind::kAsk;
        step.field = line.name;
        step.text = TextOf(line.strings.at(0));
        break;
      case ItemKind::kChoose:
        step.kind = StepKind::kChoose;
        if (!line.name.name.empty()) step.field = line.name;
        step.text = TextOf(line.strings.at(0));
        break;
      case ItemKind::kConsent:
        step.kind = StepKind::kConsent;
        step.notice = line.name;
        break;
      case ItemKind::kCall:
        step.kind = StepKind::kCall;
        step.hook = line.name;
        step.writes = line.names;
        break;
      case ItemKind::kIf:
        step.kind = StepKind::kIf;
        step.condition = line.condition;
        step.target = line.target.value_or(ast::Identifier{});
        break;
      case ItemKind::kGoto:
        step.kind = StepKind::kGoto;
        step.target = line.target.value_or(ast::Identifier{});
        break;
      case ItemKind::kHandoff:
        step.kind = StepKind::kHandoff;
        step.queue = line.name;
        step.priority = line.priority;
        if (line.has_note) {
          step.has_text = true;
          step.text = TextOf(line.strings.at(0));
        }
        break;
      default:
        step.kind = StepKind::kEnd;
        break;
    }
    state_->steps.push_back(std::move(step));
    const StepKind kind = state_->steps.back().kind;
    if (kind == StepKind::kAsk || kind == StepKind::kChoose || kind == StepKind::kConsent ||
        kind == StepKind::kCall) {
      branch_owner_ = state_->steps.size() - 1;
    }
  }

  // Which step kinds take which branch lines.
  static bool Takes(StepKind step, ItemKind branch) {
    switch (branch) {
      case ItemKind::kInvalid: case ItemKind::kRetries: case ItemKind::kTimeout:
        return step == StepKind::kAsk;
      case ItemKind::kAccepted: case ItemKind::kDeclined:
        return step == StepKind::kConsent;
      case ItemKind::kOption:
        return step == StepKind::kChoose || step == StepKind::kCall || step == StepKind::kConsent;
      default:
        return false;
    }
  }

  static const char* BranchName(ItemKind kind) {
    switch (kind) {
      case ItemKind::kInvalid: return "'invalid'";
      case ItemKind::kRetries: return "'retries'";
      case ItemKind::kTimeout: return "'timeout'";
      case ItemKind::kAccepted: return "'accepted'";
      case ItemKind::kDeclined: return "'declined'";
      default: return "an option";
    }
  }

  static const char* Owners(ItemKind kind) {
    switch (kind) {
      case ItemKind::kInvalid: case ItemKind::kRetries: case ItemKind::kTimeout:
        return "an 'ask' step";
      case ItemKind::kAccepted: case ItemKind::kDeclined:
        return "a 'consent' step";
      default:
        return "a 'choose', 'call' or 'consent' step";
    }
  }

  void BranchLine(const ParsedLine& line) {
    if (!branch_owner_.has_value() || state_ == nullptr) {
      Error(line.location, "misplaced-branch",
            std::string(BranchName(line.kind)) + " belongs to " + Owners(line.kind) +
                ", but there is none above it in this state");
      return;
    }
    ast::Step& step = state_->steps[*branch_owner_];
    if (!Takes(step.kind, line.kind)) {
      Error(line.location, "misplaced-branch",
            std::string(BranchName(line.kind)) + " belongs to " + Owners(line.kind) +
                ", but the nearest step above it is '" + ast::StepKindName(step.kind) +
                "' (line " + std::to_string(step.location.line) + ")");
      return;
    }
    auto once = [&](bool present) {
      if (present) {
        Error(line.location, "duplicate-branch",
              std::string("this '") + ast::StepKindName(step.kind) + "' step already has " +
                  BranchName(line.kind));
      }
      return !present;
    };
    const ast::Identifier target = line.target.value_or(ast::Identifier{});
    switch (line.kind) {
      case ItemKind::kInvalid:
        if (once(step.invalid.has_value())) step.invalid = TextOf(line.strings.at(0));
        return;
      case ItemKind::kRetries:
        if (once(step.retries.has_value())) {
          step.retries = WholeNumber(line.numbers.at(0), 0, 100, "the number of retries");
          step.retries_target = target;
        }
        return;
      case ItemKind::kTimeout:
        if (once(step.timeout.has_value())) {
          step.timeout = line.duration.value_or(ast::Duration{});
          step.timeout_target = target;
        }
        return;
      case ItemKind::kAccepted:
        if (once(step.accepted.has_value())) step.accepted = target;
        return;
      case ItemKind::kDeclined:
        if (once(step.declined.has_value())) step.declined = target;
        return;
      case ItemKind::kOption:
        step.options.push_back(ast::Option{LiteralOf(line.strings.at(0), "an option title"), target});
        return;
      default:
        return;
    }
  }

  Diagnostics& diagnostics_;
  ast::Flow flow_;
  bool seen_flow_ = false;
  bool seen_version_ = false;
  // Vectors below only grow at their back, and these point at their last element, so the
  // pointers are refreshed whenever an element is added.
  ast::Notice* notice_ = nullptr;
  Location notice_line_;
  ast::State* state_ = nullptr;
  // The step that takes branch lines: an index, not a pointer, because it need not be the last
  // step of the state (a 'say' may follow it) and later steps may reallocate the vector.
  std::optional<size_t> branch_owner_;
};

}  // namespace

ast::Flow BuildFlow(const std::vector<ParsedLine>& lines, Diagnostics& diagnostics) {
  return Builder(diagnostics).Build(lines);
}

}  // namespace consentflow::dsl
