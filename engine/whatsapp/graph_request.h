#pragma once
// Request bodies for the Cloud API's messages endpoint (POST /{version}/{phone_number_id}/messages,
// ../shared/whatsapp/README.md §9): what the engine sends, as the JSON the API expects.
//
// Pure functions, no I/O. The shapes:
//   kText             {"type":"text","text":{"body":..,"preview_url":true if it has a link}}
//   kButtons          interactive "button": the body and 1-3 reply buttons (choose, consent)
//   kList             interactive "list": the body, the list button and 1-10 rows in one section
//   kLocationRequest  interactive "location_request_message" with the "send_location" action
//   kTemplate         {"type":"template","template":{"name":..,"language":{"code":..,"policy":
//                     "deterministic"},"components":[{"type":"body","parameters":[{"type":"text",
//                     "text":..}, ...]}]}} (no components without parameters)
//   read receipt      {"messaging_product":"whatsapp","status":"read","message_id":..}
// The recipient is `to` with a leading '+' for a WhatsApp id (digits; without the '+' Meta would
// prepend the business number's country code), or `recipient` for a business-scoped user id
// ("DE.3057...").
//
// Lengths (button titles, body sizes) are the flow compiler's to check; here only the structure
// is: a message the API could never accept (no buttons, 11 rows, an empty body) is
// kInvalidArgument, so it fails without a request.
#include <string>
#include <string_view>

#include "engine/base/result.h"
#include "engine/outbound.h"

namespace consentflow::engine::whatsapp {

// The most reply buttons and list rows one message can carry.
inline constexpr std::size_t kMaxReplyButtons = 3;
inline constexpr std::size_t kMaxListRows = 10;

// The JSON body that sends `message` to `message.contact`.
Result<std::string> MessageRequestBody(const OutboundMessage& message);

// The JSON body that marks the inbound message `message_id` (a wamid) read.
std::string ReadReceiptBody(std::string_view message_id);

}  // namespace consentflow::engine::whatsapp
