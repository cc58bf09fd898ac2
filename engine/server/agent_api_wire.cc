#include "engine/server/agent_api_wire.h"

#include <charconv>
#include <ctime>

namespace consentflow::engine::server::agent_wire {

using handoff::AgentProfile;
using handoff::Ticket;
using handoff::TicketState;
using handoff::TranscriptEntry;
using handoff::Verdict;

// ---- responses

HttpResponse JsonResponse(int status, const json& body) {
  return HttpResponse::Json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

HttpResponse Error(int status, std::string_view message) {
  HttpResponse response = JsonResponse(status, json{{"error", message}});
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

// A store's Status as the API answers it. Internal errors say nothing about their cause.
HttpResponse FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return JsonResponse(200, json::object());
    case StatusCode::kNotFound:
      return Error(404, status.message());
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition:
      return Error(409, status.message());
    case StatusCode::kInvalidArgument:
      return Error(400, status.message());
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted:
      return Error(503, "busy; try again shortly");
    case StatusCode::kInternal:
      break;
  }
  return Error(500, "internal error");
}

HttpResponse FromVerdict(const Verdict& verdict) {
  return Error(verdict.kind == Verdict::Kind::kForbidden ? 403 : 409, verdict.reason);
}

// "2026-11-29T08:00:00.123Z"
std::string IsoTime(Timestamp t) {
  const auto millis = ToUnixMillis(t);
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char tail[8];
  std::snprintf(tail, sizeof tail, ".%03dZ", static_cast<int>(millis % 1000));
  return std::string(text, n) + tail;
}

json OptionalTime(const std::optional<Timestamp>& t) {
  return t ? json(IsoTime(*t)) : json(nullptr);
}

json TicketJson(const Ticket& t) {
  return json{{"id", t.id},
              {"contact", t.contact},
              {"flow", t.flow_id},
              {"queue", t.queue},
              {"priority", dsl::ast::PriorityName(t.priority)},
              {"note", t.note},
              {"since", IsoTime(t.since)},
              {"state", handoff::TicketStateName(t.state)},
              {"agent", t.agent.empty() ? json(nullptr) : json(t.agent)},
              {"claimed_at", OptionalTime(t.claimed_at)},
              {"closed_at", OptionalTime(t.closed_at)},
              {"outcome", t.outcome.empty() ? json(nullptr) : json(t.outcome)},
              {"consented_purposes", t.consented_purposes},
              {"revision", t.revision}};
}

json EntryJson(const TranscriptEntry& e) {
  json entry{{"id", e.id},
             {"author", handoff::AuthorName(e.author)},
             {"kind", e.kind},
             {"text", e.text},
             {"time", IsoTime(e.time)},
             {"expires", IsoTime(e.expires)}};
  if (e.author == TranscriptEntry::Author::kAgent) {
    entry["agent"] = e.agent;
    entry["delivery"] = e.delivery;
  }
  return entry;
}

json ProfileJson(const AgentProfile& p) {
  return json{{"name", p.name}, {"role", handoff::RoleName(p.role)}, {"queues", p.queues}};
}

// ---- requests

std::optional<uint64_t> ParseId(std::string_view text) {
  uint64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id == 0) return std::nullopt;
  return id;
}

Route Parse(std::string_view path) {
  Route r;
  if (path == "/api/login") return {Route::Kind::kLogin, 0, "", "POST"};
  if (path == "/api/logout") return {Route::Kind::kLogout, 0, "", "POST"};
  if (path == "/api/queues") return {Route::Kind::kQueues, 0, "", "GET"};
  if (path == "/api/tickets") return {Route::Kind::kTickets, 0, "", "GET"};
  if (path == "/api/audit") return {Route::Kind::kAudit, 0, "", "GET"};
  if (path == "/api/templates") return {Route::Kind::kTemplates, 0, "", "GET"};
  constexpr std::string_view kTickets = "/api/tickets/";
  if (!path.starts_with(kTickets)) return r;
  std::string_view rest = path.substr(kTickets.size());
  const std::size_t slash = rest.find('/');
  const std::optional<uint64_t> id = ParseId(rest.substr(0, slash));
  if (!id) return r;
  if (slash == std::string_view::npos) return {Route::Kind::kTicket, *id, "", "GET"};
  const std::string_view action = rest.substr(slash + 1);
  if (action == "states") return {Route::Kind::kStates, *id, "", "GET"};
  for (const char* known :
       {"claim", "release", "transfer", "reply", "template", "handback", "close"}) {
    if (action == known) return {Route::Kind::kTicketAction, *id, std::string(action), "POST"};
  }
  return r;
}

// The body as a JSON object; nullopt when it is not one (an empty body is an empty object).
std::optional<json> BodyObject(const std::string& body) {
  if (body.empty()) return json::object();
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

std::string StringMember(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string BearerToken(const HttpRequest& request) {
  const std::string header = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) return {};
  return header.substr(kBearer.size());
}

}  // namespace consentflow::engine::server::agent_wire
