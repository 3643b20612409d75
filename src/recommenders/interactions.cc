#include "recommenders/interactions.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tailor::recommenders {

uint32_t IdMap::Intern(std::string_view id) {
  auto it = index_.find(std::string(id));
  if (it != index_.end()) return it->second;
  auto index = static_cast<uint32_t>(ids_.size());
  ids_.emplace_back(id);
  index_.emplace(ids_.back(), index);
  return index;
}

uint32_t IdMap::Find(std::string_view id) const {
  auto it = index_.find(std::string(id));
  return it == index_.end() ? kNoIndex : it->second;
}

Status InteractionOptions::Validate() const {
  for (const auto& [type, w] : event_weights) {
    if (!std::isfinite(w) || w < 0) {
      return InvalidArgument("event weight must be a finite number >= 0", "event_weights." + type);
    }
  }
  if (!std::isfinite(decay_half_life_seconds) || decay_half_life_seconds < 0) {
    return InvalidArgument("must be >= 0 (0 = no decay)", "decay_half_life_seconds");
  }
  return Status::OK();
}

Result<Interactions> Interactions::Build(const RawInteractions& raw,
                                         const InteractionOptions& options) {
  TAILOR_RETURN_IF_ERROR(options.Validate());
  Interactions m;
  m.users_ = raw.users;
  m.items_ = raw.items;
  m.has_timestamps_ = raw.has_timestamps;

  // Sort row indexes by (user, item) to merge repeats, keeping the source order stable.
  std::vector<uint32_t> order;
  order.reserve(raw.rows.size());
  for (uint32_t i = 0; i < raw.rows.size(); ++i) {
    if (raw.rows[i].value >= options.min_value) order.push_back(i);
  }
  if (order.empty()) {
    return InvalidArgument("empty training set: no interaction left after filtering");
  }
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const auto &x = raw.rows[a], &y = raw.rows[b];
    return x.user != y.user ? x.user < y.user : x.item < y.item;
  });
  struct Entry {
    uint32_t user, item;
    float value;
    int64_t ts;
  };
  std::vector<Entry> entries;
  entries.reserve(order.size());
  for (uint32_t i : order) {
    const RawInteraction& r = raw.rows[i];
    if (!entries.empty() && entries.back().user == r.user && entries.back().item == r.item) {
      entries.back().value += r.value;
      entries.back().ts = std::max(entries.back().ts, r.timestamp);
    } else {
      entries.push_back({r.user, r.item, r.value, r.timestamp});
    }
  }
  for (const Entry& e : entries) m.max_timestamp_ = std::max(m.max_timestamp_, e.ts);
  // Rows in time order within a user (session models read the last items of a row).
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.user != b.user ? a.user < b.user : a.ts < b.ts;
  });

  const size_t nu = m.users_->size(), ni = m.items_->size(), nnz = entries.size();
  m.user_ptr_.assign(nu + 1, 0);
  m.user_items_.resize(nnz);
  m.user_weights_.resize(nnz);
  m.user_values_.resize(nnz);
  m.user_times_.resize(nnz);
  m.item_ptr_.assign(ni + 1, 0);
  for (size_t k = 0; k < nnz; ++k) {
    const Entry& e = entries[k];
    ++m.user_ptr_[e.user + 1];
    ++m.item_ptr_[e.item + 1];
    double w = options.binary ? 1.0 : e.value;
    if (options.decay_half_life_seconds > 0 && m.has_timestamps_) {
      w *= std::exp2(-static_cast<double>(m.max_timestamp_ - e.ts) /
                     options.decay_half_life_seconds);
    }
    m.user_items_[k] = e.item;
    m.user_weights_[k] = static_cast<float>(w);
    m.user_values_[k] = e.value;
    m.user_times_[k] = e.ts;
  }
  std::partial_sum(m.user_ptr_.begin(), m.user_ptr_.end(), m.user_ptr_.begin());
  std::partial_sum(m.item_ptr_.begin(), m.item_ptr_.end(), m.item_ptr_.begin());
  m.item_users_.resize(nnz);
  m.item_weights_.resize(nnz);
  std::vector<uint64_t> fill(m.item_ptr_.begin(), m.item_ptr_.end() - 1);
  for (uint32_t u = 0; u < nu; ++u) {  // users ascending: item columns come out sorted
    for (uint64_t k = m.user_ptr_[u]; k < m.user_ptr_[u + 1]; ++k) {
      uint64_t pos = fill[m.user_items_[k]]++;
      m.item_users_[pos] = u;
      m.item_weights_[pos] = m.user_weights_[k];
    }
  }
  return m;
}

size_t Interactions::ActiveUsers() const {
  size_t n = 0;
  for (size_t u = 0; u < num_users(); ++u) n += user_ptr_[u + 1] > user_ptr_[u];
  return n;
}

size_t Interactions::MemoryBytes() const {
  return user_ptr_.size() * 8 + user_items_.size() * 4 + user_weights_.size() * 4 +
         user_values_.size() * 4 + user_times_.size() * 8 + item_ptr_.size() * 8 +
         item_users_.size() * 4 + item_weights_.size() * 4;
}

}  // namespace tailor::recommenders
