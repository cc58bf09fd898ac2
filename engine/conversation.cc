#include "engine/conversation.h"

#include <algorithm>

namespace consentflow::engine {

bool Conversation::HasConsentFor(std::string_view purpose) const {
  return std::any_of(consents.begin(), consents.end(), [&](const auto& entry) {
    const std::vector<std::string>& purposes = entry.second.purposes;
    return std::find(purposes.begin(), purposes.end(), purpose) != purposes.end();
  });
}

}  // namespace consentflow::engine
