#pragma once

// Time, as the engine sees it: a Clock interface, so tests and `consentflow chat` can move time
// (retention, timeouts) without sleeping.

#include <chrono>
#include <cstdint>

namespace consentflow {

// A point in time with millisecond precision, UTC.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

inline Timestamp FromUnixSeconds(int64_t seconds) {
  return Timestamp(std::chrono::seconds(seconds));
}
inline int64_t ToUnixMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromUnixMillis(int64_t millis) { return Timestamp(Duration(millis)); }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The real time. Thread-safe.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};

// Time that moves only when told to. Not thread-safe: one thread sets it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start = FromUnixSeconds(1'767'225'600)) : now_(start) {}  // 2026-01-01
  Timestamp Now() const override { return now_; }
  void Advance(Duration by) { now_ += by; }
  void Set(Timestamp to) { now_ = to; }

 private:
  Timestamp now_;
};

}  // namespace consentflow
