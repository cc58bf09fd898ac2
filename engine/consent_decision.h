#pragma once

// A consent decision as the interpreter takes it; the store appends it to the hash-chained
// ledger (ledger.h) in the same transaction as the conversation it belongs to.

#include <string>
#include <vector>

#include "engine/base/clock.h"

namespace consentflow::engine {

enum class Decision { kGranted, kDeclined, kWithdrawn };

const char* DecisionName(Decision decision);  // "granted", "declined", "withdrawn"

struct ConsentDecision {
  std::string contact;
  std::string flow_id;
  std::string notice_id;
  int64_t notice_version = 0;
  std::string notice_text;  // exactly as shown to the contact (the ledger keeps its SHA-256)
  std::vector<std::string> purposes;
  Decision decision = Decision::kGranted;
  Timestamp time;
  std::string evidence;  // the WhatsApp message id of the contact's answer

  friend bool operator==(const ConsentDecision&, const ConsentDecision&) = default;
};

}  // namespace consentflow::engine
