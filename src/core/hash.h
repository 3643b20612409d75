// Hashing. XXH3 for internal, non-cryptographic purposes (sharding, sampling); SHA-256
// for API-key storage and anything that must resist deliberate collisions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tailor {

// 64-bit XXH3 of `data` with `seed`. Stable across releases and machines.
uint64_t Hash64(std::string_view data, uint64_t seed = 0);

// Lower-case hex SHA-256 digest (64 characters).
std::string Sha256Hex(std::string_view data);

// Maps `key` to a uniform double in [0, 1) that is stable for the same key and salt;
// used for deterministic sampling and rollouts ("a sampled user keeps all or none").
double UnitInterval(std::string_view key, std::string_view salt);

}  // namespace tailor
