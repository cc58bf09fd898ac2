#include "engine/server/demo_graph.h"

#include <atomic>
#include <nlohmann/json.hpp>

namespace consentflow::engine::server {
namespace {

using json = nlohmann::json;

HttpResponse GraphError(int status, std::string_view message) {
  return HttpResponse::Json(
      status, json{{"error", {{"message", message}, {"type", "OAuthException"}, {"code", 100}}}}.dump());
}

}  // namespace

void DemoGraph::Handle(HttpRequest request, Responder respond) {
  if (request.method != "POST" || !request.path.ends_with("/messages")) {
    return respond(GraphError(404, "Unknown path components"));
  }
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return respond(GraphError(400, "Invalid JSON"));
  if (body.value("status", "") == "read") {
    respond(HttpResponse::Json(200, R"({"success":true})"));
    return phone_.MarkRead(body.value("message_id", ""));
  }
  std::string contact = body.value("to", body.value("recipient", ""));
  if (contact.starts_with('+')) contact.erase(0, 1);
  if (contact.empty()) return respond(GraphError(400, "(#100) The parameter to is required."));
  static std::atomic<uint64_t> next{1};
  const std::string wamid = "wamid.demo.out." + std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count()) + "." + std::to_string(next++);
  respond(HttpResponse::Json(200, json{{"messaging_product", "whatsapp"},
                                       {"contacts", {{{"input", body.value("to", contact)}, {"wa_id", contact}}}},
                                       {"messages", {{{"id", wamid}}}}}
                                      .dump()));
  phone_.Deliver(contact, wamid, request.body);
}

}  // namespace consentflow::engine::server
