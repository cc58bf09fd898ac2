#include "engine/handoff/credentials.h"

#include <sodium.h>

#include <array>
#include <cstdlib>

namespace consentflow::engine::handoff {
namespace {

// sodium_init() is thread-safe and idempotent; it picks the fastest implementations and seeds
// randombytes. Failing means the process cannot make secure random numbers: nothing can go on.
void EnsureSodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
}

template <std::size_t N>
std::string Hex(const std::array<unsigned char, N>& bytes) {
  std::string hex(2 * N + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();  // the terminating NUL
  return hex;
}

}  // namespace

PasswordCost PasswordCost::Interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::Minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost) {
  EnsureSodium();
  if (password.empty()) return Status::InvalidArgument("the password is empty");
  if (password.size() > kMaxPasswordBytes) {
    return Status::InvalidArgument("the password is longer than " +
                                   std::to_string(kMaxPasswordBytes) + " bytes");
  }
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), cost.opslimit,
                            cost.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("not enough memory to hash the password");
  }
  return std::string(out.data());
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  EnsureSodium();
  if (password.size() > kMaxPasswordBytes || encoded_hash.size() >= crypto_pwhash_STRBYTES) {
    return false;
  }
  std::array<char, crypto_pwhash_STRBYTES> hash{};  // NUL-terminated, as libsodium wants it
  encoded_hash.copy(hash.data(), encoded_hash.size());
  return crypto_pwhash_str_verify(hash.data(), password.data(), password.size()) == 0;
}

std::string NewSessionToken() {
  EnsureSodium();
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return Hex(bytes);
}

std::string TokenDigest(std::string_view token) {
  EnsureSodium();
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                     0);
  return Hex(digest);
}

}  // namespace consentflow::engine::handoff
