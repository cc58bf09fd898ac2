#pragma once
// People who answer handed-off chats, and their login sessions (docs/handoff.md).
//
// An `agent` sees and works the queues they are a member of; a `supervisor` sees every queue,
// may act on any ticket (release, transfer, hand back or close one another agent holds) and
// reads the audit log. Membership comes from two places, joined: the queues given to
// `consentflow agent add --queue`, and the `members` of each [[queues]] entry in the server's
// configuration.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "engine/base/clock.h"

namespace consentflow::engine::handoff {

enum class Role { kAgent, kSupervisor };

constexpr const char* RoleName(Role role) {
  return role == Role::kSupervisor ? "supervisor" : "agent";
}
inline std::optional<Role> ParseRole(std::string_view name) {
  if (name == "agent") return Role::kAgent;
  if (name == "supervisor") return Role::kSupervisor;
  return std::nullopt;
}

// Who is acting, as the access rules see them.
struct AgentProfile {
  std::string name;
  Role role = Role::kAgent;
  std::set<std::string, std::less<>> queues;

  bool supervisor() const { return role == Role::kSupervisor; }
  bool MemberOf(std::string_view queue) const { return queues.contains(queue); }
};

// An account as stored: the profile and the Argon2id hash of the password (credentials.h).
struct AgentAccount {
  AgentProfile profile;
  std::string password_hash;  // crypto_pwhash_str's encoded form; never the password
  Timestamp created;
};

// Failed logins counted under one key ("agent:NAME", "source:ADDRESS"); login_throttle.h.
struct LoginFailures {
  uint32_t failures = 0;
  std::optional<Timestamp> last_failure;
};

}  // namespace consentflow::engine::handoff
