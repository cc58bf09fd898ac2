#pragma once

// What moves a conversation: a message from the contact, a timer that fell due, an agent's
// action. Plain data; the WhatsApp channel turns webhook payloads into these.

#include <optional>
#include <string>
#include <variant>

#include "engine/base/clock.h"

namespace consentflow::engine {

enum class MessageKind {
  kText,         // text.body
  kButtonReply,  // a tap on a reply button (interactive button_reply, or a template's quick reply)
  kListReply,    // a tap on a list row
  kLocation,     // a shared location
  kMedia,        // image, audio, video, document, sticker (only the caption is text)
  kReaction,     // an emoji on one of our messages: acknowledged, never an answer
  kContactChange,  // WhatsApp says the contact has a new number: `text` is the new contact key
  kUnsupported,  // anything else: shared contacts, orders, Flow replies, unknown types
};

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
};

// The Click-to-WhatsApp ad a first message came from.
struct AdReferral {
  std::string source_id;    // the ad id
  std::string source_type;  // "ad", "post"
};

struct InboundMessage {
  std::string id;       // WhatsApp's message id (wamid...): the key of exactly-once handling
  std::string contact;  // the contact's WhatsApp id
  Timestamp time;       // when WhatsApp says it was sent
  MessageKind kind = MessageKind::kText;
  std::string text;      // the text, the tapped title, or a media caption
  std::string reply_id;  // kButtonReply, kListReply: the id our button or row carried
  std::optional<GeoPoint> location;
  std::optional<AdReferral> referral;
  std::string context_id;       // the message this one replies to (WhatsApp's reply context)
  std::string business_number;  // the business phone number id it was sent to ("" in tests)
};

// A conversation timer fell due (an ask's `timeout`, or the flow's `on timeout`).
struct TimerFired {
  std::string contact;
  Timestamp due;
};

// A human agent acted on a handed-off conversation.
struct AgentAction {
  enum class Kind { kClose, kHandBack };
  Kind kind = Kind::kClose;
  std::string contact;
  std::string agent;
  std::string state;  // kHandBack: where the bot continues
};

using Event = std::variant<InboundMessage, TimerFired, AgentAction>;

}  // namespace consentflow::engine
