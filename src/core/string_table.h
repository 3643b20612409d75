// StringMap / StringSet: open-addressing hash tables keyed by strings, for lookups on hot
// paths (tsl::robin_map from Debian's robin-map-dev). Each slot keeps its key's hash, so a
// lookup reads one slot (the key inline when short) instead of std::unordered_map's
// bucket, node and modulo per chain step. Keys are looked up by std::string_view.
//
// Sharded tables hash once: ShardOf(hash) picks the shard from the high bits, and
// find(key, hash) reuses the hash for the table, which indexes by the low bits (sharding
// by the low bits too would leave all but one slot in kShards empty).
//
// Include only from .cc files: keep the table headers out of widely included headers.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include <tsl/robin_map.h>
#include <tsl/robin_set.h>

#include "core/hash.h"

namespace tailor {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return Hash64(s); }
};

template <class V>
using StringMap = tsl::robin_map<std::string, V, StringHash, std::equal_to<>,
                                 std::allocator<std::pair<std::string, V>>, /*StoreHash=*/true>;
using StringSet = tsl::robin_set<std::string, StringHash, std::equal_to<>,
                                 std::allocator<std::string>, /*StoreHash=*/true>;

// The shard of a key whose StringHash is `hash`, among `shards`.
inline size_t ShardOf(size_t hash, size_t shards) { return (hash >> 40) % shards; }

}  // namespace tailor
