#include "engine/server/agent_api.h"

#include <charconv>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "engine/base/log.h"
#include "engine/handoff/access.h"
#include "engine/handoff/transitions.h"
#include "engine/server/agent_api_wire.h"
#include "engine/server/agent_session.h"

namespace consentflow::engine::server {
namespace {

using namespace agent_wire;  // the routes and the JSON of this API
using handoff::AgentProfile;
using handoff::Ticket;
using handoff::TicketAction;
using handoff::TicketState;
using handoff::TranscriptEntry;
using handoff::Verdict;

constexpr std::size_t kMaxReplyBytes = 4096;  // WhatsApp's limit for a text message
constexpr std::size_t kMaxAuditPage = 1000;

}  // namespace

class AgentApi::Impl {
 public:
  Impl(Store& store, BlockingPool& pool, const Clock& clock, AgentActionRunner run_action,
       handoff::HandoffEventBus& events, AgentApiOptions options)
      : store_(store),
        pool_(pool),
        clock_(clock),
        run_action_(std::move(run_action)),
        events_(events),
        options_(std::move(options)) {}

  void Handle(HttpRequest request, Responder respond) {
    const Route route = Parse(request.path);
    if (route.kind == Route::Kind::kNone) return respond(Error(404, "not found"));
    if (request.method != route.method) {
      HttpResponse response = Error(405, std::string("use ") + route.method);
      response.headers.emplace_back("Allow", route.method);
      return respond(response);
    }
    auto shared = std::make_shared<Responder>(std::move(respond));
    const bool posted = pool_.Post([this, route, request = std::move(request), shared]() mutable {
      Serve(route, request, *shared);
    });
    if (!posted) (*shared)(Error(503, "busy; try again shortly"));
  }

 private:
  void Serve(const Route& route, const HttpRequest& request, Responder& respond) {
    if (route.kind == Route::Kind::kLogin) return respond(Login(request));
    HttpResponse refused;
    const std::optional<AgentProfile> actor = Authenticate(request, refused);
    if (!actor) return respond(refused);
    switch (route.kind) {
      case Route::Kind::kLogout:
        return respond(Logout(request, *actor));
      case Route::Kind::kQueues:
        return respond(Queues(*actor));
      case Route::Kind::kTickets:
        return respond(Tickets(request, *actor));
      case Route::Kind::kTicket:
        return respond(OpenTicket(route.ticket_id, *actor));
      case Route::Kind::kAudit:
        return respond(Audit(request, *actor));
      case Route::Kind::kTemplates:
        return respond(Templates());
      case Route::Kind::kStates:
        return States(route.ticket_id, *actor, respond);
      case Route::Kind::kTicketAction:
        return Act(route, request, *actor, respond);
      case Route::Kind::kNone:
      case Route::Kind::kLogin:
        break;
    }
    respond(Error(404, "not found"));
  }

  // ---- sessions

  HttpResponse Login(const HttpRequest& request) {
    const std::optional<json> body = BodyObject(request.body);
    if (!body) return Error(400, "send {\"name\": ..., \"password\": ...}");
    const std::string name = StringMember(*body, "name");
    const std::string password = StringMember(*body, "password");
    if (name.empty() || password.empty())
      return Error(400, "send {\"name\": ..., \"password\": ...}");
    const Timestamp now = clock_.Now();
    // Per account, and per client address (someone trying many names from one place).
    const std::string key = handoff::AccountKey(name);
    const std::string source = handoff::SourceKey(request.peer);
    Result<handoff::LoginFailures> failures = store_.LoginFailuresOf(key);
    if (!failures) return FromStatus(failures.error());
    Result<handoff::LoginFailures> source_failures = handoff::LoginFailures{};
    if (!source.empty()) source_failures = store_.LoginFailuresOf(source);
    if (!source_failures) return FromStatus(source_failures.error());
    std::optional<Duration> wait = handoff::RetryAfter(*failures, now, options_.throttle);
    if (const std::optional<Duration> source_wait =
            handoff::RetryAfter(*source_failures, now, options_.source_throttle)) {
      wait = std::max(wait.value_or(Duration::zero()), *source_wait);
    }
    if (wait) {
      const auto seconds = std::chrono::ceil<std::chrono::seconds>(*wait).count();
      HttpResponse response = Error(429, "too many failed logins; try again later");
      response.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(seconds, 1)));
      return response;
    }
    Result<std::optional<handoff::AgentAccount>> account = store_.FindAgent(name);
    if (!account) return FromStatus(account.error());
    // An unknown name costs a hash check too, so the answer's timing does not tell names apart.
    const bool ok = *account ? handoff::VerifyPassword((*account)->password_hash, password)
                             : (handoff::VerifyPassword(DummyHash(), password), false);
    if (!ok) {
      if (Status s = store_.SetLoginFailures(
              key, handoff::AfterFailure(*failures, now, options_.throttle));
          !s.ok()) {
        return FromStatus(s);
      }
      if (!source.empty()) {
        if (Status s = store_.SetLoginFailures(
                source, handoff::AfterFailure(*source_failures, now, options_.source_throttle));
            !s.ok()) {
          return FromStatus(s);
        }
      }
      Log(LogLevel::kInfo, "agent_login_failed");  // no name: people type passwords there
      return Error(401, "wrong name or password");
    }
    // A success clears the account's count, not the address's: one good login must not reset
    // the count of someone trying other names from the same place.
    if (Status s = store_.SetLoginFailures(key, {}); !s.ok()) return FromStatus(s);
    const std::string token = handoff::NewSessionToken();
    const Timestamp expires = now + options_.session_ttl;
    if (Status s = store_.CreateSession(handoff::TokenDigest(token), name, expires); !s.ok()) {
      return FromStatus(s);
    }
    const AgentProfile profile = WithConfiguredQueues((*account)->profile, options_.queues);
    (void)store_.AppendAudit({0, now, name, "login", 0, "", ""});
    return JsonResponse(
        200,
        json{{"token", token}, {"expires", IsoTime(expires)}, {"agent", ProfileJson(profile)}});
  }

  const std::string& DummyHash() {
    std::call_once(dummy_once_, [this] {
      Result<std::string> hash =
          handoff::HashPassword("no agent has this password", options_.dummy_cost);
      dummy_hash_ = hash ? *hash : std::string();
    });
    return dummy_hash_;
  }

  std::optional<AgentProfile> Authenticate(const HttpRequest& request, HttpResponse& refused) {
    const std::string token = BearerToken(request);
    if (token.empty()) {
      refused = Error(401, "log in first (Authorization: Bearer TOKEN)");
      return std::nullopt;
    }
    Result<AgentProfile> agent =
        AgentOfSession(store_, handoff::TokenDigest(token), clock_.Now(), options_.queues);
    if (!agent) {
      refused = agent.error().code() == StatusCode::kNotFound ? Error(401, agent.error().message())
                                                              : FromStatus(agent.error());
      return std::nullopt;
    }
    return std::move(*agent);
  }

  HttpResponse Logout(const HttpRequest& request, const AgentProfile& actor) {
    if (Status s = store_.DeleteSession(handoff::TokenDigest(BearerToken(request))); !s.ok()) {
      return FromStatus(s);
    }
    (void)store_.AppendAudit({0, clock_.Now(), actor.name, "logout", 0, "", ""});
    return JsonResponse(200, json{{"ok", true}});
  }

  // ---- reading

  const QueueConfig* Declared(std::string_view name) const {
    for (const QueueConfig& queue : options_.queues) {
      if (queue.name == name) return &queue;
    }
    return nullptr;
  }

  HttpResponse Queues(const AgentProfile& actor) {
    Result<std::vector<Ticket>> open = store_.OpenTickets("");
    if (!open) return FromStatus(open.error());
    // The declared queues, then any other the agent belongs to or (for a supervisor) that has
    // open tickets.
    std::vector<std::pair<std::string, std::string>> names;
    auto add = [&](const std::string& name, const std::string& title) {
      if (!handoff::CanSeeQueue(actor, name)) return;
      for (const auto& known : names) {
        if (known.first == name) return;
      }
      names.emplace_back(name, title);
    };
    for (const QueueConfig& queue : options_.queues) add(queue.name, queue.title);
    for (const std::string& queue : actor.queues) add(queue, queue);
    for (const Ticket& t : *open) add(t.queue, t.queue);
    json queues = json::array();
    for (const auto& [name, title] : names) {
      std::size_t waiting = 0, claimed = 0;
      for (const Ticket& t : *open) {
        if (t.queue != name) continue;
        ++(t.state == TicketState::kWaiting ? waiting : claimed);
      }
      queues.push_back(
          json{{"name", name}, {"title", title}, {"waiting", waiting}, {"claimed", claimed}});
    }
    return JsonResponse(200, json{{"queues", queues}});
  }

  HttpResponse Tickets(const HttpRequest& request, const AgentProfile& actor) {
    const std::string queue = QueryParameter(request.query, "queue").value_or("");
    if (!queue.empty()) {
      if (!handoff::CanSeeQueue(actor, queue)) {
        return Declared(queue) ? Error(403, "the queue is not yours") : Error(404, "no such queue");
      }
    }
    Result<std::vector<Ticket>> open = store_.OpenTickets(queue);
    if (!open) return FromStatus(open.error());
    json tickets = json::array();
    for (const Ticket& t : *open) {
      if (handoff::CanSeeTicket(actor, t)) tickets.push_back(TicketJson(t));
    }
    return JsonResponse(200, json{{"tickets", tickets}});
  }

  // The transcript and the contact's data: the audit entry is written first, so nothing is
  // shown that is not on record.
  HttpResponse OpenTicket(uint64_t id, const AgentProfile& actor) {
    Result<Ticket> ticket = store_.FindTicket(id);
    if (!ticket) return FromStatus(ticket.error());
    if (const Verdict v = handoff::Check(actor, *ticket, TicketAction::kView); !v.allowed()) {
      return FromVerdict(v);
    }
    const Timestamp now = clock_.Now();
    Result<uint64_t> audited =
        store_.AppendAudit({0, now, actor.name, handoff::TicketActionName(TicketAction::kView), id,
                            ticket->contact, ""});
    if (!audited) return FromStatus(audited.error());
    Result<std::vector<TranscriptEntry>> transcript = store_.Transcript(id);
    if (!transcript) return FromStatus(transcript.error());
    Conversation data;
    data.contact = ticket->contact;
    if (Status s = store_.LoadFlowData(ticket->flow_id, data); !s.ok()) return FromStatus(s);
    Result<ServiceWindow> window = store_.ServiceWindowOf(ticket->contact);
    if (!window) return FromStatus(window.error());

    json entries = json::array();
    for (const TranscriptEntry& e : *transcript) entries.push_back(EntryJson(e));
    json fields = json::object();
    for (const auto& [name, value] : data.fields) {
      fields[name] = json{
          {"value", value.value}, {"purpose", value.purpose}, {"expires", IsoTime(value.expires)}};
    }
    json consents = json::array();
    for (const auto& [notice, consent] : data.consents) {
      consents.push_back(json{{"notice", notice},
                              {"version", consent.version},
                              {"purposes", consent.purposes},
                              {"granted", IsoTime(consent.granted)}});
    }
    const bool open = window->OpenAt(now);
    json window_json{
        {"open", open},
        {"closes_at",
         open ? json(IsoTime(*window->last_inbound + ServiceWindow::kLength)) : json(nullptr)}};
    return JsonResponse(
        200,
        json{{"ticket", TicketJson(*ticket)},
             {"transcript", entries},
             {"contact", json{{"id", ticket->contact}, {"fields", fields}, {"consents", consents}}},
             {"window", window_json}});
  }

  HttpResponse Audit(const HttpRequest& request, const AgentProfile& actor) {
    if (!actor.supervisor()) return Error(403, "the audit log is for supervisors");
    const std::optional<uint64_t> after =
        ParseId(QueryParameter(request.query, "after").value_or("x"));
    std::size_t limit = 100;
    if (const std::optional<uint64_t> asked =
            ParseId(QueryParameter(request.query, "limit").value_or("x"))) {
      limit = std::min<std::size_t>(*asked, kMaxAuditPage);
    }
    Result<std::vector<handoff::AuditEntry>> entries = store_.ReadAudit(after.value_or(0), limit);
    if (!entries) return FromStatus(entries.error());
    json list = json::array();
    for (const handoff::AuditEntry& e : *entries) {
      list.push_back(json{{"id", e.id},
                          {"time", IsoTime(e.time)},
                          {"agent", e.agent},
                          {"action", e.action},
                          {"ticket", e.ticket_id == 0 ? json(nullptr) : json(e.ticket_id)},
                          {"contact", e.contact.empty() ? json(nullptr) : json(e.contact)},
                          {"detail", e.detail}});
    }
    return JsonResponse(200, json{{"entries", list}});
  }

  HttpResponse Templates() const {
    json list = json::array();
    for (const handoff::MessageTemplate& t : options_.templates) {
      list.push_back(json{{"name", t.name},
                          {"language", t.language},
                          {"body", t.body},
                          {"params", t.params}});
    }
    return JsonResponse(200, json{{"templates", list}});
  }

  // The states a hand-back may name: the ticket's conversation's flow, as the engine runs it.
  void States(uint64_t id, const AgentProfile& actor, Responder& respond) {
    Result<Ticket> ticket = store_.FindTicket(id);
    if (!ticket) return respond(FromStatus(ticket.error()));
    if (const Verdict v = handoff::Check(actor, *ticket, TicketAction::kView); !v.allowed()) {
      return respond(FromVerdict(v));
    }
    if (!options_.flow_states) return respond(Error(503, "the flows cannot be listed here"));
    auto shared = std::make_shared<Responder>(std::move(respond));
    options_.flow_states(ticket->contact, [shared](Result<FlowStates> states) {
      if (!states) {
        return (*shared)(states.error().code() == StatusCode::kNotFound
                             ? Error(404, "the conversation's flow is not loaded")
                             : FromStatus(states.error()));
      }
      (*shared)(JsonResponse(200, json{{"flow", states->flow_id},
                                       {"version", states->version},
                                       {"start", states->start},
                                       {"states", states->states}}));
    });
  }

  // ---- acting

  void Act(const Route& route, const HttpRequest& request, const AgentProfile& actor,
           Responder& respond) {
    const std::optional<json> body = BodyObject(request.body);
    if (!body) return respond(Error(400, "the body must be a JSON object"));
    Result<Ticket> ticket = store_.FindTicket(route.ticket_id);
    if (!ticket) return respond(FromStatus(ticket.error()));
    const std::string& action = route.action;
    if (action == "claim") return respond(Claim(*ticket, actor));
    if (action == "release") return respond(Release(*ticket, actor));
    if (action == "transfer") return respond(Transfer(*ticket, actor, *body));
    if (action == "reply") return respond(Reply(*ticket, actor, *body));
    if (action == "template") return respond(SendTemplate(*ticket, actor, *body));
    return EndOrHandBack(*ticket, actor, action == "handback", *body, respond);
  }

  HttpResponse Claim(const Ticket& ticket, const AgentProfile& actor) {
    if (const Verdict v = handoff::Check(actor, ticket, TicketAction::kClaim); !v.allowed())
      return FromVerdict(v);
    Result<Ticket> claimed = store_.ClaimTicket(ticket.id, actor.name, clock_.Now());
    if (!claimed) return FromStatus(claimed.error());
    return Changed(*claimed);
  }

  HttpResponse Release(const Ticket& ticket, const AgentProfile& actor) {
    if (const Verdict v = handoff::Check(actor, ticket, TicketAction::kRelease); !v.allowed())
      return FromVerdict(v);
    Result<Ticket> saved =
        store_.UpdateTicket(handoff::Released(ticket), Audited(actor, TicketAction::kRelease, ""));
    if (!saved) return FromStatus(saved.error());
    return Changed(*saved);
  }

  HttpResponse Transfer(const Ticket& ticket, const AgentProfile& actor, const json& body) {
    if (const Verdict v = handoff::Check(actor, ticket, TicketAction::kTransfer); !v.allowed())
      return FromVerdict(v);
    const std::string queue = StringMember(body, "queue");
    const std::string agent = StringMember(body, "agent");
    if (queue.empty() == agent.empty())
      return Error(400, "send {\"queue\": ...} or {\"agent\": ...}");
    Ticket next;
    std::string detail;
    if (!queue.empty()) {
      if (!Declared(queue)) return Error(400, "no queue '" + queue + "' is declared");
      next = handoff::TransferredToQueue(ticket, queue);
      detail = "queue=" + queue;
    } else {
      Result<std::optional<handoff::AgentAccount>> target = store_.FindAgent(agent);
      if (!target) return FromStatus(target.error());
      if (!*target) return Error(400, "no agent '" + agent + "'");
      if (!handoff::CanSeeQueue(WithConfiguredQueues((*target)->profile, options_.queues),
                                ticket.queue)) {
        return Error(400, "agent '" + agent + "' does not work queue '" + ticket.queue + "'");
      }
      next = handoff::TransferredToAgent(ticket, agent, clock_.Now());
      detail = "agent=" + agent;
    }
    Result<Ticket> saved =
        store_.UpdateTicket(next, Audited(actor, TicketAction::kTransfer, detail));
    if (!saved) return FromStatus(saved.error());
    return Changed(*saved);
  }

  HttpResponse Reply(const Ticket& ticket, const AgentProfile& actor, const json& body) {
    if (const Verdict v = handoff::Check(actor, ticket, TicketAction::kReply); !v.allowed())
      return FromVerdict(v);
    const std::string text = StringMember(body, "text");
    if (text.empty()) return Error(400, "send {\"text\": ...}");
    if (text.size() > kMaxReplyBytes) return Error(400, "the reply is longer than 4096 bytes");
    OutboundMessage message;
    message.kind = OutboundMessage::Kind::kText;
    message.body = text;
    return Queue(ticket, actor, message, "text");
  }

  // After the 24-hour window: {"name": ..., "language": ... (when the name has several),
  // "params": [...]}. The holder only, as a reply.
  HttpResponse SendTemplate(const Ticket& ticket, const AgentProfile& actor, const json& body) {
    if (const Verdict v = handoff::Check(actor, ticket, TicketAction::kReply); !v.allowed())
      return FromVerdict(v);
    const std::string name = StringMember(body, "name");
    const std::string language = StringMember(body, "language");
    if (name.empty()) {
      return Error(400, "send {\"name\": ..., \"params\": [...]}: GET /api/templates lists them");
    }
    const handoff::MessageTemplate* chosen = nullptr;
    std::size_t matches = 0;
    for (const handoff::MessageTemplate& t : options_.templates) {
      if (t.name != name || (!language.empty() && t.language != language)) continue;
      chosen = &t;
      ++matches;
    }
    if (chosen == nullptr) {
      return Error(400, "no template '" + name + "'" +
                            (language.empty() ? "" : " in '" + language + "'") +
                            " is set up; GET /api/templates lists them");
    }
    if (matches > 1) return Error(400, "template '" + name + "' has several languages; name one");
    std::vector<std::string> values;
    if (const auto params = body.find("params"); params != body.end()) {
      if (!params->is_array()) return Error(400, "'params' must be a list of texts");
      for (const json& value : *params) {
        if (!value.is_string()) return Error(400, "'params' must be a list of texts");
        values.push_back(value.get<std::string>());
      }
    }
    if (const std::string problem = handoff::CheckTemplateValues(*chosen, values);
        !problem.empty()) {
      return Error(400, problem);
    }
    OutboundMessage message;
    message.kind = OutboundMessage::Kind::kTemplate;
    message.body = handoff::RenderTemplate(*chosen, values);
    message.template_name = chosen->name;
    message.template_language = chosen->language;
    message.template_params = std::move(values);
    return Queue(ticket, actor, message, "template");
  }

  // Queues an agent's message (its text as the transcript shows it: `message.body`), announces
  // it, and answers 202 with the transcript entry and the outbox id.
  HttpResponse Queue(const Ticket& ticket, const AgentProfile& actor,
                     const OutboundMessage& message, const char* kind) {
    const Timestamp now = clock_.Now();
    TranscriptEntry entry;
    entry.agent = actor.name;
    entry.text = message.body;
    entry.kind = kind;
    entry.time = now;
    entry.expires = now + options_.transcript_retention;
    Result<TranscriptEntry> queued = store_.QueueAgentReply(ticket.id, message, entry);
    if (!queued) {
      if (queued.error().code() == StatusCode::kFailedPrecondition) {
        return JsonResponse(409, json{{"error", queued.error().message()}, {"window_open", false}});
      }
      return FromStatus(queued.error());
    }
    events_.Publish({handoff::HandoffEvent::Kind::kMessage, ticket.id, ticket.contact, ticket.queue,
                     queued->delivery, actor.name});
    return JsonResponse(
        202, json{{"message", EntryJson(*queued)}, {"outbox_id", queued->outbox_id.value_or(0)}});
  }

  // Close and hand back go through the engine (its commit closes the ticket); the answer is
  // the ticket as it stands afterwards.
  void EndOrHandBack(const Ticket& ticket, const AgentProfile& actor, bool hand_back,
                     const json& body, Responder& respond) {
    const TicketAction kind = hand_back ? TicketAction::kHandBack : TicketAction::kClose;
    if (const Verdict v = handoff::Check(actor, ticket, kind); !v.allowed())
      return respond(FromVerdict(v));
    AgentAction action;
    action.kind = hand_back ? AgentAction::Kind::kHandBack : AgentAction::Kind::kClose;
    action.contact = ticket.contact;
    action.agent = actor.name;
    if (hand_back) {
      action.state = StringMember(body, "state");
      if (action.state.empty())
        return respond(Error(400, "send {\"state\": ...}: where the bot continues"));
    }
    const std::string detail = hand_back ? "state=" + action.state : "";
    auto shared = std::make_shared<Responder>(std::move(respond));
    run_action_(std::move(action), [this, ticket, actor, kind, detail, shared](Status status) {
      // Called on the engine's thread: the rest is not its work.
      const bool posted = pool_.Post([this, ticket, actor, kind, detail, shared, status] {
        if (!status.ok()) return (*shared)(FromStatus(status));
        Result<Ticket> after = store_.FindTicket(ticket.id);
        if (!after) return (*shared)(FromStatus(after.error()));
        (void)store_.AppendAudit({0, clock_.Now(), actor.name, handoff::TicketActionName(kind),
                                  ticket.id, ticket.contact, detail});
        (*shared)(JsonResponse(200, json{{"ticket", TicketJson(*after)}}));
      });
      if (!posted) (*shared)(Error(503, "shutting down"));
    });
  }

  // The audit entry of an agent's change (the store fills in the ticket and contact and writes
  // it in the change's transaction).
  handoff::AuditEntry Audited(const AgentProfile& actor, TicketAction action,
                              const std::string& detail) const {
    return {0, clock_.Now(), actor.name, handoff::TicketActionName(action), 0, "", detail};
  }

  // Announces an agent's change to a ticket, and answers with it.
  HttpResponse Changed(const Ticket& ticket) {
    events_.Publish({handoff::HandoffEvent::Kind::kTicketChanged, ticket.id, ticket.contact,
                     ticket.queue, handoff::TicketStateName(ticket.state), ticket.agent});
    return JsonResponse(200, json{{"ticket", TicketJson(ticket)}});
  }

  Store& store_;
  BlockingPool& pool_;
  const Clock& clock_;
  AgentActionRunner run_action_;
  handoff::HandoffEventBus& events_;
  const AgentApiOptions options_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

AgentApi::AgentApi(Store& store, BlockingPool& pool, const Clock& clock,
                   AgentActionRunner run_action, handoff::HandoffEventBus& events,
                   AgentApiOptions options)
    : impl_(std::make_unique<Impl>(store, pool, clock, std::move(run_action), events,
                                   std::move(options))) {}

AgentApi::~AgentApi() = default;

void AgentApi::Handle(HttpRequest request, Responder respond) {
  impl_->Handle(std::move(request), std::move(respond));
}

}  // namespace consentflow::engine::server
