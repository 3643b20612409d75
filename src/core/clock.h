// Clock: the only source of time. Components take `Clock&`; only app/ builds a
// SystemClock, tests use FakeClock.
//
// Thread safety: all implementations are safe for concurrent use.
#pragma once

#include <atomic>
#include <cstdint>

namespace tailor {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in milliseconds since the Unix epoch.
  virtual int64_t NowMs() const = 0;
  // Monotonic time in nanoseconds, for durations only.
  virtual int64_t MonotonicNs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t MonotonicNs() const override;
};

// A clock that moves only when told to. Monotonic time follows wall time.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_ms = 1'700'000'000'000) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_.load(std::memory_order_relaxed); }
  int64_t MonotonicNs() const override { return NowMs() * 1'000'000; }
  void SetMs(int64_t ms) { now_ms_.store(ms, std::memory_order_relaxed); }
  void AdvanceMs(int64_t delta) { now_ms_.fetch_add(delta, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace tailor
