#pragma once
// The agent API's wire format (docs/handoff.md): the routes under /api/ as parsed from a path,
// and the JSON the API answers with. No I/O: the routes are parsed on the I/O thread.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/clock.h"
#include "engine/base/status.h"
#include "engine/handoff/access.h"
#include "engine/handoff/agent.h"
#include "engine/handoff/ticket.h"
#include "engine/handoff/transcript.h"
#include "engine/server/http_server.h"

namespace consentflow::engine::server::agent_wire {

using json = nlohmann::json;

// ---- responses

HttpResponse JsonResponse(int status, const json& body);
// {"error": message} with `status`.
HttpResponse Error(int status, std::string_view message);
// The HTTP answer for a store or domain Status (404, 409, 400, ...; 500 says nothing more).
HttpResponse FromStatus(const Status& status);
HttpResponse FromVerdict(const handoff::Verdict& verdict);
std::string IsoTime(Timestamp t);
json OptionalTime(const std::optional<Timestamp>& t);
json TicketJson(const handoff::Ticket& t);
json EntryJson(const handoff::TranscriptEntry& e);
json ProfileJson(const handoff::AgentProfile& p);

// ---- requests

// What a path under /api/ asks for; parsed on the I/O thread (no I/O).
struct Route {
  enum class Kind {
    kNone,
    kLogin,
    kLogout,
    kQueues,
    kTickets,
    kTicket,
    kTicketAction,
    kStates,
    kTemplates,
    kAudit
  };
  Kind kind = Kind::kNone;
  uint64_t ticket_id = 0;
  std::string action;  // kTicketAction: claim, release, transfer, reply, template, handback, close
  const char* method = "GET";  // the one method the route takes
};

std::optional<uint64_t> ParseId(std::string_view text);
// The route of `path`; Kind::kNone for a path the API does not have.
Route Parse(std::string_view path);
// The body as a JSON object; nullopt when it is not one.
std::optional<json> BodyObject(const std::string& body);
// `key` of `object` when it is a string, else "".
std::string StringMember(const json& object, const char* key);
// The token of an "Authorization: Bearer ..." header; "" without one.
std::string BearerToken(const HttpRequest& request);

}  // namespace consentflow::engine::server::agent_wire
