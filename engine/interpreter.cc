#include "engine/interpreter.h"

#include <algorithm>
#include <cstdlib>
#include <variant>

#include "dsl/check.h"
#include "engine/answers.h"
#include "engine/condition.h"
#include "engine/validate.h"

namespace consentflow::engine {

using dsl::ast::FieldType;
using dsl::ast::StepKind;

bool IsWithdrawal(std::string_view text) {
  const std::string folded = Fold(text);
  const auto& words = dsl::WithdrawalWords();
  return std::find(words.begin(), words.end(), folded) != words.end();
}

namespace {

constexpr const char* kListButton = "Choose";
// The outcome a `call` takes when its hook fails (docs/hooks.md).
constexpr std::string_view kHookErrorOutcome = "error";
// Said once per question when the contact sends something the bot cannot read.
constexpr std::string_view kCannotReadText = "Sorry, I can only read text and buttons here.";

// A value a hook wrote, checked like an answer of the field's type: as typed text, or for a
// location as "latitude,longitude". Choice fields take any title.
std::optional<std::string> ValidateHookValue(const dsl::ProgramField& field, const std::string& value) {
  if (field.type == FieldType::kChoice) return value;
  InboundMessage as_answer;
  as_answer.kind = MessageKind::kText;
  as_answer.text = value;
  if (field.type == FieldType::kLocation) {
    const auto comma = value.find(',');
    if (comma == std::string::npos) return std::nullopt;
    char* end = nullptr;
    const double latitude = std::strtod(value.c_str(), &end);
    if (end != value.c_str() + comma) return std::nullopt;
    const double longitude = std::strtod(value.c_str() + comma + 1, &end);
    if (*end != '\0') return std::nullopt;
    as_answer.kind = MessageKind::kLocation;
    as_answer.location = GeoPoint{latitude, longitude};
  }
  return ValidateAnswer(field, as_answer);
}

// One event's run through the machine. Owns the result being built; `c()` is the conversation.
class Machine {
 public:
  Machine(const StepContext& context, Conversation conversation) : cx_(context), p_(context.program) {
    result_.conversation = std::move(conversation);
  }

  StepResult Handle(const Event& event) {
    std::visit([this](const auto& e) { On(e); }, event);
    return std::move(result_);
  }

 private:
  Conversation& c() { return result_.conversation; }

  // ---------------------------------------------------------------- events
  void On(const InboundMessage& m) {
    message_ = &m;
    // An emoji on our message answers nothing; a number change is the engine's business.
    if (m.kind == MessageKind::kReaction || m.kind == MessageKind::kContactChange) return;
    if (m.kind == MessageKind::kText && IsWithdrawal(m.text)) return Withdraw();
    if (c().phase == Phase::kHandoff) return;  // a person has the chat: the bot stays silent
    if (m.kind == MessageKind::kText) {
      for (const dsl::KeywordHandler& handler : p_.keyword_handlers) {
        for (const std::string& word : handler.words) {
          if (ContainsWord(m.text, word)) return JumpAndRun(handler.target);
        }
      }
    }
    if (c().phase == Phase::kIdle) return JumpAndRun(p_.start);
    Answer(m);
  }

  void On(const TimerFired& t) {
    if (c().phase != Phase::kWaiting || c().timer == TimerKind::kNone || c().timer_due != t.due) {
      return;  // a timer that no longer applies: the contact answered meanwhile
    }
    const dsl::StateId target = c().timer == TimerKind::kStepTimeout ? CurrentStep().timeout_target
                                                                     : p_.timeout_target;
    // Once per silence: what the timeout leads to waits without a new timer, so a contact who
    // stays silent is nudged once, not every DURATION, until they write again.
    silent_ = true;
    JumpAndRun(target);
  }

  void On(const AgentAction& a) {
    if (c().phase != Phase::kHandoff) return;
    c().handoff.reset();
    if (a.kind == AgentAction::Kind::kClose) return End();
    const auto state = p_.FindState(a.state);
    if (!state) {
      result_.flow_errors.push_back("agent handed back to unknown state '" + a.state + "'");
      return End();
    }
    JumpAndRun(*state);
  }

  // ---------------------------------------------------------------- running
  const dsl::Step& CurrentStep() const {
    return p_.states[result_.conversation.state].steps[result_.conversation.step];
  }

  void JumpAndRun(dsl::StateId target) {
    if (Jump(target)) Run();
  }

  // Moves to the first step of `target`; false when that ends the conversation.
  bool Jump(dsl::StateId target) {
    if (target == dsl::kEndConversation || target >= p_.states.size()) {
      End();
      return false;
    }
    c().state = target;
    c().step = 0;
    c().phase = Phase::kWaiting;  // running; Wait() or End() settles it
    ClearTimer();
    return true;
  }

  // Runs steps until the conversation waits for the contact, ends or is handed off.
  void Run() {
    for (int executed = 0; executed < cx_.max_steps; ++executed) {
      if (c().step >= p_.states[c().state].steps.size()) return End();  // compiler forbids it
      ++result_.steps;
      if (!Execute(CurrentStep())) return;
    }
    result_.flow_errors.push_back("state '" + p_.states[c().state].id + "' ran " +
                                  std::to_string(cx_.max_steps) +
                                  " steps without waiting for the contact; conversation ended");
    End();
  }

  // Executes one step; true to go on running.
  bool Execute(const dsl::Step& step) {
    switch (step.kind) {
      case StepKind::kSay:
        Send(OutboundMessage::Kind::kText, Render(step.text));
        return Next();
      case StepKind::kAsk:
        SendQuestion(step, Render(step.text));
        return Wait(step);
      case StepKind::kChoose:
        SendChoices(step, Render(step.text));
        return Wait(step);
      case StepKind::kConsent: {
        const dsl::ProgramNotice& notice = p_.notices[step.notice];
        const auto active = c().consents.find(notice.id);
        if (active != c().consents.end() && active->second.version == notice.version) {
          return Jump(step.accepted);  // already consented to this very notice: not asked again
        }
        SendNotice(step, notice);
        return Wait(step);
      }
      case StepKind::kCall:
        return CallHook(step);
      case StepKind::kIf:
        return Evaluate(step.condition, p_, c()) ? Jump(step.target) : Next();
      case StepKind::kGoto:
        return Jump(step.target);
      case StepKind::kHandoff:
        c().phase = Phase::kHandoff;
        c().handoff = HandoffTicket{step.queue, step.priority, Render(step.text), cx_.now};
        ClearTimer();
        return false;
      case StepKind::kEnd:
        End();
        return false;
    }
    return false;
  }

  bool Next() {
    ++c().step;
    return true;
  }

  bool Wait(const dsl::Step& step) {
    c().phase = Phase::kWaiting;
    c().invalid_answers = 0;
    ArmTimer(step);
    return false;
  }

  void ArmTimer(const dsl::Step& step) {
    if (silent_) {
      ClearTimer();
    } else if (step.timeout_seconds > 0) {
      c().timer = TimerKind::kStepTimeout;
      c().timer_due = cx_.now + std::chrono::seconds(step.timeout_seconds);
    } else if (p_.timeout_seconds > 0) {
      c().timer = TimerKind::kFlowTimeout;
      c().timer_due = cx_.now + std::chrono::seconds(p_.timeout_seconds);
    } else {
      ClearTimer();
    }
  }

  void ClearTimer() {
    c().timer = TimerKind::kNone;
    c().timer_due = Timestamp{};
  }

  void End() {
    c().phase = Phase::kIdle;
    c().state = p_.start;
    c().step = 0;
    c().invalid_answers = 0;
    c().handoff.reset();
    ClearTimer();
  }

  // ---------------------------------------------------------------- answers
  void Answer(const InboundMessage& m) {
    const dsl::Step& step = CurrentStep();
    if (m.kind == MessageKind::kUnsupported || m.kind == MessageKind::kMedia) {
      // A sticker, a voice note, a shared contact: one polite line per question, then the
      // question again. The first invalid answer marks the line as said; an ask counts it
      // against its retries, choose and consent (which have none) just keep the mark.
      if (c().invalid_answers == 0) {
        Send(OutboundMessage::Kind::kText, std::string(kCannotReadText));
      }
      if (step.kind != StepKind::kAsk) ++c().invalid_answers;
    }
    switch (step.kind) {
      case StepKind::kAsk: return AnswerAsk(step, m);
      case StepKind::kChoose: {
        const auto option = MatchOption(step, c().state, c().step, m);
        if (!option) {
          SendChoices(step, Render(step.text));
          ArmTimer(step);
          return;
        }
        if (step.field != dsl::kNoField && !Store(step.field, step.options[*option].title)) {
          return End();
        }
        return JumpAndRun(step.options[*option].target);
      }
      case StepKind::kConsent: return AnswerConsent(step, m);
      default:
        return JumpAndRun(c().state);  // not a waiting step: cannot happen; restart the state
    }
  }

  void AnswerAsk(const dsl::Step& step, const InboundMessage& m) {
    const dsl::ProgramField& field = p_.fields[step.field];
    // A tap answers only the buttons this question sent (Yes/No); a tap on an older message's
    // button is not a typed answer.
    const bool foreign_tap =
        (m.kind == MessageKind::kButtonReply || m.kind == MessageKind::kListReply) &&
        !(field.type == FieldType::kYesNo && (m.reply_id == kYesReplyId || m.reply_id == kNoReplyId));
    if (const auto value = foreign_tap ? std::nullopt : ValidateAnswer(field, m)) {
      if (!Store(step.field, *value)) return End();
      ClearTimer();
      if (Next()) Run();
      return;
    }
    if (++c().invalid_answers > step.retries) return JumpAndRun(step.retries_target);
    SendQuestion(step, step.invalid.empty() ? DefaultInvalidText(field) : Render(step.invalid));
    ArmTimer(step);
  }

  void AnswerConsent(const dsl::Step& step, const InboundMessage& m) {
    const dsl::ProgramNotice& notice = p_.notices[step.notice];
    const ConsentReply reply = MatchConsent(step, notice, c().state, c().step, m);
    switch (reply.answer) {
      case ConsentAnswer::kNone:
        SendNotice(step, notice);
        ArmTimer(step);
        return;
      case ConsentAnswer::kOption:
        return JumpAndRun(step.options[reply.option].target);
      case ConsentAnswer::kAccept:
        Grant(notice);
        return JumpAndRun(step.accepted);
      case ConsentAnswer::kDecline:
        Decline(notice);
        return JumpAndRun(step.declined);
    }
  }

  // ---------------------------------------------------------------- consent
  std::vector<std::string> PurposeNames(const dsl::ProgramNotice& notice) const {
    std::vector<std::string> names;
    for (const dsl::PurposeId id : notice.grants) names.push_back(p_.purposes[id].id);
    return names;
  }

  void Decide(const std::string& notice_id, int64_t version, std::string text,
              std::vector<std::string> purposes, Decision decision) {
    result_.decisions.push_back(ConsentDecision{c().contact, c().flow_id, notice_id, version,
                                                std::move(text), std::move(purposes), decision,
                                                cx_.now, message_ ? message_->id : ""});
  }

  void Grant(const dsl::ProgramNotice& notice) {
    // Accepting a new version replaces the old one: one active consent per notice.
    std::vector<std::string> purposes = PurposeNames(notice);
    Decide(notice.id, notice.version, Render(notice.text), purposes, Decision::kGranted);
    c().consents[notice.id] = ActiveConsent{notice.version, std::move(purposes), cx_.now};
  }

  void Decline(const dsl::ProgramNotice& notice) {
    Decide(notice.id, notice.version, Render(notice.text), PurposeNames(notice), Decision::kDeclined);
    // Declining a new version of a notice also ends consent to its older version: the business
    // asked again because the terms changed, and the answer was no.
    const auto old = c().consents.find(notice.id);
    if (old == c().consents.end()) return;
    Decide(notice.id, old->second.version, "", old->second.purposes, Decision::kWithdrawn);
    c().consents.erase(old);
    EraseUncoveredFields();
  }

  // Withdraws every consent in this flow, erases the data kept for it and confirms.
  void Withdraw() {
    std::vector<std::string> withdrawn_purposes;
    for (const auto& [notice_id, consent] : c().consents) {
      std::string text;
      for (const dsl::ProgramNotice& notice : p_.notices) {
        if (notice.id == notice_id && notice.version == consent.version) text = Render(notice.text);
      }
      Decide(notice_id, consent.version, std::move(text), consent.purposes, Decision::kWithdrawn);
      withdrawn_purposes.insert(withdrawn_purposes.end(), consent.purposes.begin(), consent.purposes.end());
    }
    // The descriptions in the order the flow declares its purposes.
    std::vector<std::string> descriptions;
    for (const dsl::ProgramPurpose& purpose : p_.purposes) {
      if (std::find(withdrawn_purposes.begin(), withdrawn_purposes.end(), purpose.id) !=
          withdrawn_purposes.end()) {
        descriptions.push_back(purpose.description);
      }
    }
    for (const std::string& description : cx_.withdrawn_elsewhere) {
      if (std::find(descriptions.begin(), descriptions.end(), description) == descriptions.end()) {
        descriptions.push_back(description);
      }
    }
    const bool had_consent = !c().consents.empty() || !cx_.withdrawn_elsewhere.empty();
    c().consents.clear();
    EraseUncoveredFields();
    if (!had_consent) {
      Send(OutboundMessage::Kind::kText,
           "Done: you have no consent with us here, so we keep no data about you.");
      return End();
    }
    std::string confirmation = "Done: your consent is withdrawn and we have deleted the data we kept to";
    if (descriptions.size() == 1) {
      confirmation += " " + descriptions.front() + ".";
    } else {
      confirmation += ":";
      for (std::size_t i = 0; i < descriptions.size(); ++i) {
        confirmation += (i == 0 ? " " : "; ") + descriptions[i];
      }
      confirmation += ".";
    }
    Send(OutboundMessage::Kind::kText, std::move(confirmation));
    if (p_.withdraw_target) return JumpAndRun(*p_.withdraw_target);
    End();
  }

  // Erases every field whose purpose no active consent covers any more.
  void EraseUncoveredFields() {
    for (auto it = c().fields.begin(); it != c().fields.end();) {
      it = c().HasConsentFor(it->second.purpose) ? std::next(it) : c().fields.erase(it);
    }
  }

  // ---------------------------------------------------------------- data
  // Stores a field value, but only with an active consent for its purpose.
  bool Store(dsl::FieldId id, const std::string& value) {
    const dsl::ProgramField& field = p_.fields[id];
    const std::string& purpose = p_.purposes[field.purpose].id;
    if (!c().HasConsentFor(purpose)) {
      result_.incidents.push_back(PrivacyIncident{
          c().contact, c().flow_id, field.id, purpose,
          "refused to store field '" + field.id + "': no active consent for purpose '" + purpose + "'",
          cx_.now});
      return false;
    }
    c().fields[field.id] =
        FieldValue{value, purpose, cx_.now, cx_.now + std::chrono::seconds(field.keep_seconds)};
    return true;
  }

  // Runs a hook with what it may see: the fields whose purpose has an active consent (any other
  // value the conversation still holds is not shown), the flow, state and language. A failed
  // call takes the call's "error" branch when it has one, else goes on with the next step.
  bool CallHook(const dsl::Step& step) {
    scripting::HookCall call;
    call.flow_id = c().flow_id;
    call.flow_version = c().flow_version;
    call.hooks_file = p_.hooks_file;
    call.hook = step.hook;
    for (const auto& [name, value] : c().fields) {
      if (c().HasConsentFor(value.purpose)) call.fields[name] = value.value;
    }
    for (const dsl::FieldId id : step.writes) call.writable.push_back(p_.fields[id].id);
    call.state = p_.states[c().state].id;
    call.language = "";  // the conversation does not know the contact's language yet
    call.now = cx_.now;
    if (cx_.hooks == nullptr) {
      result_.flow_errors.push_back("hook '" + step.hook + "' could not run: no hook runtime");
      return HookFailed(step);
    }
    Result<scripting::HookResult> ran = cx_.hooks->Call(call);
    if (!ran) {
      result_.flow_errors.push_back("hook '" + step.hook + "' failed: " + ran.error().message());
      return HookFailed(step);
    }
    for (const auto& [name, value] : ran->writes) WriteFromHook(step, name, value);
    for (const dsl::ProgramOption& outcome : step.options) {
      if (outcome.title == ran->outcome) return Jump(outcome.target);
    }
    return Next();
  }

  bool HookFailed(const dsl::Step& step) {
    for (const dsl::ProgramOption& outcome : step.options) {
      if (outcome.title == kHookErrorOutcome) return Jump(outcome.target);
    }
    return Next();
  }

  void WriteFromHook(const dsl::Step& step, const std::string& name, const std::string& value) {
    const auto id = p_.FindField(name);
    const bool declared =
        id && std::find(step.writes.begin(), step.writes.end(), *id) != step.writes.end();
    if (!declared) {
      result_.incidents.push_back(PrivacyIncident{
          c().contact, c().flow_id, name, "",
          "refused: hook '" + step.hook + "' wrote field '" + name + "', which its call does not "
          "list after 'writes'", cx_.now});
      return;
    }
    const auto valid = ValidateHookValue(p_.fields[*id], value);
    if (!valid) {
      result_.flow_errors.push_back("hook '" + step.hook + "' wrote a value that is not a valid " +
                                    dsl::ast::FieldTypeName(p_.fields[*id].type) + " into '" + name + "'");
      return;
    }
    Store(*id, *valid);
  }

  // ---------------------------------------------------------------- output
  std::string Render(const dsl::Template& text) const {
    std::string out;
    for (const dsl::TemplatePart& part : text.parts) {
      if (part.kind == dsl::TemplatePart::Kind::kLiteral) {
        out += part.literal;
      } else if (part.field < p_.fields.size()) {
        const auto it = result_.conversation.fields.find(p_.fields[part.field].id);
        if (it != result_.conversation.fields.end()) out += it->second.value;
      }
    }
    return out;
  }

  OutboundMessage& Send(OutboundMessage::Kind kind, std::string body) {
    result_.outbound.push_back(OutboundMessage{c().contact, kind, std::move(body), {}, ""});
    return result_.outbound.back();
  }

  void SendQuestion(const dsl::Step& step, std::string body) {
    const FieldType type = p_.fields[step.field].type;
    if (type == FieldType::kYesNo) {
      Send(OutboundMessage::Kind::kButtons, std::move(body)).choices = {
          {std::string(kYesReplyId), "Yes"}, {std::string(kNoReplyId), "No"}};
    } else if (type == FieldType::kLocation) {
      Send(OutboundMessage::Kind::kLocationRequest, std::move(body));
    } else {
      Send(OutboundMessage::Kind::kText, std::move(body));
    }
  }

  void SendChoices(const dsl::Step& step, std::string body) {
    const bool buttons = step.options.size() <= 3;
    OutboundMessage& m =
        Send(buttons ? OutboundMessage::Kind::kButtons : OutboundMessage::Kind::kList, std::move(body));
    for (std::size_t i = 0; i < step.options.size(); ++i) {
      m.choices.push_back({OptionReplyId(c().state, c().step, i), step.options[i].title});
    }
    if (!buttons) m.list_button = kListButton;
  }

  void SendNotice(const dsl::Step& step, const dsl::ProgramNotice& notice) {
    OutboundMessage& m = Send(OutboundMessage::Kind::kButtons, Render(notice.text));
    m.choices = {{AcceptReplyId(notice.id), notice.accept}, {DeclineReplyId(notice.id), notice.decline}};
    for (std::size_t i = 0; i < step.options.size(); ++i) {
      m.choices.push_back({OptionReplyId(c().state, c().step, i), step.options[i].title});
    }
  }

  const StepContext& cx_;
  const dsl::Program& p_;
  StepResult result_;
  const InboundMessage* message_ = nullptr;
  bool silent_ = false;  // handling a timeout: arm no new one
};

}  // namespace

StepResult Step(const StepContext& context, Conversation conversation, const Event& event) {
  return Machine(context, std::move(conversation)).Handle(event);
}

}  // namespace consentflow::engine
