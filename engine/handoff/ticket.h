#pragma once
// A handoff ticket: one chat waiting for, or held by, a person (docs/handoff.md).
//
// Lifecycle:
//
//   (engine hands off) -> waiting --claim--> claimed(agent) --release--> waiting
//                         waiting/claimed --transfer to a queue--> waiting (in that queue)
//                         waiting/claimed --transfer to an agent--> claimed(that agent)
//                         waiting/claimed --hand back (engine) / close (engine) / withdrawal-->
//                         closed
//
// A ticket is opened and closed only by the engine's commit (the conversation entering or
// leaving Phase::kHandoff), in the same transaction; agents move it between waiting and claimed.
// Every change raises `revision`, so a change computed from a stale copy is refused.
//
// Plain data; the rules are in transitions.h and access.h.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"
#include "engine/base/clock.h"

namespace consentflow::engine::handoff {

enum class TicketState { kWaiting, kClaimed, kClosed };

// "waiting", "claimed", "closed": for the API and the database.
constexpr const char* TicketStateName(TicketState state) {
  switch (state) {
    case TicketState::kWaiting:
      return "waiting";
    case TicketState::kClaimed:
      return "claimed";
    case TicketState::kClosed:
      return "closed";
  }
  return "waiting";
}
inline std::optional<TicketState> ParseTicketState(std::string_view name) {
  if (name == "waiting") return TicketState::kWaiting;
  if (name == "claimed") return TicketState::kClaimed;
  if (name == "closed") return TicketState::kClosed;
  return std::nullopt;
}

// Why a closed ticket closed.
inline constexpr std::string_view kOutcomeClosed = "closed";           // an agent ended the chat
inline constexpr std::string_view kOutcomeHandedBack = "handed_back";  // the bot took over again
inline constexpr std::string_view kOutcomeEnded =
    "ended";  // the conversation ended otherwise (STOP)

struct Ticket {
  uint64_t id = 0;
  std::string contact;
  std::string flow_id;
  std::string queue;
  dsl::ast::Priority priority = dsl::ast::Priority::kNormal;
  std::string note;  // rendered by the flow; may hold field values (shown to agents only)
  Timestamp since;   // when the chat started waiting; kept across releases and transfers
  TicketState state = TicketState::kWaiting;
  std::string agent;  // kClaimed: who holds it; "" otherwise
  std::optional<Timestamp> claimed_at;
  std::optional<Timestamp> closed_at;
  std::string outcome;  // kClosed: one of kOutcome*
  // The purposes the contact had consented to when the chat was handed off.
  std::vector<std::string> consented_purposes;
  uint64_t revision = 1;

  bool open() const { return state != TicketState::kClosed; }
  friend bool operator==(const Ticket&, const Ticket&) = default;
};

// The waiting order: more urgent first, then the one waiting longest, then the lower id.
bool WaitsBefore(const Ticket& a, const Ticket& b);
void SortWaiting(std::vector<Ticket>& tickets);

}  // namespace consentflow::engine::handoff
