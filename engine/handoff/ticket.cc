#include "engine/handoff/ticket.h"

#include <algorithm>

namespace consentflow::engine::handoff {

bool WaitsBefore(const Ticket& a, const Ticket& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.since != b.since) return a.since < b.since;
  return a.id < b.id;
}

void SortWaiting(std::vector<Ticket>& tickets) {
  std::sort(tickets.begin(), tickets.end(), WaitsBefore);
}

}  // namespace consentflow::engine::handoff
