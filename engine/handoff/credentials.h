#pragma once
// Agents' passwords and session tokens, through libsodium (docs/handoff.md).
//
// Passwords are hashed with Argon2id (crypto_pwhash_str_alg, ARGON2ID13): the encoded hash
// carries its salt and cost, so a hash made at one cost verifies at any later setting. Hashing
// costs about 64 MiB and a tenth of a second at the interactive cost, on purpose: it must never
// run on an I/O thread.
//
// A session token is 32 random bytes (randombytes_buf) as 64 hex digits, given to the agent once;
// the store keeps only its BLAKE2b digest (crypto_generichash), so a copy of the database does
// not let anyone log in.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/result.h"

namespace consentflow::engine::handoff {

struct PasswordCost {
  uint64_t opslimit;
  std::size_t memlimit;
  static PasswordCost Interactive();  // OPSLIMIT/MEMLIMIT_INTERACTIVE: what `agent add` uses
  static PasswordCost Minimum();      // OPSLIMIT/MEMLIMIT_MIN: for tests only
};

inline constexpr std::size_t kMaxPasswordBytes = 1024;

// The encoded Argon2id hash of `password`. kInvalidArgument for an empty or over-long password;
// kResourceExhausted when the memory for the hash cannot be had.
Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost);
// Whether `password` matches `encoded_hash`; false for a malformed hash.
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);

// A fresh session token (64 hex digits).
std::string NewSessionToken();
// The digest the store keeps for `token` (64 hex digits).
std::string TokenDigest(std::string_view token);

}  // namespace consentflow::engine::handoff
