#pragma once
// Repeated failed logins slow down (docs/handoff.md). Pure: the store keeps the counts
// (LoginFailures, per account and per source address), this decides the wait.
//
// The first kFreeFailures failures cost nothing (typos happen); after that each further attempt
// must wait kFirstDelay, doubling per failure up to kMaxDelay. A login attempted during the
// wait is refused (HTTP 429 with Retry-After) without checking the password, and does not count
// as a failure. Counts older than kForgetAfter are forgotten; a successful login clears the
// account's count (not the source's: one good account must not reset an attacker's address).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/clock.h"
#include "engine/handoff/agent.h"

namespace consentflow::engine::handoff {

struct LoginThrottlePolicy {
  uint32_t free_failures = 3;
  Duration first_delay = std::chrono::seconds(1);
  Duration max_delay = std::chrono::minutes(15);
  Duration forget_after = std::chrono::hours(1);
};

// The policy per source address: more free failures than per account, since several agents may
// share an address (an office, a proxy), each allowed their typos.
inline LoginThrottlePolicy SourceThrottlePolicy() {
  LoginThrottlePolicy policy;
  policy.free_failures = 10;
  return policy;
}

// The keys failures are counted under: "agent:NAME", and "source:" + the IPv4 address or the
// IPv6 address's /64 prefix (one subscriber's network: an attacker has all of it) as
// "source:2001:db8:1:2::/64". "" for an empty or unreadable address.
std::string AccountKey(std::string_view name);
std::string SourceKey(std::string_view address);

// The wait after `failures` failures (0 for up to free_failures).
Duration DelayAfter(uint32_t failures, const LoginThrottlePolicy& policy = {});

// How long the next attempt must still wait at `now`; nullopt when it may go ahead.
std::optional<Duration> RetryAfter(const LoginFailures& record, Timestamp now,
                                   const LoginThrottlePolicy& policy = {});

// The count to keep after a failure at `now` (a stale count starts again from zero).
LoginFailures AfterFailure(const LoginFailures& record, Timestamp now,
                           const LoginThrottlePolicy& policy = {});

}  // namespace consentflow::engine::handoff
