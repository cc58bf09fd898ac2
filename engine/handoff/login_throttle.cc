#include "engine/handoff/login_throttle.h"

#include <algorithm>

namespace consentflow::engine::handoff {
namespace {

bool Stale(const LoginFailures& record, Timestamp now, const LoginThrottlePolicy& policy) {
  return !record.last_failure || now - *record.last_failure >= policy.forget_after;
}

}  // namespace

Duration DelayAfter(uint32_t failures, const LoginThrottlePolicy& policy) {
  if (failures <= policy.free_failures) return Duration::zero();
  const uint32_t doublings = std::min<uint32_t>(failures - policy.free_failures - 1, 30);
  const Duration delay = policy.first_delay * (int64_t{1} << doublings);
  return std::min(delay, policy.max_delay);
}

std::optional<Duration> RetryAfter(const LoginFailures& record, Timestamp now,
                                   const LoginThrottlePolicy& policy) {
  if (Stale(record, now, policy)) return std::nullopt;
  const Timestamp allowed = *record.last_failure + DelayAfter(record.failures, policy);
  if (now >= allowed) return std::nullopt;
  return allowed - now;
}

LoginFailures AfterFailure(const LoginFailures& record, Timestamp now,
                           const LoginThrottlePolicy& policy) {
  LoginFailures next;
  next.failures = Stale(record, now, policy) ? 1 : record.failures + 1;
  next.last_failure = now;
  return next;
}

}  // namespace consentflow::engine::handoff
