#include "tools/session/session.h"

#include <algorithm>
#include <utility>

#include "engine/answers.h"
#include "engine/store/sqlite/sqlite_store.h"

namespace consentflow::tools {
namespace {

constexpr const char* kInMemory = ":memory:";
constexpr const char* kAgent = "session-agent";
// Rounds of ProcessPending / FireDueTimers before the session gives up: a guard against a bug
// that keeps work pending forever, far above anything one message causes.
constexpr int kMaxRounds = 1000;
// Timers fired within one Wait() before the session stops: a flow whose timeout re-arms itself
// (`on timeout 1 minute -> start`) would otherwise keep a `wait 10 years` busy for a long time.
constexpr int kMaxTimersPerWait = 10'000;
constexpr std::size_t kPage = 1000;

bool IsInteractive(const engine::OutboundMessage& m) {
  return !m.choices.empty() && (m.kind == engine::OutboundMessage::Kind::kButtons ||
                                m.kind == engine::OutboundMessage::Kind::kList);
}

std::string JoinTitles(const engine::OutboundMessage& m) {
  std::string out;
  for (const engine::ReplyChoice& choice : m.choices)
    out += (out.empty() ? "" : ", ") + choice.title;
  return out;
}

void Merge(engine::EngineReport& into, engine::EngineReport from) {
  into.handled += from.handled;
  into.failed += from.failed;
  into.unrouted += from.unrouted;
  for (std::string& e : from.flow_errors) into.flow_errors.push_back(std::move(e));
}

// A file database remembers earlier sessions, whose clock may have been moved on (`/wait`). The
// clock resumes at the latest time the store records, so time never runs backwards in the
// ledger or in retention.
Status ResumeClock(engine::Store& store, const std::string& contact, ManualClock& clock) {
  Timestamp latest = clock.Now();
  for (uint64_t from = 1;;) {
    Result<std::vector<engine::LedgerEntry>> page = store.ReadLedger(from, kPage);
    if (!page) return page.error();
    for (const engine::LedgerEntry& e : *page) latest = std::max(latest, e.time);
    if (page->size() < kPage) break;
    from = page->back().sequence + 1;
  }
  Result<std::optional<engine::Conversation>> c = store.LoadConversation(contact);
  if (!c) return c.error();
  if (*c) {
    for (const auto& [name, value] : (*c)->fields) latest = std::max(latest, value.captured);
    if ((*c)->handoff) latest = std::max(latest, (*c)->handoff->since);
  }
  clock.Set(latest);
  return Status::Ok();
}

}  // namespace

Result<scripting::HookResult> ScriptedHooks::Call(const scripting::HookCall& call) {
  const auto it = results_.find(call.hook);
  if (it != results_.end()) return it->second;
  const auto unavailable = unavailable_.find(call.flow_id);
  if (unavailable != unavailable_.end()) return Status::FailedPrecondition(unavailable->second);
  if (fallback_ != nullptr) return fallback_->Call(call);
  return Status::NotFound("no result is scripted for hook '" + call.hook + "'");
}

Result<std::unique_ptr<Session>> Session::Open(std::vector<dsl::ProgramPtr> flows,
                                               const SessionOptions& options) {
  std::unique_ptr<Session> session(new Session());
  for (const dsl::ProgramPtr& flow : flows) {
    Status added = session->registry_.Add(flow);
    if (!added.ok()) return added;
  }
  session->lua_ = scripting::MakeLuaScriptHost();
  for (const dsl::ProgramPtr& flow : flows) {
    Status loaded = session->lua_->LoadFlow(*flow);
    if (!loaded.ok()) session->hooks_.SetUnavailable(flow->flow_id, loaded.message());
  }
  session->hooks_.SetFallback(session->lua_.get());
  session->flows_ = std::move(flows);
  const bool in_memory = options.database == kInMemory || options.database.empty();
  Result<std::unique_ptr<engine::Store>> store = engine::OpenSqliteStore(engine::SqliteOptions{
      in_memory ? std::string(kInMemory) : options.database, /*busy_timeout_ms=*/5000,
      /*durable=*/!in_memory});
  if (!store) return store.error();
  session->store_ = std::move(*store);
  session->contact_ = options.contact;
  session->engine_ = std::make_unique<engine::Engine>(*session->store_, session->registry_,
                                                      session->clock_, &session->hooks_);
  if (!in_memory) {
    Status resumed = ResumeClock(*session->store_, session->contact_, session->clock_);
    if (!resumed.ok()) return resumed;
  }
  Result<std::size_t> swept = session->engine_->SweepRetention();
  if (!swept) return swept.error();
  // Replies queued before (a file database of an earlier run) are not this session's news.
  Result<std::vector<engine::OutboundMessage>> old = session->Drain(engine::EngineReport{});
  if (!old) return old.error();
  session->flow_errors_.clear();
  return session;
}

Result<std::vector<engine::OutboundMessage>> Session::Say(const std::string& text) {
  engine::InboundMessage m;
  m.kind = engine::MessageKind::kText;
  m.text = text;
  return Deliver(std::move(m));
}

Result<std::vector<engine::OutboundMessage>> Session::Tap(const std::string& title) {
  if (!last_interactive_) {
    return Status::FailedPrecondition("cannot tap \"" + title +
                                      "\": the bot has not sent any buttons or list");
  }
  const engine::OutboundMessage& latest = *last_interactive_;
  const auto choice = std::find_if(
      latest.choices.begin(), latest.choices.end(),
      [&](const engine::ReplyChoice& c) { return engine::Fold(c.title) == engine::Fold(title); });
  if (choice == latest.choices.end()) {
    return Status::InvalidArgument(
        "no choice titled \"" + title +
        "\" on the bot's latest buttons or list; its choices are: " + JoinTitles(latest));
  }
  engine::InboundMessage m;
  m.kind = latest.kind == engine::OutboundMessage::Kind::kList ? engine::MessageKind::kListReply
                                                               : engine::MessageKind::kButtonReply;
  m.reply_id = choice->id;
  m.text = choice->title;
  return Deliver(std::move(m));
}

Result<std::vector<engine::OutboundMessage>> Session::ShareLocation(double latitude,
                                                                    double longitude) {
  engine::InboundMessage m;
  m.kind = engine::MessageKind::kLocation;
  m.location = engine::GeoPoint{latitude, longitude};
  return Deliver(std::move(m));
}

Result<std::vector<engine::OutboundMessage>> Session::SendPhoto(const std::string& caption) {
  engine::InboundMessage m;
  m.kind = engine::MessageKind::kMedia;
  m.text = caption;
  return Deliver(std::move(m));
}

// Time moves from one due timer to the next, so each timer fires at the time it fell due and
// sees the clock a deployment would show; a timer that re-arms itself fires again if its new
// due time is still within the wait.
Result<std::vector<engine::OutboundMessage>> Session::Wait(Duration duration) {
  const Timestamp until = clock_.Now() + duration;
  engine::EngineReport total;
  for (int fired = 0; fired < kMaxTimersPerWait; ++fired) {
    Result<std::vector<engine::TimerFired>> due = store_->DueTimers(until, 1);
    if (!due) return due.error();
    if (due->empty()) break;
    clock_.Set(std::max(clock_.Now(), due->front().due));
    Result<engine::EngineReport> report = engine_->FireDueTimers();
    if (!report) return report.error();
    const bool progressed = report->handled > 0;
    Merge(total, std::move(*report));
    if (!progressed) break;  // due but not taken: do not spin on it
    if (fired + 1 == kMaxTimersPerWait) {
      total.flow_errors.push_back("the wait stopped after " + std::to_string(kMaxTimersPerWait) +
                                  " timers fired (a timeout that keeps re-arming itself?)");
    }
  }
  clock_.Set(std::max(clock_.Now(), until));
  Result<std::size_t> swept = engine_->SweepRetention();
  if (!swept) return swept.error();
  return Drain(std::move(total));
}

Result<std::vector<engine::OutboundMessage>> Session::HandBack(const std::string& state) {
  Result<std::optional<engine::Conversation>> c = Conversation();
  if (!c) return c.error();
  if (!*c || (*c)->phase != engine::Phase::kHandoff) {
    return Status::FailedPrecondition("the chat is not waiting for an agent: nothing to hand back");
  }
  return Drain(engine_->Act(
      engine::AgentAction{engine::AgentAction::Kind::kHandBack, contact_, kAgent, state}));
}

Result<std::vector<engine::OutboundMessage>> Session::Close() {
  Result<std::optional<engine::Conversation>> c = Conversation();
  if (!c) return c.error();
  if (!*c || (*c)->phase != engine::Phase::kHandoff) {
    return Status::FailedPrecondition("the chat is not waiting for an agent: nothing to close");
  }
  return Drain(
      engine_->Act(engine::AgentAction{engine::AgentAction::Kind::kClose, contact_, kAgent, ""}));
}

Result<std::optional<engine::Conversation>> Session::Conversation() const {
  return store_->LoadConversation(contact_);
}

Result<std::vector<engine::LedgerEntry>> Session::Ledger() const {
  std::vector<engine::LedgerEntry> all;
  for (uint64_t from = 1;;) {
    Result<std::vector<engine::LedgerEntry>> page = store_->ReadLedger(from, kPage);
    if (!page) return page.error();
    if (page->empty()) break;
    from = page->back().sequence + 1;
    for (engine::LedgerEntry& e : *page) all.push_back(std::move(e));
    if (page->size() < kPage) break;
  }
  return all;
}

Result<std::vector<engine::PrivacyIncident>> Session::Incidents() const {
  return store_->ReadIncidents(100'000);
}

std::string Session::StateName(const engine::Conversation& conversation) const {
  const dsl::Program* program = registry_.Find(conversation.flow_id, conversation.flow_version);
  if (program == nullptr || conversation.state >= program->states.size()) return "";
  return program->states[conversation.state].id;
}

std::vector<std::string> Session::TakeFlowErrors() { return std::exchange(flow_errors_, {}); }

// The message ids must be new to the store's inbox, or the engine takes the message for a
// redelivery and drops it. A file database may hold ids of earlier sessions, so an id that
// turns out to be taken is skipped.
Result<std::vector<engine::OutboundMessage>> Session::Deliver(engine::InboundMessage message) {
  message.contact = contact_;
  message.time = clock_.Now();
  for (int attempt = 0;; ++attempt) {
    message.id = "wamid.session." + std::to_string(next_message_++);
    Result<bool> fresh = engine_->Receive(message);
    if (!fresh) return fresh.error();
    if (*fresh) break;
    if (attempt == 1'000'000) return Status::Internal("no free message id in the inbox");
  }
  return Drain(engine_->ProcessPending());
}

Result<std::vector<engine::OutboundMessage>> Session::Drain(Result<engine::EngineReport> report) {
  if (!report) return report.error();
  engine::EngineReport total = std::move(*report);
  bool more = total.handled + total.failed > 0;
  for (int round = 0; more && round < kMaxRounds; ++round) {
    Result<engine::EngineReport> next = engine_->ProcessPending();
    if (!next) return next.error();
    more = next->handled > 0;
    Merge(total, std::move(*next));
  }
  for (std::string& e : total.flow_errors) flow_errors_.push_back(std::move(e));
  if (total.unrouted > 0) {
    flow_errors_.push_back(
        "no flow takes this message (no entry link, ad or keyword matches, "
        "and no flow has 'entry default')");
  }
  if (total.failed > 0) {
    flow_errors_.push_back("the store refused to commit " + std::to_string(total.failed) +
                           " event(s); they stay pending");
  }
  std::vector<engine::OutboundMessage> replies;
  for (int round = 0; round < kMaxRounds; ++round) {
    Result<std::vector<engine::OutboxEntry>> outbox = store_->PendingOutbox(kPage);
    if (!outbox) return outbox.error();
    if (outbox->empty()) break;
    for (engine::OutboxEntry& entry : *outbox) {
      Status sent = store_->MarkSent(entry.id, "wamid.out." + std::to_string(entry.id));
      if (!sent.ok()) return sent;
      if (IsInteractive(entry.message)) last_interactive_ = entry.message;
      replies.push_back(std::move(entry.message));
    }
  }
  return replies;
}

}  // namespace consentflow::tools
