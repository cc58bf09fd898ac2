#pragma once

// What the bot sends. The WhatsApp channel turns these into Cloud API requests.

#include <string>
#include <vector>

namespace consentflow::engine {

struct ReplyChoice {
  std::string id;     // comes back as InboundMessage::reply_id when tapped
  std::string title;  // what the button or list row shows

  friend bool operator==(const ReplyChoice&, const ReplyChoice&) = default;
};

struct OutboundMessage {
  enum class Kind {
    kText,             // body only
    kButtons,          // body + up to 3 reply buttons
    kList,             // body + a list of up to 10 rows, opened by `list_button`
    kLocationRequest,  // body + WhatsApp's "send location" button
    kTemplate,         // an approved template: `template_name`, `template_language` and its
                       // body parameters; `body` is the text it renders to (for people, not
                       // sent). The one kind WhatsApp delivers outside the 24-hour window.
  };
  std::string contact;
  Kind kind = Kind::kText;
  std::string body;
  std::vector<ReplyChoice> choices;
  std::string list_button;  // kList: the title of the button that opens the list
  // kTemplate (the defaults keep aggregate initialisation of the other kinds short).
  std::string template_name = {};      // as approved in WhatsApp Manager ("follow_up")
  std::string template_language = {};  // the approved translation's code ("en", "de_DE")
  std::vector<std::string> template_params = {};  // the body's {{1}}, {{2}}, ... in order

  friend bool operator==(const OutboundMessage&, const OutboundMessage&) = default;
};

// An inbound message to mark read (WhatsApp's blue ticks). Not a message and not kept: the
// channel sends it once the message's outcome is committed, in memory, best effort. One lost in
// a crash does no harm, as marking a message read marks the contact's earlier ones read too.
struct ReadMark {
  std::string contact;
  std::string message_id;       // the inbound message's id (wamid...)
  std::string business_number;  // the business phone number id it was sent to ("" unknown)

  friend bool operator==(const ReadMark&, const ReadMark&) = default;
};

}  // namespace consentflow::engine
