#pragma once
// The webhook's POST body (the Cloud API's notification envelope, ../shared/whatsapp/README.md
// §4-8) turned into what the engine acts on: inbound messages, delivery statuses of our own
// messages, number changes, and system-level errors.
//
// Tolerant, as Meta asks: unknown fields are ignored, unknown message types become kUnsupported
// messages (never dropped), changes of fields other than "messages" are counted and skipped.
// Strict only where acting would be wrong: a body that is not JSON, not an object, or not a
// "whatsapp_business_account" notification is rejected (kInvalidArgument), and nothing of it is
// used. Names and profile data are never read: the engine keeps only what a flow asks for.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/result.h"
#include "engine/event.h"

namespace consentflow::engine::whatsapp {

// The lifecycle of a message we sent (statuses[]).
enum class DeliveryState { kSent, kDelivered, kRead, kFailed };
const char* DeliveryStateName(DeliveryState state);

struct DeliveryUpdate {
  std::string message_id;  // the wamid the send call returned
  DeliveryState state = DeliveryState::kSent;
  Timestamp time;
  std::string recipient;       // the contact key (see ContactKey), "" when Meta omits it
  int error_code = 0;          // kFailed: the first error's code
  std::string error_title;     // kFailed: its title (no personal data in Meta's titles)
};

// A contact moved to a new number (system user_changed_number) or a new business-scoped user id
// (user_changed_user_id): their conversation follows them.
struct ContactChange {
  std::string message_id;
  std::string old_contact;
  std::string new_contact;
  Timestamp time;
};

// value.errors[]: Meta could not process something at system, app or account level.
struct PlatformError {
  int code = 0;
  std::string title;
};

struct WebhookBatch {
  std::vector<InboundMessage> messages;  // in payload order; business_number is set on each
  std::vector<DeliveryUpdate> statuses;
  std::vector<ContactChange> contact_changes;
  std::vector<PlatformError> errors;
  std::size_t skipped = 0;  // changes of other fields, statuses of unknown kinds, messages with no sender
};

// Parses one POST body.
Result<WebhookBatch> ParseWebhook(std::string_view body);

// How a contact is keyed: the business-scoped user id when the payload has one (it stays
// stable when a username hides the number), else the WhatsApp id (the phone number's digits).
std::string ContactKey(std::string_view wa_id, std::string_view user_id);

}  // namespace consentflow::engine::whatsapp
