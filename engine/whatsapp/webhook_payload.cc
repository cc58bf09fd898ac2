#include "engine/whatsapp/webhook_payload.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace consentflow::engine::whatsapp {
namespace {

using Json = nlohmann::json;

// A string member, or "" when absent or not a string (Meta sends ids and times as strings).
std::string Str(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

const Json& Member(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// "1772446560" (Unix seconds, as a string; a number is accepted too) -> ms since the epoch.
Timestamp TimeOf(const Json& object) {
  const Json& value = Member(object, "timestamp");
  int64_t seconds = 0;
  if (value.is_number_integer()) {
    seconds = value.get<int64_t>();
  } else if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    std::from_chars(text.data(), text.data() + text.size(), seconds);
  }
  return Timestamp{std::chrono::seconds(seconds)};
}

std::optional<double> Number(const Json& object, const char* key) {
  const Json& value = Member(object, key);
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {  // tolerated: some SDKs' samples quote coordinates
    double parsed = 0;
    const std::string& text = value.get_ref<const std::string&>();
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (error == std::errc() && end == text.data() + text.size()) return parsed;
  }
  return std::nullopt;
}

void ReadInteractive(const Json& interactive, InboundMessage& message) {
  const std::string type = Str(interactive, "type");
  if (type == "button_reply" || type == "list_reply") {
    const Json& reply = Member(interactive, type.c_str());
    message.kind = type == "button_reply" ? MessageKind::kButtonReply : MessageKind::kListReply;
    message.reply_id = Str(reply, "id");
    message.text = Str(reply, "title");
    return;
  }
  // nfm_reply (a WhatsApp Flow form was completed) and anything newer: flows here never send
  // WhatsApp Flows, so such a reply answers no question; its form data is not kept.
  message.kind = MessageKind::kUnsupported;
}

// One messages[] element. False when it names no sender (nothing to route it to).
bool ReadMessage(const Json& m, InboundMessage& message) {
  message.id = Str(m, "id");
  message.contact = ContactKey(Str(m, "from"), Str(m, "from_user_id"));
  if (message.id.empty() || message.contact.empty()) return false;
  message.time = TimeOf(m);
  message.context_id = Str(Member(m, "context"), "id");
  if (const Json& referral = Member(m, "referral"); referral.is_object()) {
    message.referral = AdReferral{Str(referral, "source_id"), Str(referral, "source_type")};
  }
  const std::string type = Str(m, "type");
  if (type == "text") {
    message.kind = MessageKind::kText;
    message.text = Str(Member(m, "text"), "body");
  } else if (type == "interactive") {
    ReadInteractive(Member(m, "interactive"), message);
  } else if (type == "button") {
    // A template's quick-reply button: the payload we set at send time, and its label.
    const Json& button = Member(m, "button");
    message.kind = MessageKind::kButtonReply;
    message.reply_id = Str(button, "payload");
    message.text = Str(button, "text");
  } else if (type == "location") {
    const Json& location = Member(m, "location");
    const auto latitude = Number(location, "latitude");
    const auto longitude = Number(location, "longitude");
    if (latitude && longitude) {
      message.kind = MessageKind::kLocation;
      message.location = GeoPoint{*latitude, *longitude};
    } else {
      message.kind = MessageKind::kUnsupported;
    }
  } else if (type == "image" || type == "video" || type == "audio" || type == "document" ||
             type == "sticker") {
    // Only the caption: the media itself (and its id, which could fetch it) is not kept.
    message.kind = MessageKind::kMedia;
    message.text = Str(Member(m, type.c_str()), "caption");
  } else if (type == "reaction") {
    message.kind = MessageKind::kReaction;
  } else {
    // contacts (someone else's data: never kept), order, unsupported, unknown, and whatever
    // Meta adds next.
    message.kind = MessageKind::kUnsupported;
  }
  return true;
}

std::optional<DeliveryState> StateOf(std::string_view status) {
  if (status == "sent") return DeliveryState::kSent;
  if (status == "delivered") return DeliveryState::kDelivered;
  if (status == "read") return DeliveryState::kRead;
  if (status == "failed") return DeliveryState::kFailed;
  return std::nullopt;  // "played", "deleted", ...: nothing the engine tracks
}

void ReadValue(const Json& value, const std::string& business_number, WebhookBatch& batch) {
  const Json& messages = Member(value, "messages");
  if (messages.is_array()) {
    for (const Json& m : messages) {
      if (Str(m, "type") == "system") {
        const Json& system = Member(m, "system");
        const std::string type = Str(system, "type");
        ContactChange change{Str(m, "id"), ContactKey(Str(m, "from"), Str(m, "from_user_id")),
                             "", TimeOf(m)};
        if (type == "user_changed_number" || type == "user_changed_user_id") {
          // The new key is of the same kind as the old one: a contact keyed by their user id
          // moves only when the user id changes.
          change.new_contact = Str(m, "from_user_id").empty() ? ContactKey(Str(system, "wa_id"), "")
                                                              : Str(system, "user_id");
        }
        if (!change.old_contact.empty() && !change.new_contact.empty() &&
            change.old_contact != change.new_contact) {
          batch.contact_changes.push_back(std::move(change));
        } else {
          ++batch.skipped;  // customer_identity_changed and the like: nothing to act on
        }
        continue;
      }
      InboundMessage message;
      message.business_number = business_number;
      if (ReadMessage(m, message)) {
        batch.messages.push_back(std::move(message));
      } else {
        ++batch.skipped;
      }
    }
  }
  const Json& statuses = Member(value, "statuses");
  if (statuses.is_array()) {
    for (const Json& s : statuses) {
      const auto state = StateOf(Str(s, "status"));
      const std::string id = Str(s, "id");
      if (!state || id.empty()) {
        ++batch.skipped;
        continue;
      }
      DeliveryUpdate update{id, *state, TimeOf(s),
                            ContactKey(Str(s, "recipient_id"), Str(s, "recipient_user_id")), 0, ""};
      const Json& errors = Member(s, "errors");
      if (errors.is_array() && !errors.empty()) {
        const Json& code = Member(errors[0], "code");
        if (code.is_number_integer()) update.error_code = code.get<int>();
        update.error_title = Str(errors[0], "title");
      }
      batch.statuses.push_back(std::move(update));
    }
  }
  const Json& errors = Member(value, "errors");
  if (errors.is_array()) {
    for (const Json& e : errors) {
      const Json& code = Member(e, "code");
      batch.errors.push_back(
          PlatformError{code.is_number_integer() ? code.get<int>() : 0, Str(e, "title")});
    }
  }
}

}  // namespace

const char* DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kSent: return "sent";
    case DeliveryState::kDelivered: return "delivered";
    case DeliveryState::kRead: return "read";
    case DeliveryState::kFailed: return "failed";
  }
  return "sent";
}

std::string ContactKey(std::string_view wa_id, std::string_view user_id) {
  if (!user_id.empty()) return std::string(user_id);
  // "+4915..." appears in some of Meta's tables: the key is the digits.
  if (!wa_id.empty() && wa_id.front() == '+') wa_id.remove_prefix(1);
  return std::string(wa_id);
}

Result<WebhookBatch> ParseWebhook(std::string_view body) {
  Json root = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::InvalidArgument("the body is not valid JSON");
  if (!root.is_object()) return Status::InvalidArgument("the body is not a JSON object");
  if (Str(root, "object") != "whatsapp_business_account") {
    return Status::InvalidArgument("not a WhatsApp Business Account notification ('object' is not "
                                   "\"whatsapp_business_account\")");
  }
  WebhookBatch batch;
  const Json& entries = Member(root, "entry");
  if (!entries.is_array()) return batch;
  for (const Json& entry : entries) {
    const Json& changes = Member(entry, "changes");
    if (!changes.is_array()) continue;
    for (const Json& change : changes) {
      if (Str(change, "field") != "messages") {
        ++batch.skipped;
        continue;
      }
      const Json& value = Member(change, "value");
      ReadValue(value, Str(Member(value, "metadata"), "phone_number_id"), batch);
    }
  }
  return batch;
}

}  // namespace consentflow::engine::whatsapp
