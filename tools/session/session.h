#pragma once

// A conversation with the engine in one process, for people and for scripts: the engine, a
// SQLite store (in memory, or a file), a clock that only moves when told to, and one contact.
// `consentflow chat` (a person at a terminal) and `consentflow test` (scripted conversations)
// are both built on it, so both run exactly the engine code a deployment runs.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/program.h"
#include "engine/base/clock.h"
#include "engine/base/result.h"
#include "engine/conversation.h"
#include "engine/engine.h"
#include "engine/flow_registry.h"
#include "engine/ledger.h"
#include "engine/outbound.h"
#include "engine/store/store.h"
#include "scripting/lua_hooks.h"
#include "scripting/script_host.h"

namespace consentflow::tools {

// Hook results scripted by the caller (`hook NAME returns "x"`, `--hook NAME=x`), in front of the
// flows' real hooks: a scripted hook answers as scripted, any other runs in the fallback (the
// session's Lua runtime). Without a fallback, a hook with no scripted result fails.
class ScriptedHooks : public scripting::ScriptHost {
 public:
  void Script(const std::string& hook, scripting::HookResult result) { results_[hook] = std::move(result); }
  void SetFallback(scripting::ScriptHost* fallback) { fallback_ = fallback; }
  // The hooks file of `flow_id` did not load: its unscripted hooks fail with `why`.
  void SetUnavailable(const std::string& flow_id, std::string why) { unavailable_[flow_id] = std::move(why); }
  Result<scripting::HookResult> Call(const scripting::HookCall& call) override;

 private:
  std::map<std::string, scripting::HookResult> results_;
  std::map<std::string, std::string> unavailable_;  // flow id -> why its hooks file did not load
  scripting::ScriptHost* fallback_ = nullptr;
};

struct SessionOptions {
  std::string database = ":memory:";  // or a file, to keep state between runs
  std::string contact = "15550001111";
};

class Session {
 public:
  // Compiles nothing: `flows` are loaded programs (dsl/loader.h). Their hooks files are loaded
  // into the Lua runtime (relative to each flow's source file), so `call` runs the real hook
  // unless a result is scripted for it; a hooks file that does not load makes the flow's
  // unscripted calls fail with the reason. Errors: a routing conflict between the flows, or a
  // store that cannot be opened.
  static Result<std::unique_ptr<Session>> Open(std::vector<dsl::ProgramPtr> flows,
                                               const SessionOptions& options = {});

  // The contact sends text / taps the button or list row titled `title` on the bot's latest
  // interactive message / shares a location / sends a photo. Each returns the bot's replies.
  Result<std::vector<engine::OutboundMessage>> Say(const std::string& text);
  Result<std::vector<engine::OutboundMessage>> Tap(const std::string& title);
  Result<std::vector<engine::OutboundMessage>> ShareLocation(double latitude, double longitude);
  Result<std::vector<engine::OutboundMessage>> SendPhoto(const std::string& caption = "");
  // Moves the clock on, fires the timers that fall due, sweeps retention.
  Result<std::vector<engine::OutboundMessage>> Wait(Duration duration);
  // An agent acts on the handed-off chat.
  Result<std::vector<engine::OutboundMessage>> HandBack(const std::string& state);
  Result<std::vector<engine::OutboundMessage>> Close();

  // What the engine holds about the contact now (from the store, not a cache).
  Result<std::optional<engine::Conversation>> Conversation() const;
  Result<std::vector<engine::LedgerEntry>> Ledger() const;
  Result<std::vector<engine::PrivacyIncident>> Incidents() const;
  // The state's name for `conversation`, "" when unknown.
  std::string StateName(const engine::Conversation& conversation) const;
  // The flow errors reported so far (failed hooks, stopped loops), cleared by each call.
  std::vector<std::string> TakeFlowErrors();

  ScriptedHooks& hooks() { return hooks_; }
  Timestamp now() const { return clock_.Now(); }

 private:
  Session() = default;
  Result<std::vector<engine::OutboundMessage>> Deliver(engine::InboundMessage message);
  Result<std::vector<engine::OutboundMessage>> Drain(Result<engine::EngineReport> report);

  std::vector<dsl::ProgramPtr> flows_;
  engine::FlowRegistry registry_;
  std::unique_ptr<engine::Store> store_;
  ManualClock clock_;
  std::unique_ptr<scripting::LuaHooks> lua_;
  ScriptedHooks hooks_;
  std::unique_ptr<engine::Engine> engine_;
  std::string contact_;
  uint64_t next_message_ = 1;
  std::optional<engine::OutboundMessage> last_interactive_;
  std::vector<std::string> flow_errors_;
};

}  // namespace consentflow::tools
