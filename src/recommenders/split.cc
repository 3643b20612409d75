#include "recommenders/split.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace tailor::recommenders {

Result<SplitSpec> SplitSpec::Parse(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument(
        "expected stratified:RATIO or temporal:FRACTION, got '" + std::string(text) + "'", "split");
  }
  std::string_view kind = text.substr(0, colon), num = text.substr(colon + 1);
  SplitSpec spec;
  if (kind == "stratified") {
    spec.kind = Kind::kStratified;
  } else if (kind == "temporal") {
    spec.kind = Kind::kTemporal;
  } else {
    return InvalidArgument(
        "unknown split '" + std::string(kind) + "' (expected stratified or temporal)", "split");
  }
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), spec.fraction);
  if (ec != std::errc() || p != num.data() + num.size() || !(spec.fraction > 0) ||
      !(spec.fraction < 1)) {
    return InvalidArgument(
        "split fraction must be a number in (0, 1), got '" + std::string(num) + "'", "split");
  }
  return spec;
}

Result<Split> SplitInteractions(const RawInteractions& all, const SplitSpec& spec, Random& random) {
  if (spec.kind == SplitSpec::Kind::kTemporal && !all.has_timestamps) {
    return InvalidArgument("a temporal split needs a timestamp column", "split");
  }
  const size_t nu = all.users->size();
  // Row indexes grouped by user, in input order.
  std::vector<uint64_t> ptr(nu + 1, 0);
  for (const auto& r : all.rows) ++ptr[r.user + 1];
  for (size_t u = 0; u < nu; ++u) ptr[u + 1] += ptr[u];
  std::vector<uint32_t> by_user(all.rows.size());
  {
    std::vector<uint64_t> fill(ptr.begin(), ptr.end() - 1);
    for (uint32_t i = 0; i < all.rows.size(); ++i) by_user[fill[all.rows[i].user]++] = i;
  }
  Split out;
  for (RawInteractions* part : {&out.train, &out.test}) {
    part->users = all.users;
    part->items = all.items;
    part->has_timestamps = all.has_timestamps;
    part->has_values = all.has_values;
  }
  std::vector<uint32_t> items;  // distinct items of the user, first-seen order
  std::vector<int64_t> latest;  // per distinct item
  std::vector<uint8_t> to_test;
  std::vector<uint32_t> slot(all.items->size(), UINT32_MAX);
  // Shares are rounded half to even (nearbyint in the default rounding mode), like
  // Python's round() in python_stratified_split: 0.75 * 22 = 16.5 -> 16 training items.
  for (size_t u = 0; u < nu; ++u) {
    items.clear();
    latest.clear();
    for (uint64_t k = ptr[u]; k < ptr[u + 1]; ++k) {
      const RawInteraction& r = all.rows[by_user[k]];
      if (slot[r.item] == UINT32_MAX) {
        slot[r.item] = static_cast<uint32_t>(items.size());
        items.push_back(r.item);
        latest.push_back(r.timestamp);
      } else {
        latest[slot[r.item]] = std::max(latest[slot[r.item]], r.timestamp);
      }
    }
    const size_t n = items.size();
    std::vector<uint32_t> order(n);
    for (uint32_t i = 0; i < n; ++i) order[i] = i;
    size_t n_test = 0;
    if (spec.kind == SplitSpec::Kind::kStratified) {
      for (size_t i = n; i > 1; --i) {  // Fisher-Yates; modulo bias < n / 2^64
        size_t j = static_cast<size_t>(random.Next64() % i);
        std::swap(order[i - 1], order[j]);
      }
      n_test = n - static_cast<size_t>(std::nearbyint(spec.fraction * static_cast<double>(n)));
    } else {
      std::stable_sort(order.begin(), order.end(),
                       [&](uint32_t a, uint32_t b) { return latest[a] < latest[b]; });
      n_test = static_cast<size_t>(std::nearbyint(spec.fraction * static_cast<double>(n)));
    }
    to_test.assign(n, 0);
    for (size_t i = n - n_test; i < n; ++i) to_test[order[i]] = 1;
    for (uint64_t k = ptr[u]; k < ptr[u + 1]; ++k) {
      const RawInteraction& r = all.rows[by_user[k]];
      (to_test[slot[r.item]] ? out.test : out.train).rows.push_back(r);
    }
    for (uint32_t item : items) slot[item] = UINT32_MAX;
  }
  return out;
}

}  // namespace tailor::recommenders
