// GrowthBook-compatible bucketing: the hash, bucket ranges, variation choice, namespaces
// and equal weights, exactly as the GrowthBook SDKs compute them (so a user sees the same
// variation in Tailor as in a GrowthBook SDK given the same settings). Checked against
// every `hash`, `getBucketRange`, `chooseVariation`, `inNamespace` and `getEqualWeights`
// case of ../shared/conformance (tests/conformance/assignment_conformance_test.cc).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tailor::experiments {

// Hash algorithm versions of the SDKs.
inline constexpr int kHashV1 = 1;  // legacy: fnv(value + seed) % 1000 / 1000
inline constexpr int kHashV2 = 2;  // fnv(str(fnv(seed + value))) % 10000 / 10000

// The user's position in [0, 1) for `seed` and `value` (the hash attribute's value as a
// string); nullopt for an unknown `version` (the SDKs then leave the user out). Strings
// are hashed as UTF-16 code units (fnv.h). Never allocates.
std::optional<double> Hash(std::string_view seed, std::string_view value, int version);

// [start, end) of one variation on the unit interval.
struct BucketRange {
  double start = 0;
  double end = 0;
};

// The SDKs' getBucketRanges: coverage is clamped to [0, 1]; `weights` fall back to equal
// weights when empty, of another length than `num_variations`, or summing outside
// [0.99, 1.01]. Range i starts at the sum of the earlier weights and is coverage * w_i
// long, so lowering coverage leaves gaps instead of moving users between variations.
std::vector<BucketRange> GetBucketRanges(int num_variations, double coverage,
                                         std::span<const double> weights);

// Index of the first range with start <= n < end, or -1.
int ChooseVariation(double n, std::span<const BucketRange> ranges);

// A mutually exclusive layer: experiments in namespace `id` own [start, end) of it.
struct Namespace {
  std::string id;
  double start = 0;
  double end = 1;
};

// True when `hash_value` falls in the namespace's range: start <= hash("__" + id,
// hash_value, 1) < end. Never allocates.
bool InNamespace(std::string_view hash_value, const Namespace& ns);

// n weights of 1/n; empty for n <= 0.
std::vector<double> GetEqualWeights(int n);

}  // namespace tailor::experiments
