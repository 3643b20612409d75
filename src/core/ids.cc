#include "core/ids.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/utf8.h"

namespace tailor {

namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// A ULID of 48-bit time `ms` and an 80-bit random part of two 40-bit halves.
std::string EncodeUlid(uint64_t ms, uint64_t r1, uint64_t r2) {
  std::string out(26, '0');
  // 10 characters of time (50 bits, top 2 always zero for 48-bit time).
  for (int i = 9; i >= 0; --i) {
    out[i] = kCrockford[ms & 31];
    ms >>= 5;
  }
  // 16 characters of randomness: 8 from each half.
  for (int i = 17; i >= 10; --i) {
    out[i] = kCrockford[r1 & 31];
    r1 >>= 5;
  }
  for (int i = 25; i >= 18; --i) {
    out[i] = kCrockford[r2 & 31];
    r2 >>= 5;
  }
  return out;
}

}  // namespace

std::string NewUlid(const Clock& clock, Random& random) {
  uint64_t ms = static_cast<uint64_t>(clock.NowMs());
  uint64_t hi = random.Next64();
  uint64_t lo = random.Next64();
  return EncodeUlid(ms, hi >> 24, lo >> 24);
}

std::string MonotonicUlids::Next(int64_t now_ms, Random& random) {
  constexpr uint64_t kHalf = uint64_t{1} << 40;
  const uint64_t ms = static_cast<uint64_t>(std::max<int64_t>(0, now_ms));
  if (!started_ || ms > ms_) {
    started_ = true;
    ms_ = ms;
    hi_ = random.Next64() >> 24;
    lo_ = random.Next64() >> 24;
  } else if (++lo_ == kHalf) {
    lo_ = 0;
    if (++hi_ == kHalf) {  // 2^80 ids in one millisecond: cannot happen; move time on
      hi_ = 0;
      ++ms_;
    }
  }
  return EncodeUlid(ms_, hi_, lo_);
}

std::string UlidLowerBound(int64_t ms) {
  uint64_t t = static_cast<uint64_t>(std::max<int64_t>(0, ms));
  std::string out(26, '0');
  for (int i = 9; i >= 0; --i) {
    out[i] = kCrockford[t & 31];
    t >>= 5;
  }
  return out;
}

int64_t UlidTimeMs(std::string_view ulid) {
  if (ulid.size() != 26) return -1;
  int64_t t = 0;
  for (int i = 0; i < 10; ++i) {
    const char* p = std::strchr(kCrockford, ulid[i]);
    if (p == nullptr || ulid[i] == '\0') return -1;
    t = (t << 5) | (p - kCrockford);
  }
  return t;
}

std::string RandomHex(Random& random, size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  uint64_t word = 0;
  for (size_t i = 0; i < bytes; ++i) {
    if (i % 8 == 0) word = random.Next64();
    uint8_t b = word & 0xff;
    word >>= 8;
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Status ValidateExternalId(std::string_view id, std::string_view path) {
  if (id.empty()) return InvalidArgument("must not be empty", std::string(path));
  if (id.size() > 256) {
    return InvalidArgument("is longer than 256 bytes", std::string(path));
  }
  if (!IsValidUtf8(id)) return InvalidArgument("is not valid UTF-8", std::string(path));
  for (unsigned char c : id) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument("contains a control character", std::string(path));
    }
  }
  return Status::OK();
}

uint64_t NextInstanceId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace tailor
