#include "engine/whatsapp/graph_request.h"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

namespace consentflow::engine::whatsapp {
namespace {

using Json = nlohmann::json;

// A business-scoped user id has a country prefix and a dot ("DE.3057..."); a WhatsApp id is the
// phone number's digits.
bool IsBusinessScopedId(std::string_view contact) {
  return contact.find('.') != std::string_view::npos;
}

Json Envelope(std::string_view contact) {
  Json json = {{"messaging_product", "whatsapp"}, {"recipient_type", "individual"}};
  if (IsBusinessScopedId(contact)) {
    json["recipient"] = contact;
  } else {
    json["to"] = (contact.starts_with('+') ? "" : "+") + std::string(contact);
  }
  return json;
}

bool HasLink(std::string_view body) {
  return body.find("https://") != std::string_view::npos ||
         body.find("http://") != std::string_view::npos;
}

Json ReplyButtons(const OutboundMessage& m) {
  Json buttons = Json::array();
  for (const ReplyChoice& choice : m.choices) {
    buttons.push_back({{"type", "reply"}, {"reply", {{"id", choice.id}, {"title", choice.title}}}});
  }
  return {{"type", "button"}, {"body", {{"text", m.body}}}, {"action", {{"buttons", buttons}}}};
}

Json List(const OutboundMessage& m) {
  Json rows = Json::array();
  for (const ReplyChoice& choice : m.choices) {
    rows.push_back({{"id", choice.id}, {"title", choice.title}});
  }
  // One section needs no title (Meta requires one only when there are several).
  Json action = {{"button", m.list_button.empty() ? std::string("Choose") : m.list_button},
                 {"sections", Json::array({{{"rows", rows}}})}};
  return {{"type", "list"}, {"body", {{"text", m.body}}}, {"action", std::move(action)}};
}

Json LocationRequest(const OutboundMessage& m) {
  return {{"type", "location_request_message"},
          {"body", {{"text", m.body}}},
          {"action", {{"name", "send_location"}}}};
}

// ../shared/whatsapp/README.md §9.4: name and language pick the approved template; the body's
// parameters fill {{1}}, {{2}}, ... in order (no "components" when it has none).
Json Template(const OutboundMessage& m) {
  Json json = {{"name", m.template_name},
               {"language", {{"code", m.template_language}, {"policy", "deterministic"}}}};
  if (!m.template_params.empty()) {
    Json parameters = Json::array();
    for (const std::string& value : m.template_params) {
      parameters.push_back({{"type", "text"}, {"text", value}});
    }
    json["components"] = Json::array({{{"type", "body"}, {"parameters", std::move(parameters)}}});
  }
  return json;
}

Status CheckShape(const OutboundMessage& m) {
  if (m.contact.empty()) return Status::InvalidArgument("whatsapp: a message without a recipient");
  if (m.kind == OutboundMessage::Kind::kTemplate) {
    if (m.template_name.empty() || m.template_language.empty()) {
      return Status::InvalidArgument("whatsapp: a template message needs a name and a language");
    }
    return Status::Ok();  // the body is what it renders to, not sent
  }
  if (m.body.empty()) return Status::InvalidArgument("whatsapp: a message without a body");
  const std::size_t n = m.choices.size();
  if (m.kind == OutboundMessage::Kind::kButtons && (n == 0 || n > kMaxReplyButtons)) {
    return Status::InvalidArgument("whatsapp: reply buttons need 1 to 3 choices, not " +
                                   std::to_string(n));
  }
  if (m.kind == OutboundMessage::Kind::kList && (n == 0 || n > kMaxListRows)) {
    return Status::InvalidArgument("whatsapp: a list needs 1 to 10 rows, not " + std::to_string(n));
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> MessageRequestBody(const OutboundMessage& message) {
  if (Status status = CheckShape(message); !status.ok()) return status;
  Json json = Envelope(message.contact);
  switch (message.kind) {
    case OutboundMessage::Kind::kText: {
      Json text = {{"body", message.body}};
      if (HasLink(message.body)) text["preview_url"] = true;
      json["type"] = "text";
      json["text"] = std::move(text);
      break;
    }
    case OutboundMessage::Kind::kButtons:
      json["type"] = "interactive";
      json["interactive"] = ReplyButtons(message);
      break;
    case OutboundMessage::Kind::kList:
      json["type"] = "interactive";
      json["interactive"] = List(message);
      break;
    case OutboundMessage::Kind::kLocationRequest:
      json["type"] = "interactive";
      json["interactive"] = LocationRequest(message);
      break;
    case OutboundMessage::Kind::kTemplate:
      json["type"] = "template";
      json["template"] = Template(message);
      break;
  }
  // Invalid UTF-8 would make dump() throw; replace it rather than fail a reply over one byte.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string ReadReceiptBody(std::string_view message_id) {
  const Json json = {
      {"messaging_product", "whatsapp"}, {"status", "read"}, {"message_id", message_id}};
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace consentflow::engine::whatsapp
