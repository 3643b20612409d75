// Interactions: the training matrix of every recommender, in compressed sparse rows.
//
// One entry per (user, item) pair: a weight (what the models learn from), the raw value
// as read (an explicit rating when the source has one) and the latest timestamp. Entries
// are stored twice, by user (rows in time order, ties by item index) and by item (rows by
// user index), so models can sweep either side without building a transpose.
//
// Users and items are dense indexes [0, num_users) / [0, num_items) with string ids kept
// in an IdMap. Splits of one data set share the same IdMaps, so an index means the same
// user or item in the training and the test part.
//
// Thread safety: immutable after Build(); every const method may be called concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace tailor::recommenders {

inline constexpr uint32_t kNoIndex = UINT32_MAX;

// A bijection between string ids and dense indexes, in order of first appearance.
class IdMap {
 public:
  // Returns the index of `id`, adding it when new.
  uint32_t Intern(std::string_view id);
  // Returns the index of `id` or kNoIndex.
  uint32_t Find(std::string_view id) const;
  // REQUIRES: index < size().
  const std::string& Id(uint32_t index) const { return ids_[index]; }
  size_t size() const { return ids_.size(); }

 private:
  std::vector<std::string> ids_;
  std::unordered_map<std::string, uint32_t> index_;
};

// How raw rows become weights. Validate() before use.
struct InteractionOptions {
  // Weight per event type, for sources with an `event` column. An event type that is not
  // listed is an error (counted as a bad row by the CSV reader).
  std::map<std::string, double, std::less<>> event_weights = {
      {"view", 1.0}, {"add_to_cart", 3.0}, {"purchase", 5.0}};
  // When > 0, every weight is multiplied by 0.5^((t_max - t) / half_life), t_max being the
  // newest timestamp of the data: recent behaviour counts more. Seconds; 0 = off.
  double decay_half_life_seconds = 0;
  // When true every entry weighs 1 (all rows are positive interactions; a rating's value
  // is still kept as raw value). Repeated (user, item) rows are summed before this.
  bool binary = false;
  // Rows whose raw value is below this are dropped (e.g. 4 keeps only 4- and 5-star
  // ratings). -inf keeps everything.
  double min_value = -1e300;

  Status Validate() const;
};

// One row of input.
struct RawInteraction {
  uint32_t user = 0;      // index into the builder's user IdMap
  uint32_t item = 0;      // index into the builder's item IdMap
  float value = 1.0f;     // weight, rating or event weight
  int64_t timestamp = 0;  // seconds since the epoch; 0 when unknown
};

// The rows of a data set before they are merged and weighted; what splits operate on.
struct RawInteractions {
  std::shared_ptr<IdMap> users = std::make_shared<IdMap>();
  std::shared_ptr<IdMap> items = std::make_shared<IdMap>();
  std::vector<RawInteraction> rows;
  bool has_timestamps = false;
  bool has_values = false;  // a weight/rating column was present

  void Add(std::string_view user, std::string_view item, float value, int64_t timestamp) {
    rows.push_back({users->Intern(user), items->Intern(item), value, timestamp});
  }
};

class Interactions {
 public:
  // Merges repeated (user, item) rows (values summed, latest timestamp kept), applies
  // `options` and builds both orientations. The IdMaps are shared, not copied.
  // Fails with kInvalidArgument when the options are invalid or no row remains
  // ("empty training set").
  static Result<Interactions> Build(const RawInteractions& raw, const InteractionOptions& options);

  size_t num_users() const { return users_->size(); }
  size_t num_items() const { return items_->size(); }
  size_t nnz() const { return user_items_.size(); }
  const IdMap& users() const { return *users_; }
  const IdMap& items() const { return *items_; }
  bool has_timestamps() const { return has_timestamps_; }
  int64_t max_timestamp() const { return max_timestamp_; }

  // The user's row, in time order (ties by item index). REQUIRES: user < num_users().
  std::span<const uint32_t> UserItems(uint32_t user) const {
    return Row(user_ptr_, user_items_, user);
  }
  std::span<const float> UserWeights(uint32_t user) const {
    return Row(user_ptr_, user_weights_, user);
  }
  std::span<const float> UserValues(uint32_t user) const {
    return Row(user_ptr_, user_values_, user);
  }
  std::span<const int64_t> UserTimes(uint32_t user) const {
    return Row(user_ptr_, user_times_, user);
  }
  // The item's column, by user index. REQUIRES: item < num_items().
  std::span<const uint32_t> ItemUsers(uint32_t item) const {
    return Row(item_ptr_, item_users_, item);
  }
  std::span<const float> ItemWeights(uint32_t item) const {
    return Row(item_ptr_, item_weights_, item);
  }

  // Number of users with at least one entry.
  size_t ActiveUsers() const;
  // Bytes held by the arrays (not the IdMaps).
  size_t MemoryBytes() const;

 private:
  template <typename T>
  static std::span<const T> Row(const std::vector<uint64_t>& ptr, const std::vector<T>& v,
                                uint32_t r) {
    return {v.data() + ptr[r], static_cast<size_t>(ptr[r + 1] - ptr[r])};
  }

  std::shared_ptr<const IdMap> users_, items_;
  bool has_timestamps_ = false;
  int64_t max_timestamp_ = 0;
  std::vector<uint64_t> user_ptr_;  // num_users + 1
  std::vector<uint32_t> user_items_;
  std::vector<float> user_weights_, user_values_;
  std::vector<int64_t> user_times_;
  std::vector<uint64_t> item_ptr_;  // num_items + 1
  std::vector<uint32_t> item_users_;
  std::vector<float> item_weights_;
};

}  // namespace tailor::recommenders
