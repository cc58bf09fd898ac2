#include "engine/ledger.h"

#include <openssl/evp.h>

#include <array>

namespace consentflow::engine {
namespace {

// Netstring-style: "<length>:<bytes>;" for every field, so "ab"+"c" and "a"+"bc" differ.
void Put(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

}  // namespace

const char* DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kGranted: return "granted";
    case Decision::kDeclined: return "declined";
    case Decision::kWithdrawn: return "withdrawn";
  }
  return "granted";
}

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

std::string ComputeEntryHash(const LedgerEntry& e) {
  std::string encoded = "consentflow-ledger-v1;";
  Put(encoded, std::to_string(e.sequence));
  Put(encoded, e.contact);
  Put(encoded, e.flow_id);
  Put(encoded, e.notice_id);
  Put(encoded, std::to_string(e.notice_version));
  Put(encoded, e.notice_sha256);
  Put(encoded, std::to_string(e.purposes.size()));
  for (const std::string& purpose : e.purposes) Put(encoded, purpose);
  Put(encoded, DecisionName(e.decision));
  Put(encoded, std::to_string(ToUnixMillis(e.time)));
  Put(encoded, e.evidence);
  Put(encoded, e.previous_hash);
  return Sha256Hex(encoded);
}

LedgerEntry MakeLedgerEntry(const ConsentDecision& d, uint64_t sequence,
                            std::string_view previous_hash) {
  LedgerEntry e;
  e.sequence = sequence;
  e.contact = d.contact;
  e.flow_id = d.flow_id;
  e.notice_id = d.notice_id;
  e.notice_version = d.notice_version;
  e.notice_sha256 = Sha256Hex(d.notice_text);
  e.purposes = d.purposes;
  e.decision = d.decision;
  e.time = d.time;
  e.evidence = d.evidence;
  e.previous_hash = std::string(previous_hash);
  e.hash = ComputeEntryHash(e);
  return e;
}

bool LedgerVerifier::Add(const LedgerEntry& entry) {
  if (first_broken_) return false;
  auto broken = [&](std::string problem) {
    first_broken_ = entry.sequence;
    problem_ = std::move(problem);
    return false;
  };
  if (entry.sequence != checked_ + 1) {
    return broken("expected entry " + std::to_string(checked_ + 1) + " here, found entry " +
                  std::to_string(entry.sequence) + " (an entry is missing or out of place)");
  }
  if (entry.previous_hash != last_hash_) {
    return broken("its previous_hash does not match the hash of entry " +
                  std::to_string(checked_) + " (an entry before it was changed or removed)");
  }
  if (ComputeEntryHash(entry) != entry.hash) {
    return broken("its content does not match its hash (the entry was changed)");
  }
  last_hash_ = entry.hash;
  ++checked_;
  return true;
}

}  // namespace consentflow::engine
