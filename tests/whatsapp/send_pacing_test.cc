#include "engine/whatsapp/send_pacing.h"

#include <gtest/gtest.h>

namespace consentflow::engine::whatsapp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TokenBucket, StartsFullThenRefillsAtItsRate) {
  ManualClock clock;
  TokenBucket bucket(/*rate_per_second=*/2, /*burst=*/3, clock.Now());
  int taken = 0;
  while (bucket.Available(clock.Now())) {
    bucket.Take();
    ++taken;
  }
  EXPECT_EQ(taken, 3);
  clock.Advance(milliseconds(499));
  EXPECT_FALSE(bucket.Available(clock.Now()));
  clock.Advance(milliseconds(1));
  ASSERT_TRUE(bucket.Available(clock.Now()));
  bucket.Take();
  clock.Advance(seconds(60));  // never more than the burst
  EXPECT_TRUE(bucket.Full(clock.Now()));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(bucket.Available(clock.Now()));
    bucket.Take();
  }
  EXPECT_FALSE(bucket.Available(clock.Now()));
}

TEST(TokenBucket, AClockSteppingBackRefillsNothing) {
  ManualClock clock;
  TokenBucket bucket(1, 1, clock.Now());
  bucket.Take();
  clock.Advance(seconds(-10));
  EXPECT_FALSE(bucket.Available(clock.Now()));
}

TEST(Backoff, DoublesUpToTheCapScaledByTheDraw) {
  const Duration base = seconds(1);
  const Duration cap = seconds(30);
  EXPECT_EQ(BackoffDelay(1, base, cap, 1.0), seconds(1));
  EXPECT_EQ(BackoffDelay(2, base, cap, 1.0), seconds(2));
  EXPECT_EQ(BackoffDelay(5, base, cap, 1.0), seconds(16));
  EXPECT_EQ(BackoffDelay(6, base, cap, 1.0), seconds(30));
  EXPECT_EQ(BackoffDelay(1000, base, cap, 1.0), seconds(30));
  EXPECT_EQ(BackoffDelay(3, base, cap, 0.5), seconds(2));
  EXPECT_EQ(BackoffDelay(3, base, cap, 0.0), seconds(0));
  EXPECT_EQ(BackoffDelay(0, base, cap, 1.0), seconds(0));
}

}  // namespace
}  // namespace consentflow::engine::whatsapp
