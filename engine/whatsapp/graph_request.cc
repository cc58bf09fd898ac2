#include "engine/whatsapp/graph_request.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace consentflow::engine::whatsapp {
namespace {

using Json = nlohmann::json;

// The body is written straight into a string, in order, instead of built as an nlohmann::json
// tree and dumped: the tree allocated a node for every key and value, and building and dumping
// it was about 4% of the server's time under load (one request body per reply). nlohmann
// still writes every value that does not come from this file (texts, ids, titles): it escapes
// them and replaces invalid UTF-8, as the whole dump did.
class BodyWriter {
 public:
  BodyWriter() { out_.reserve(256); }

  BodyWriter& Open() { return Begin('{'); }
  BodyWriter& OpenArray() { return Begin('['); }
  BodyWriter& Close() { return End('}'); }
  BodyWriter& CloseArray() { return End(']'); }
  // `key` is a constant of this file: it needs no escaping.
  BodyWriter& Key(std::string_view key) {
    Separate();
    out_ += '"';
    out_ += key;
    out_ += "\":";
    first_ = true;  // the value that follows takes no comma
    return *this;
  }
  BodyWriter& String(std::string_view value) {
    Separate();
    out_ += Json(value).dump(-1, ' ', false, Json::error_handler_t::replace);
    return *this;
  }
  BodyWriter& True() {
    Separate();
    out_ += "true";
    return *this;
  }
  BodyWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }

  std::string Take() && { return std::move(out_); }

 private:
  BodyWriter& Begin(char bracket) {
    Separate();
    out_ += bracket;
    first_ = true;
    return *this;
  }
  BodyWriter& End(char bracket) {
    out_ += bracket;
    first_ = false;
    return *this;
  }
  void Separate() {
    if (!first_) out_ += ',';
    first_ = false;
  }

  std::string out_;
  bool first_ = true;
};

// A business-scoped user id has a country prefix and a dot ("DE.3057..."); a WhatsApp id is the
// phone number's digits.
bool IsBusinessScopedId(std::string_view contact) {
  return contact.find('.') != std::string_view::npos;
}

// Opens the body and writes who it goes to.
void Envelope(BodyWriter& json, std::string_view contact) {
  json.Open().Field("messaging_product", "whatsapp").Field("recipient_type", "individual");
  if (IsBusinessScopedId(contact)) {
    json.Field("recipient", contact);
  } else if (contact.starts_with('+')) {
    json.Field("to", contact);
  } else {
    json.Field("to", "+" + std::string(contact));
  }
}

bool HasLink(std::string_view body) {
  return body.find("https://") != std::string_view::npos ||
         body.find("http://") != std::string_view::npos;
}

void BodyText(BodyWriter& json, std::string_view text) {
  json.Key("body").Open().Field("text", text).Close();
}

void ReplyButtons(BodyWriter& json, const OutboundMessage& m) {
  json.Open().Field("type", "button");
  BodyText(json, m.body);
  json.Key("action").Open().Key("buttons").OpenArray();
  for (const ReplyChoice& choice : m.choices) {
    json.Open().Field("type", "reply").Key("reply").Open();
    json.Field("id", choice.id).Field("title", choice.title).Close().Close();
  }
  json.CloseArray().Close().Close();
}

void List(BodyWriter& json, const OutboundMessage& m) {
  json.Open().Field("type", "list");
  BodyText(json, m.body);
  // One section needs no title (Meta requires one only when there are several).
  json.Key("action").Open().Field("button", m.list_button.empty() ? "Choose" : m.list_button);
  json.Key("sections").OpenArray().Open().Key("rows").OpenArray();
  for (const ReplyChoice& choice : m.choices) {
    json.Open().Field("id", choice.id).Field("title", choice.title).Close();
  }
  json.CloseArray().Close().CloseArray().Close().Close();
}

void LocationRequest(BodyWriter& json, const OutboundMessage& m) {
  json.Open().Field("type", "location_request_message");
  BodyText(json, m.body);
  json.Key("action").Open().Field("name", "send_location").Close().Close();
}

// ../shared/whatsapp/README.md §9.4: name and language pick the approved template; the body's
// parameters fill {{1}}, {{2}}, ... in order (no "components" when it has none).
void Template(BodyWriter& json, const OutboundMessage& m) {
  json.Open().Field("name", m.template_name);
  json.Key("language").Open().Field("code", m.template_language);
  json.Field("policy", "deterministic").Close();
  if (!m.template_params.empty()) {
    json.Key("components").OpenArray().Open().Field("type", "body");
    json.Key("parameters").OpenArray();
    for (const std::string& value : m.template_params) {
      json.Open().Field("type", "text").Field("text", value).Close();
    }
    json.CloseArray().Close().CloseArray();
  }
  json.Close();
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
  BodyWriter json;
  Envelope(json, message.contact);
  switch (message.kind) {
    case OutboundMessage::Kind::kText:
      json.Field("type", "text").Key("text").Open().Field("body", message.body);
      if (HasLink(message.body)) json.Key("preview_url").True();
      json.Close();
      break;
    case OutboundMessage::Kind::kButtons:
      json.Field("type", "interactive").Key("interactive");
      ReplyButtons(json, message);
      break;
    case OutboundMessage::Kind::kList:
      json.Field("type", "interactive").Key("interactive");
      List(json, message);
      break;
    case OutboundMessage::Kind::kLocationRequest:
      json.Field("type", "interactive").Key("interactive");
      LocationRequest(json, message);
      break;
    case OutboundMessage::Kind::kTemplate:
      json.Field("type", "template").Key("template");
      Template(json, message);
      break;
  }
  return std::move(json.Close()).Take();
}

std::string ReadReceiptBody(std::string_view message_id) {
  BodyWriter json;
  json.Open().Field("messaging_product", "whatsapp").Field("status", "read");
  return std::move(json.Field("message_id", message_id).Close()).Take();
}

}  // namespace consentflow::engine::whatsapp
