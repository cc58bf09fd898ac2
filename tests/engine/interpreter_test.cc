#include "engine/interpreter.h"

#include <gtest/gtest.h>

#include "dsl/loader.h"
#include "engine/answers.h"
#include "engine/validate.h"
#include "tests/dsl/contract_example.h"

namespace consentflow::engine {
namespace {

using dsl::testing::kContractExample;
using std::chrono::hours;
using std::chrono::minutes;

dsl::ProgramPtr Load(std::string_view text) {
  const dsl::LoadedFlow flow = dsl::LoadFlowSource(dsl::SourceFile{"t.flow", std::string(text)});
  EXPECT_TRUE(flow.ok()) << dsl::FormatDiagnostics(flow.source, flow.diagnostics);
  return flow.program;
}

// A hook runtime that answers from a table.
class FakeHooks : public scripting::ScriptHost {
 public:
  Result<scripting::HookResult> Call(const scripting::HookCall& call) override {
    calls.push_back(call);
    if (fail) return Status::Internal("boom");
    return result;
  }
  scripting::HookResult result;
  bool fail = false;
  std::vector<scripting::HookCall> calls;
};

// Drives one contact through a flow, as the engine would, with a clock it controls.
class Chat {
 public:
  explicit Chat(std::string_view flow) : program_(Load(flow)) {
    conversation_.contact = "4915112345678";
    conversation_.flow_id = program_->flow_id;
    conversation_.flow_version = program_->version;
  }

  const StepResult& Send(const InboundMessage& m) { return Apply(m); }
  const StepResult& Say(std::string text) {
    InboundMessage m;
    m.kind = MessageKind::kText;
    m.text = std::move(text);
    return Apply(m);
  }
  const StepResult& Tap(std::string reply_id, std::string title = "") {
    InboundMessage m;
    m.kind = MessageKind::kButtonReply;
    m.reply_id = std::move(reply_id);
    m.text = std::move(title);
    return Apply(m);
  }
  // Moves time on; fires the conversation's timer when it falls due.
  const StepResult& WaitFor(Duration d) {
    now_ += d;
    last_ = StepResult{conversation_, {}, {}, {}, {}};
    if (conversation_.timer != TimerKind::kNone && conversation_.timer_due <= now_) {
      return Apply(TimerFired{conversation_.contact, conversation_.timer_due});
    }
    return last_;
  }
  const StepResult& Agent(AgentAction::Kind kind, std::string state = "") {
    return Apply(AgentAction{kind, conversation_.contact, "agent-7", std::move(state)});
  }

  // The bodies of the last event's replies, joined by " | ".
  std::string Replies() const {
    std::string out;
    for (const OutboundMessage& m : last_.outbound) out += (out.empty() ? "" : " | ") + m.body;
    return out;
  }
  const OutboundMessage& LastReply() const { return last_.outbound.back(); }
  const StepResult& last() const { return last_; }
  Conversation& conversation() { return conversation_; }
  std::string Field(const std::string& name) const {
    const auto it = conversation_.fields.find(name);
    return it == conversation_.fields.end() ? "<unset>" : it->second.value;
  }
  std::string StateName() const { return program_->states[conversation_.state].id; }
  FakeHooks hooks;
  int messages = 0;

 private:
  const StepResult& Apply(Event event) {
    if (auto* m = std::get_if<InboundMessage>(&event)) {
      m->id = "wamid." + std::to_string(++messages);
      m->contact = conversation_.contact;
      m->time = now_;
    }
    last_ = Step(StepContext{*program_, now_, &hooks}, conversation_, event);
    conversation_ = last_.conversation;
    return last_;
  }

  dsl::ProgramPtr program_;
  Conversation conversation_;
  Timestamp now_ = FromUnixSeconds(1'767'225'600);
  StepResult last_;
};

TEST(Interpreter, TheContractExampleFromFirstMessageToHandoff) {
  Chat chat(kContractExample);
  chat.Say("Hi! I saw your ad");
  EXPECT_EQ(chat.Replies(),
            "Hi, welcome to Altitude Adventure Holidays! | Hi! Before we start: we store your name "
            "and email only to send you the offer you asked for,\nand delete them after 30 days. "
            "Details: https://altitude.example/privacy");
  ASSERT_EQ(chat.LastReply().choices.size(), 2u);
  EXPECT_EQ(chat.LastReply().choices[0].title, "I agree");
  EXPECT_EQ(chat.conversation().phase, Phase::kWaiting);

  chat.Tap(AcceptReplyId("privacy"), "I agree");
  ASSERT_EQ(chat.last().decisions.size(), 1u);
  const ConsentDecision& d = chat.last().decisions[0];
  EXPECT_EQ(d.decision, Decision::kGranted);
  EXPECT_EQ(d.notice_id, "privacy");
  EXPECT_EQ(d.notice_version, 2);
  EXPECT_EQ(d.purposes, std::vector<std::string>{"offer"});
  EXPECT_EQ(d.evidence, "wamid.2");
  EXPECT_EQ(chat.Replies(), "What's your name?");

  chat.Say("Lena");
  EXPECT_EQ(chat.Field("name"), "Lena");
  EXPECT_EQ(chat.Replies(), "Thanks Lena! Where should we send the offer?");
  chat.Say("lena@Example.COM");
  EXPECT_EQ(chat.Field("email"), "lena@example.com");
  EXPECT_EQ(chat.LastReply().kind, OutboundMessage::Kind::kButtons);
  chat.Say("2");  // the option's number
  EXPECT_EQ(chat.Field("interest"), "Hiking");
  EXPECT_EQ(chat.Replies(), "Roughly what budget do you have in mind (EUR)?");
  chat.Say("7500");
  EXPECT_EQ(chat.StateName(), "hot_lead");
  EXPECT_EQ(chat.conversation().phase, Phase::kHandoff);
  ASSERT_TRUE(chat.conversation().handoff);
  EXPECT_EQ(chat.conversation().handoff->queue, "sales");
  EXPECT_EQ(chat.conversation().handoff->priority, dsl::ast::Priority::kHigh);
  EXPECT_EQ(chat.conversation().handoff->note, "Hot ski lead: Lena, budget 7500");
  EXPECT_TRUE(chat.last().outbound.empty());
}

TEST(Interpreter, DecliningStoresNothing) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Say("No thanks");  // the decline title, typed
  ASSERT_EQ(chat.last().decisions.size(), 1u);
  EXPECT_EQ(chat.last().decisions[0].decision, Decision::kDeclined);
  EXPECT_EQ(chat.Replies(), "No problem. We have not stored anything about you.");
  EXPECT_EQ(chat.conversation().phase, Phase::kIdle);
  EXPECT_TRUE(chat.conversation().fields.empty());
  EXPECT_TRUE(chat.conversation().consents.empty());
}

TEST(Interpreter, ConsentAcceptsPlainYesWordsAndRepeatsTheNoticeOtherwise) {
  for (const char* yes : {"yes", "Ja", "sì", "oui", "I AGREE"}) {
    Chat chat(kContractExample);
    chat.Say("hello");
    chat.Say(yes);
    ASSERT_EQ(chat.last().decisions.size(), 1u) << yes;
    EXPECT_EQ(chat.last().decisions[0].decision, Decision::kGranted) << yes;
  }
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Say("what do you do with my data?");
  EXPECT_TRUE(chat.last().decisions.empty());
  EXPECT_NE(chat.Replies().find("Before we start"), std::string::npos);  // the notice again
}

TEST(Interpreter, AnAcceptedNoticeIsNotAskedAgain) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Say("yes");
  chat.Say("Lena");
  chat.Say("not an email");
  chat.Say("still not");
  chat.Say("nope");  // the third invalid answer: retries 2 -> bye
  EXPECT_EQ(chat.StateName(), "start");  // bye ends the conversation
  EXPECT_EQ(chat.conversation().phase, Phase::kIdle);
  chat.Say("hi again");
  EXPECT_TRUE(chat.last().decisions.empty());
  EXPECT_EQ(chat.Replies(), "Hi, welcome to Altitude Adventure Holidays! | What's your name?");
}

TEST(Interpreter, InvalidAnswersGetTheInvalidTextThenTheRetriesTarget) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Say("yes");
  chat.Say("Lena");
  chat.Say("lena at example");
  EXPECT_EQ(chat.Replies(), "Hmm, that doesn't look like an email address. Could you check it?");
  EXPECT_EQ(chat.conversation().invalid_answers, 1);
  chat.Say("lena@example");
  EXPECT_EQ(chat.conversation().invalid_answers, 2);
  chat.Say("lena");
  EXPECT_EQ(chat.Replies(), "No problem. We have not stored anything about you.");
}

TEST(Interpreter, ChoicesByTapTitleOrNumberAndAnInvalidChoiceIsAskedAgain) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Say("yes");
  chat.Say("Lena");
  chat.Say("lena@example.com");
  const OutboundMessage choose = chat.LastReply();
  chat.Say("snowboarding");
  EXPECT_EQ(chat.LastReply(), choose);  // the same question, with its buttons
  chat.Say("  SKIING ");
  EXPECT_EQ(chat.Field("interest"), "Skiing");
  EXPECT_EQ(chat.StateName(), "ski");
}

TEST(Interpreter, AStaleTapOnAnOlderMessageIsNotAnAnswer) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Say("yes");
  chat.Say("Lena");
  chat.Say("lena@example.com");
  // A tap on an option of some other step (state 0, step 7) that happens to be index 0.
  chat.Tap(OptionReplyId(0, 7, 0));
  EXPECT_EQ(chat.Field("interest"), "<unset>");
}

TEST(Interpreter, WithdrawalErasesTheDataRecordsItAndConfirms) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Say("yes");
  chat.Say("Lena");
  chat.Say("STOP");
  ASSERT_EQ(chat.last().decisions.size(), 1u);
  EXPECT_EQ(chat.last().decisions[0].decision, Decision::kWithdrawn);
  EXPECT_EQ(chat.last().decisions[0].notice_id, "privacy");
  EXPECT_TRUE(chat.conversation().fields.empty());
  EXPECT_TRUE(chat.conversation().consents.empty());
  EXPECT_EQ(chat.Replies(),
            "Done: your consent is withdrawn and we have deleted the data we kept to send you the "
            "offer you asked for.");
  EXPECT_EQ(chat.conversation().phase, Phase::kIdle);
}

TEST(Interpreter, WithdrawalWorksDuringAHandoffToo) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Say("yes");
  chat.Say("agent");
  EXPECT_EQ(chat.conversation().phase, Phase::kHandoff);
  chat.Say("arret");
  EXPECT_EQ(chat.last().decisions.size(), 1u);
  EXPECT_EQ(chat.conversation().phase, Phase::kIdle);
}

TEST(Interpreter, KeywordHandlersJumpAtAnyPointAndTheBotIsSilentInAHandoff) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Say("Can I talk to a HUMAN please?");
  EXPECT_EQ(chat.StateName(), "talk_to_human");
  EXPECT_EQ(chat.conversation().handoff->queue, "support");
  EXPECT_EQ(chat.conversation().handoff->note, "Asked for a person");
  chat.Say("hello? anyone?");
  EXPECT_TRUE(chat.last().outbound.empty());
  EXPECT_EQ(chat.conversation().phase, Phase::kHandoff);
}

TEST(Interpreter, AnAgentHandsBackOrCloses) {
  Chat chat(kContractExample);
  chat.Say("agent");
  chat.Agent(AgentAction::Kind::kHandBack, "start");
  EXPECT_FALSE(chat.conversation().handoff);
  EXPECT_NE(chat.Replies().find("Before we start"), std::string::npos);
  chat.Say("agent");
  chat.Agent(AgentAction::Kind::kClose);
  EXPECT_EQ(chat.conversation().phase, Phase::kIdle);
}

TEST(Interpreter, RuntimeEnforcementRefusesAStoreWithoutConsent) {
  // An agent hands the chat back to `details`, which the compiler proved is only reached after
  // consent; the contact never consented, so the answer must not be stored.
  Chat chat(kContractExample);
  chat.Say("agent");
  chat.Agent(AgentAction::Kind::kHandBack, "details");
  EXPECT_EQ(chat.Replies(), "What's your name?");
  chat.Say("Lena");
  EXPECT_EQ(chat.Field("name"), "<unset>");
  ASSERT_EQ(chat.last().incidents.size(), 1u);
  EXPECT_EQ(chat.last().incidents[0].field, "name");
  EXPECT_EQ(chat.last().incidents[0].purpose, "offer");
  EXPECT_EQ(chat.last().incidents[0].what.find("Lena"), std::string::npos);  // no personal data
}

TEST(Interpreter, TheFlowTimeoutMovesASilentContact) {
  Chat chat(kContractExample);
  chat.Say("hello");
  EXPECT_EQ(chat.conversation().timer, TimerKind::kFlowTimeout);
  chat.WaitFor(minutes(119));
  EXPECT_TRUE(chat.last().outbound.empty());
  chat.WaitFor(minutes(1));
  EXPECT_EQ(chat.last().outbound.front().body, "Still there? Just reply when you're ready.");
}

TEST(Interpreter, AStaleTapIsNotATypedAnswer) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Tap(AcceptReplyId("privacy"), "I agree");
  chat.Tap(AcceptReplyId("privacy"), "I agree");  // the old button again, at "What's your name?"
  EXPECT_EQ(chat.Field("name"), "<unset>");
  EXPECT_EQ(chat.conversation().invalid_answers, 1);
}

TEST(Interpreter, ARefusedStoreEndsTheConversation) {
  Chat chat(kContractExample);
  chat.Say("agent");
  chat.Agent(AgentAction::Kind::kHandBack, "details");
  chat.Say("Lena");
  EXPECT_EQ(chat.last().incidents.size(), 1u);
  EXPECT_TRUE(chat.last().outbound.empty());  // no "Thanks !" and no further questions
  EXPECT_EQ(chat.conversation().phase, Phase::kIdle);
}

TEST(Interpreter, ATimeoutFiresOncePerSilence) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.WaitFor(hours(2));
  EXPECT_FALSE(chat.last().outbound.empty());  // nudged, and asked again
  EXPECT_EQ(chat.conversation().timer, TimerKind::kNone);
  chat.WaitFor(hours(24));
  EXPECT_TRUE(chat.last().outbound.empty());  // not nudged again while silent
  chat.Say("sorry, yes");
  EXPECT_EQ(chat.conversation().timer, TimerKind::kFlowTimeout);  // writing re-arms it
}

TEST(Interpreter, WithdrawingWithNothingToWithdrawDoesNotRunTheWithdrawTarget) {
  Chat chat("flow w\npurpose p \"help\"\nnotice n v1\n  text \"OK?\"\n  grants p\n"
            "  accept \"Yes\"\n  decline \"No\"\non withdraw -> gone\nstate start\n  consent n\n"
            "    accepted -> start\n    declined -> start\nstate gone\n  say \"Unsubscribed.\"\n  end\n");
  chat.Say("hi");
  chat.Say("STOP");
  EXPECT_EQ(chat.Replies(), "Done: you have no consent with us here, so we keep no data about you.");
  EXPECT_EQ(chat.conversation().phase, Phase::kIdle);
}

TEST(Interpreter, AStaleTimerDoesNothing) {
  const dsl::ProgramPtr program = Load(kContractExample);
  Chat chat(kContractExample);
  chat.Say("hello");
  const Timestamp old_due = chat.conversation().timer_due;
  chat.WaitFor(minutes(30));
  chat.Say("yes");  // answered: the next question has a timer of its own, due later
  const Conversation before = chat.conversation();
  ASSERT_GT(before.timer_due, old_due);
  const StepResult after =
      Step(StepContext{*program, old_due}, before, TimerFired{before.contact, old_due});
  EXPECT_EQ(after.conversation, before);
  EXPECT_TRUE(after.outbound.empty());
}

constexpr std::string_view kHooked = R"(flow hooked
hooks "h.lua"
purpose p "help you"
notice n v1
  text "OK to {purposes}?"
  grants p
  accept "Yes"
  decline "No"
field score integer 0..100 for p keep 1 day
field other text for p keep 1 day
field ok yesno for p keep 1 day
state start
  consent n
    accepted -> rate
    declined -> bye
state rate
  call rate writes score
    "high" -> high
  say "Score {score}."
  ask ok "Happy?"
  if ok -> high
  end
state high
  say "High score {score}!"
  end
state bye
  end
)";

TEST(Interpreter, HooksPickBranchesAndWriteOnlyDeclaredFields) {
  // The checker runs without a hook resolver here, so the flow compiles without a Lua file.
  Chat chat(kHooked);
  chat.hooks.result = {"high", {{"score", "97"}, {"other", "sneaky"}}};
  chat.Say("hi");
  chat.Say("Yes");
  ASSERT_EQ(chat.hooks.calls.size(), 1u);
  EXPECT_EQ(chat.hooks.calls[0].hook, "rate");
  EXPECT_EQ(chat.hooks.calls[0].writable, std::vector<std::string>{"score"});
  EXPECT_EQ(chat.Field("score"), "97");
  EXPECT_EQ(chat.Field("other"), "<unset>");
  ASSERT_EQ(chat.last().incidents.size(), 1u);
  EXPECT_EQ(chat.last().incidents[0].field, "other");
  EXPECT_EQ(chat.Replies(), "High score 97!");
}

TEST(Interpreter, AFailingHookContinuesWithTheNextStep) {
  Chat chat(kHooked);
  chat.hooks.fail = true;
  chat.Say("hi");
  chat.Say("Yes");
  ASSERT_EQ(chat.last().flow_errors.size(), 1u);
  EXPECT_EQ(chat.last().flow_errors[0], "hook 'rate' failed: boom");
  EXPECT_EQ(chat.Replies(), "Score . | Happy?");
  EXPECT_EQ(chat.LastReply().kind, OutboundMessage::Kind::kButtons);  // yes/no buttons
  chat.Tap(std::string(kYesReplyId), "Yes");
  EXPECT_EQ(chat.Field("ok"), "yes");
  EXPECT_EQ(chat.Replies(), "High score !");
}

constexpr std::string_view kHookedWithErrorBranch = R"(flow hooked
hooks "h.lua"
purpose p "help you"
purpose q "write to you"
notice n v1
  text "OK to {purposes}?"
  grants p
  accept "Yes"
  decline "No"
notice m v1
  text "And to {purposes}?"
  grants q
  accept "Yes"
  decline "No"
field score integer 0..100 for p keep 1 day
field mail email for q keep 1 day
state start
  consent n
    accepted -> rate
    declined -> bye
state rate
  call rate writes score
    "high" -> high
    "error" -> sorry
  say "Score {score}."
  end
state high
  say "High score!"
  end
state sorry
  say "Something went wrong on our side."
  end
state bye
  consent m
    accepted -> bye2
    declined -> bye2
state bye2
  end
)";

TEST(Interpreter, AFailingHookTakesTheErrorBranch) {
  Chat chat(kHookedWithErrorBranch);
  chat.hooks.fail = true;
  chat.Say("hi");
  chat.Say("Yes");
  ASSERT_EQ(chat.last().flow_errors.size(), 1u);
  EXPECT_EQ(chat.last().flow_errors[0], "hook 'rate' failed: boom");
  EXPECT_EQ(chat.Replies(), "Something went wrong on our side.");
  EXPECT_EQ(chat.Field("score"), "<unset>");
}

TEST(Interpreter, AHookWithoutARuntimeTakesTheErrorBranch) {
  const dsl::ProgramPtr program = Load(kHookedWithErrorBranch);
  Conversation c;
  c.contact = "4915112345678";
  c.flow_id = program->flow_id;
  c.flow_version = program->version;
  c.consents["n"] = ActiveConsent{1, {"p"}, FromUnixSeconds(1'767'225'600)};
  InboundMessage m;
  m.id = "wamid.1";
  m.contact = c.contact;
  m.text = "hi";
  const StepResult result = Step(StepContext{*program, FromUnixSeconds(1'767'225'600), nullptr}, c, m);
  ASSERT_EQ(result.flow_errors.size(), 1u);
  EXPECT_EQ(result.flow_errors[0], "hook 'rate' could not run: no hook runtime");
  ASSERT_FALSE(result.outbound.empty());
  EXPECT_EQ(result.outbound.back().body, "Something went wrong on our side.");
}

TEST(Interpreter, AHookThatReturnsErrorTakesTheErrorBranchWithoutAFlowError) {
  Chat chat(kHookedWithErrorBranch);
  chat.hooks.result = {"error", {}};
  chat.Say("hi");
  chat.Say("Yes");
  EXPECT_TRUE(chat.last().flow_errors.empty());
  EXPECT_EQ(chat.Replies(), "Something went wrong on our side.");
}

TEST(Interpreter, AHookSeesOnlyFieldsWithConsentAndItsStateAndTime) {
  Chat chat(kHookedWithErrorBranch);
  chat.hooks.result = {"high", {}};
  // A value whose purpose has no active consent (as a store of an older version might still
  // hold) is not shown to the hook.
  const Timestamp t = FromUnixSeconds(1'767'225'600);
  chat.conversation().consents["n"] = ActiveConsent{1, {"p"}, t};
  chat.conversation().fields["score"] = FieldValue{"42", "p", t, t + hours(24)};
  chat.conversation().fields["mail"] = FieldValue{"ann@example.com", "q", t, t + hours(24)};
  chat.Say("hi");  // the consent is held: straight on to the call
  ASSERT_EQ(chat.hooks.calls.size(), 1u);
  const scripting::HookCall& call = chat.hooks.calls[0];
  EXPECT_EQ(call.fields, (std::map<std::string, std::string>{{"score", "42"}}));
  EXPECT_EQ(call.flow_id, "hooked");
  EXPECT_EQ(call.flow_version, 1);
  EXPECT_EQ(call.hooks_file, "h.lua");
  EXPECT_EQ(call.state, "rate");
  EXPECT_EQ(call.language, "");
  EXPECT_EQ(call.now, t);
  EXPECT_EQ(chat.Replies(), "High score!");
}

TEST(Interpreter, ALoopThatNeverWaitsIsStopped) {
  Chat chat("flow loop\nstate start\n  say \"again\"\n  -> start\n");
  chat.Say("hi");
  EXPECT_EQ(chat.last().outbound.size(), 500u);  // 1000 steps: a say and a jump each time
  ASSERT_EQ(chat.last().flow_errors.size(), 1u);
  EXPECT_EQ(chat.conversation().phase, Phase::kIdle);
}

TEST(Interpreter, DecliningANewVersionEndsTheOldConsent) {
  Chat chat(kContractExample);
  chat.Say("hi");
  chat.Say("yes");
  chat.Say("Lena");
  // The business updated its notice: the stored consent is for version 1, the flow asks v2.
  chat.conversation().consents["privacy"].version = 1;
  chat.conversation().phase = Phase::kIdle;
  chat.Say("hi again");
  chat.Say("no");
  ASSERT_EQ(chat.last().decisions.size(), 2u);
  EXPECT_EQ(chat.last().decisions[0].decision, Decision::kDeclined);
  EXPECT_EQ(chat.last().decisions[1].decision, Decision::kWithdrawn);
  EXPECT_EQ(chat.last().decisions[1].notice_version, 1);
  EXPECT_TRUE(chat.conversation().fields.empty());
}

}  // namespace
}  // namespace consentflow::engine

namespace consentflow::engine {
namespace {

InboundMessage OfKind(MessageKind kind, std::string text = "") {
  InboundMessage m;
  m.kind = kind;
  m.text = std::move(text);
  return m;
}

TEST(Interpreter, WhatTheBotCannotReadGetsOnePoliteLinePerQuestion) {
  Chat chat(kContractExample);
  chat.Say("hello");
  chat.Say("yes");
  chat.Say("Lena");  // now asked for the email
  chat.Send(OfKind(MessageKind::kMedia, "a caption"));
  EXPECT_EQ(chat.last().outbound.size(), 2u);
  EXPECT_EQ(chat.last().outbound[0].body, "Sorry, I can only read text and buttons here.");
  chat.Send(OfKind(MessageKind::kUnsupported));
  for (const OutboundMessage& m : chat.last().outbound) {
    EXPECT_NE(m.body, "Sorry, I can only read text and buttons here.") << "once per question";
  }
  chat.Say("lena@example.com");  // the next question: the line may come once more
  chat.Send(OfKind(MessageKind::kUnsupported));
  EXPECT_EQ(chat.last().outbound.at(0).body, "Sorry, I can only read text and buttons here.");
  chat.Send(OfKind(MessageKind::kUnsupported));  // a choose: no retries, the mark still holds
  for (const OutboundMessage& m : chat.last().outbound) {
    EXPECT_NE(m.body, "Sorry, I can only read text and buttons here.");
  }
  chat.Say("Skiing");
  EXPECT_EQ(chat.Field("interest"), "Skiing") << "unreadable messages did not stop the flow";
}

TEST(Interpreter, AReactionAnswersNothingAndChangesNothing) {
  Chat chat(kContractExample);
  chat.Say("hello");
  const Conversation before = chat.conversation();
  chat.Send(OfKind(MessageKind::kReaction));
  EXPECT_TRUE(chat.last().outbound.empty());
  EXPECT_EQ(chat.conversation().state, before.state);
  EXPECT_EQ(chat.conversation().step, before.step);
  EXPECT_EQ(chat.conversation().invalid_answers, before.invalid_answers);
}

}  // namespace
}  // namespace consentflow::engine
