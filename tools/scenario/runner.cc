#include "tools/scenario/runner.h"

#include <optional>
#include <utility>

#include "tools/scenario/flow_names.h"
#include "tools/scenario/state_checks.h"
#include "tools/scenario/text_pattern.h"
#include "tools/session/session.h"

namespace consentflow::tools {
namespace {

using engine::OutboundMessage;

std::string Titles(const OutboundMessage& m) {
  std::string out;
  for (const engine::ReplyChoice& c : m.choices) out += (out.empty() ? "" : " | ") + c.title;
  return out;
}

std::string Titles(const std::vector<std::string>& titles) {
  std::string out;
  for (const std::string& t : titles) out += (out.empty() ? "" : " | ") + t;
  return out;
}

// One test's run: the session, the current round of replies, and the flow errors not yet
// expected.
class TestRun {
 public:
  TestRun(Session& session, const FlowNames& names) : session_(session), names_(names) {}

  // nullopt when the step passed; else why it failed (and `line` says where).
  std::optional<std::string> Execute(const Step& step, uint32_t& line) {
    line = step.line;
    if (auto unknown = names_.Unknown(step)) return unknown;
    if (IsStateCheck(step.kind)) return CheckState(session_, step);
    switch (step.kind) {
      case StepKind::kHook:
        session_.hooks().Script(step.name, step.hook);
        return std::nullopt;
      case StepKind::kBotSays:
        return BotSays(step);
      case StepKind::kBotShows:
        return BotShows(step);
      case StepKind::kBotSilent:
        if (next_ == replies_.size()) return std::nullopt;
        return "expected no further bot message, got " + Quote(replies_[next_].body);
      case StepKind::kFlowError:
        return FlowError(step);
      default:
        break;
    }
    if (auto unexpected = UnexpectedFlowError(line)) return unexpected;
    line = step.line;
    Result<std::vector<OutboundMessage>> replies = Act(step);
    errors_.clear();
    for (std::string& e : session_.TakeFlowErrors()) errors_.emplace_back(step.line, std::move(e));
    if (!replies) return replies.error().message();
    replies_ = std::move(*replies);
    next_ = 0;
    checked_.reset();
    return std::nullopt;
  }

  // A flow error nobody expected, and the line of the action that caused it.
  std::optional<std::string> UnexpectedFlowError(uint32_t& line) const {
    if (errors_.empty()) return std::nullopt;
    line = errors_.front().first;
    return "expected no flow error, got " + Quote(errors_.front().second);
  }

 private:
  Result<std::vector<OutboundMessage>> Act(const Step& step) {
    switch (step.kind) {
      case StepKind::kSay:
        return session_.Say(step.text);
      case StepKind::kTap:
        return session_.Tap(step.text);
      case StepKind::kShareLocation:
        return session_.ShareLocation(step.latitude, step.longitude);
      case StepKind::kSendPhoto:
        return session_.SendPhoto(step.text);
      case StepKind::kWait:
        return session_.Wait(step.duration);
      case StepKind::kHandBack:
        return session_.HandBack(step.name);
      case StepKind::kClose:
        return session_.Close();
      default:
        return Status::Internal("not an action");
    }
  }

  std::optional<std::string> BotSays(const Step& step) {
    const std::string want = "expected bot message " + step.pattern.Describe();
    if (next_ == replies_.size()) {
      return want + ", got " + (replies_.empty() ? "no reply" : "no further reply");
    }
    const OutboundMessage& m = replies_[next_];
    if (!step.pattern.Matches(m.body)) return want + ", got " + Quote(m.body);
    checked_ = next_++;
    return std::nullopt;
  }

  // The choices of the reply `bot:` checked last, or else of the next one.
  std::optional<std::string> BotShows(const Step& step) {
    if (!checked_) {
      if (next_ == replies_.size()) {
        return "expected choices " + Titles(step.choices) + ", got no further reply";
      }
      checked_ = next_++;
    }
    const OutboundMessage& m = replies_[*checked_];
    if (m.choices.empty()) {
      return "expected choices " + Titles(step.choices) +
             ", got a message without buttons: " + Quote(m.body);
    }
    std::vector<std::string> titles;
    for (const engine::ReplyChoice& c : m.choices) titles.push_back(c.title);
    if (titles == step.choices) return std::nullopt;
    return "expected choices " + Titles(step.choices) + ", got " + Titles(m);
  }

  std::optional<std::string> FlowError(const Step& step) {
    const std::string want = "expected flow error " + step.pattern.Describe();
    if (errors_.empty()) return want + ", got none";
    if (!step.pattern.Matches(errors_.front().second)) {
      return want + ", got " + Quote(errors_.front().second);
    }
    errors_.erase(errors_.begin());
    return std::nullopt;
  }

  Session& session_;
  const FlowNames& names_;
  std::vector<OutboundMessage> replies_;
  std::size_t next_ = 0;                // the first reply of the round not yet checked
  std::optional<std::size_t> checked_;  // the reply `bot:` checked last in this round
  std::vector<std::pair<uint32_t, std::string>> errors_;  // (action line, error) not yet expected
};

}  // namespace

TestResult RunTest(const Scenario& scenario, const TestCase& test,
                   const std::vector<dsl::ProgramPtr>& flows) {
  TestResult result{test.name, test.line, true, 0, ""};
  auto fail = [&](uint32_t line, std::string why) {
    result.passed = false;
    result.failure_line = line;
    result.failure = std::move(why);
    return result;
  };
  Result<std::unique_ptr<Session>> session = Session::Open(flows);
  if (!session) return fail(test.line, "cannot start a session: " + session.error().message());
  const FlowNames names(flows);
  TestRun run(**session, names);
  uint32_t line = 0;
  for (const Step& hook : scenario.hooks) {
    if (auto failure = run.Execute(hook, line)) return fail(line, std::move(*failure));
  }
  for (const Step& step : test.steps) {
    if (auto failure = run.Execute(step, line)) return fail(line, std::move(*failure));
  }
  if (auto failure = run.UnexpectedFlowError(line)) return fail(line, std::move(*failure));
  return result;
}

std::string FormatFailure(const std::string& file, const TestResult& result) {
  return file + ":" + std::to_string(result.failure_line) + ": " + result.failure;
}

}  // namespace consentflow::tools
