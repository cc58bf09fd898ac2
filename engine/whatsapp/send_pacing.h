#pragma once
// How fast the outbox sender may go, and how long it waits after a failure. Pure: time comes in
// as an argument, randomness as a number, so tests decide both.
#include <cstdint>

#include "engine/base/clock.h"

namespace consentflow::engine::whatsapp {

// A token bucket: `rate` tokens per second, holding at most `burst`; a send takes one. It starts
// full. Not thread-safe (the sender's one thread owns its buckets).
class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst, Timestamp now)
      : rate_(rate_per_second), burst_(burst), tokens_(burst), last_(now) {}

  // True when a token is there at `now` (after refilling for the time since the last call).
  bool Available(Timestamp now);
  // Takes one. REQUIRES: Available(now) was just true.
  void Take() { tokens_ -= 1; }
  // True when it is full at `now`: it can be forgotten and made again without changing anything.
  bool Full(Timestamp now);

 private:
  void Refill(Timestamp now);

  double rate_;
  double burst_;
  double tokens_;
  Timestamp last_;
};

// Exponential backoff with "full jitter": the wait before attempt `attempt` + 1 (after `attempt`
// failures, attempt >= 1) is uniform in [0, min(cap, base * 2^(attempt-1))]. `uniform01` is a
// draw from [0, 1]. Full jitter spreads the retries of many entries that failed together (an
// outage) instead of sending them back in one burst when it ends.
Duration BackoffDelay(uint32_t attempt, Duration base, Duration cap, double uniform01);

}  // namespace consentflow::engine::whatsapp
