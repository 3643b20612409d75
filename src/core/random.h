// Random: the only source of randomness. Components take `Random&`; app/ builds an
// OS-seeded one, tests a SeededRandom with a printed seed.
//
// Thread safety: implementations are safe for concurrent use (internally locked).
#pragma once

#include <cstdint>
#include <mutex>
#include <random>

namespace tailor {

class Random {
 public:
  virtual ~Random() = default;
  // A uniformly distributed 64-bit value.
  virtual uint64_t Next64() = 0;
  // A uniform double in [0, 1).
  double NextDouble() { return static_cast<double>(Next64() >> 11) * 0x1.0p-53; }
};

// A mt19937_64 behind a mutex. Deterministic for a given seed.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  uint64_t Next64() override {
    std::lock_guard<std::mutex> lock(mu_);
    return engine_();
  }

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

// Seeded once from std::random_device (the OS entropy source).
class SystemRandom final : public Random {
 public:
  SystemRandom() : inner_(std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32)) {}
  uint64_t Next64() override { return inner_.Next64(); }

 private:
  SeededRandom inner_;
};

}  // namespace tailor
