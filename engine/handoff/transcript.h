#pragma once
// What was said in a handed-off chat: the customer's messages while a person had it, and the
// agents' replies (docs/handoff.md).
//
// Transcripts are kept under the built-in purpose `support` for a configurable time (30 days by
// default): the customer asked for a person, so the business may keep the conversation it has
// with them for that long. Every entry carries its expiry (`time + retention`); the retention
// sweep erases it then. Messages from before the handoff are not in it: the engine never
// stored them.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/clock.h"

namespace consentflow::engine::handoff {

inline constexpr std::string_view kSupportPurpose = "support";
inline constexpr Duration kDefaultTranscriptRetention = std::chrono::hours(24 * 30);

struct TranscriptEntry {
  enum class Author { kCustomer, kAgent };
  uint64_t id = 0;         // increasing in the order the entries were written
  uint64_t ticket_id = 0;  // set by the store
  Author author = Author::kCustomer;
  std::string agent;  // kAgent: who replied
  std::string text;   // the message (a media caption, a location as "lat,lon")
  std::string kind;   // "text", "button", "list", "location", "media", "unsupported"
  Timestamp time;
  Timestamp expires;       // time + the transcript retention
  std::string message_id;  // kCustomer: WhatsApp's id of the message
  // kAgent: the reply's outbox entry, and where its delivery stands: OutboxStateName() of the
  // entry's state ("pending", "accepted", "sent", "delivered", "read", "failed").
  std::optional<uint64_t> outbox_id;
  std::string delivery;
};

constexpr const char* AuthorName(TranscriptEntry::Author author) {
  return author == TranscriptEntry::Author::kAgent ? "agent" : "customer";
}

}  // namespace consentflow::engine::handoff
