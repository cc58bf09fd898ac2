#pragma once

// The consent ledger: append-only, hash-chained. Each entry's hash covers every field of the
// entry and the previous entry's hash, so changing, inserting or removing an entry breaks the
// chain from that point on, which VerifyLedger() finds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/consent_decision.h"

namespace consentflow::engine {

struct LedgerEntry {
  uint64_t sequence = 0;  // 1, 2, 3, ... with no gap
  std::string contact;
  std::string flow_id;
  std::string notice_id;
  int64_t notice_version = 0;
  std::string notice_sha256;  // hex SHA-256 of the notice text exactly as shown
  std::vector<std::string> purposes;
  Decision decision = Decision::kGranted;
  Timestamp time;
  std::string evidence;       // the WhatsApp message id of the contact's answer
  std::string previous_hash;  // hex; 64 zeros for the first entry
  std::string hash;           // hex SHA-256 of the canonical encoding of all of the above

  friend bool operator==(const LedgerEntry&, const LedgerEntry&) = default;
};

// The `previous_hash` of entry 1.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// The entry that records `decision` after the entry (sequence - 1) whose hash is `previous_hash`.
LedgerEntry MakeLedgerEntry(const ConsentDecision& decision, uint64_t sequence,
                            std::string_view previous_hash);

// The hash `entry` must carry: SHA-256 over a length-prefixed encoding of every field but
// `hash`, so no two different entries encode alike.
std::string ComputeEntryHash(const LedgerEntry& entry);

// Checks entries one at a time, in order, so a ledger of any size can be verified in a stream.
class LedgerVerifier {
 public:
  // False at the first broken entry; `problem()` then says what is wrong with it.
  bool Add(const LedgerEntry& entry);
  uint64_t checked() const { return checked_; }
  const std::string& problem() const { return problem_; }
  std::optional<uint64_t> first_broken() const { return first_broken_; }

 private:
  uint64_t checked_ = 0;
  std::string last_hash_ = std::string(kGenesisHash);
  std::string problem_;
  std::optional<uint64_t> first_broken_;
};

}  // namespace consentflow::engine
