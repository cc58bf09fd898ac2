#include "engine/handoff/login_throttle.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

namespace consentflow::engine::handoff {
namespace {

bool Stale(const LoginFailures& record, Timestamp now, const LoginThrottlePolicy& policy) {
  return !record.last_failure || now - *record.last_failure >= policy.forget_after;
}

}  // namespace

std::string AccountKey(std::string_view name) { return "agent:" + std::string(name); }

std::string SourceKey(std::string_view address) {
  const std::string text(address);
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return "source:" + text;
  if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) return "";
  const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, bytes)) {  // ::ffff:1.2.3.4 is an IPv4 client
    char v4[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, bytes + 12, v4, sizeof v4) == nullptr) return "";
    return "source:" + std::string(v4);
  }
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "source:%x:%x:%x:%x::/64", bytes[0] << 8 | bytes[1],
                bytes[2] << 8 | bytes[3], bytes[4] << 8 | bytes[5], bytes[6] << 8 | bytes[7]);
  return prefix;
}

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
