#include "engine/whatsapp/send_pacing.h"

#include <algorithm>
#include <chrono>

namespace consentflow::engine::whatsapp {

void TokenBucket::Refill(Timestamp now) {
  // A clock that steps back (a manual clock, an NTP correction) refills nothing.
  if (now <= last_) return;
  const double seconds = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + seconds * rate_);
  last_ = now;
}

bool TokenBucket::Available(Timestamp now) {
  Refill(now);
  return tokens_ >= 1;
}

bool TokenBucket::Full(Timestamp now) {
  Refill(now);
  return tokens_ >= burst_;
}

Duration BackoffDelay(uint32_t attempt, Duration base, Duration cap, double uniform01) {
  if (attempt == 0) return Duration::zero();
  // Doubling stops at the cap; 2^30 x any base in milliseconds is past every sensible cap.
  const uint32_t doublings = std::min<uint32_t>(attempt - 1, 30);
  const double ceiling =
      std::min(static_cast<double>(cap.count()), static_cast<double>(base.count()) *
                                                     static_cast<double>(uint64_t{1} << doublings));
  const double draw = std::clamp(uniform01, 0.0, 1.0);
  return Duration(static_cast<int64_t>(ceiling * draw));
}

}  // namespace consentflow::engine::whatsapp
