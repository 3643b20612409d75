// Internal to storage/: the 8-byte write-time header on values of expiring keyspaces.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tailor::storage::internal {

inline constexpr size_t kHeaderBytes = 8;

inline void AppendHeader(std::string* out, int64_t write_ms) {
  char buf[kHeaderBytes];
  uint64_t v = static_cast<uint64_t>(write_ms);
  for (size_t i = 0; i < kHeaderBytes; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(buf, kHeaderBytes);
}

inline int64_t ReadHeader(std::string_view value) {
  if (value.size() < kHeaderBytes) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < kHeaderBytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(value[i])) << (8 * i);
  }
  return static_cast<int64_t>(v);
}

inline bool Expired(std::string_view value, int64_t ttl_ms, int64_t now_ms) {
  return ttl_ms > 0 && ReadHeader(value) + ttl_ms <= now_ms;
}

}  // namespace tailor::storage::internal
