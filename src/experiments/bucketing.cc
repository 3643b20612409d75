#include "experiments/bucketing.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "experiments/fnv.h"

namespace tailor::experiments {

std::optional<double> Hash(std::string_view seed, std::string_view value, int version) {
  if (version == kHashV2) {
    // Hash the concatenation seed + value piecewise, then the decimal text of the result.
    const uint32_t inner = Fnv1aUtf16(value, Fnv1aUtf16(seed));
    char buf[16];
    auto res = std::to_chars(buf, buf + sizeof(buf), inner);
    const uint32_t outer = Fnv1aUtf16(std::string_view(buf, res.ptr - buf));
    return static_cast<double>(outer % 10000) / 10000.0;
  }
  if (version == kHashV1) {
    const uint32_t h = Fnv1aUtf16(seed, Fnv1aUtf16(value));
    return static_cast<double>(h % 1000) / 1000.0;
  }
  return std::nullopt;
}

std::vector<double> GetEqualWeights(int n) {
  if (n <= 0) return {};
  return std::vector<double>(static_cast<size_t>(n), 1.0 / n);
}

std::vector<BucketRange> GetBucketRanges(int num_variations, double coverage,
                                         std::span<const double> weights) {
  if (num_variations <= 0) return {};
  // NaN coverage fails both comparisons; treat it like the SDKs' "missing": 1.
  if (!(coverage >= 0)) coverage = std::isnan(coverage) ? 1.0 : 0.0;
  coverage = std::min(coverage, 1.0);
  std::vector<double> w(weights.begin(), weights.end());
  double total = 0;
  for (double x : w) total += x;
  if (w.size() != static_cast<size_t>(num_variations) || !(total >= 0.99 && total <= 1.01)) {
    w = GetEqualWeights(num_variations);
  }
  std::vector<BucketRange> ranges;
  ranges.reserve(w.size());
  double cumulative = 0;
  for (double x : w) {
    const double start = cumulative;
    cumulative += x;
    ranges.push_back({start, start + coverage * x});
  }
  return ranges;
}

int ChooseVariation(double n, std::span<const BucketRange> ranges) {
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (n >= ranges[i].start && n < ranges[i].end) return static_cast<int>(i);
  }
  return -1;
}

bool InNamespace(std::string_view hash_value, const Namespace& ns) {
  // The SDKs hash with seed "__" + id; hash v1 hashes value first, then the seed, so the
  // seed can be fed in two pieces without concatenating.
  const uint32_t h = Fnv1aUtf16(ns.id, Fnv1aUtf16("__", Fnv1aUtf16(hash_value)));
  const double n = static_cast<double>(h % 1000) / 1000.0;
  return n >= ns.start && n < ns.end;
}

}  // namespace tailor::experiments
