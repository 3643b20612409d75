// LiveModel: one fitted version of a configured recommender as served: the model, its
// item id map, the popularity orders for cold start, and what it costs in memory.
// Built by RecService (training or stored model data) and never changed afterwards.
//
// Thread safety: immutable once built; shared by every request through shared_ptr.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "recommenders/interactions.h"
#include "recommenders/recommender.h"
#include "recommenders/serving/catalog_store.h"
#include "recommenders/serving/rec_config.h"
#include "storage/kv_store.h"

namespace tailor::recommenders {

struct LiveModel {
  std::shared_ptr<const ModelSpec> spec;
  uint64_t version = 0;
  std::shared_ptr<const Catalog> catalog;    // the content model reads it; must outlive `model`
  std::unique_ptr<const Interactions> data;  // null when restored from stored model data
  IdMap restored_items;                      // the item ids when `data` is null
  std::unique_ptr<Recommender> model;
  std::vector<float> popularity;        // distinct training users per item
  std::vector<uint32_t> by_popularity;  // item indexes, most popular first
  // Per cold_start_segments entry: items of its members, most popular among them first.
  std::vector<std::pair<std::string, std::vector<uint32_t>>> segment_popular;
  // The training memory estimate recorded for this version (0 when unknown).
  size_t training_peak_bytes = 0;

  // Item id <-> model index, as in training.
  const IdMap& items() const { return data ? data->items() : restored_items; }
  // Bytes held while serving: model, training data (when kept), orders.
  size_t MemoryBytes() const;
};

// Item indexes by popularity, most popular first (ties: lower index first).
void RankByPopularity(LiveModel* live);

// Items of the segment's members (membership index at training time), by the number of
// members who interacted with them; ties by global popularity.
Result<std::vector<uint32_t>> SegmentPopular(storage::KvStore& store, const Interactions& d,
                                             const std::vector<float>& popularity,
                                             const std::string& segment);

// The stored form of a live version (ModelVersions data): a model_blob.h blob of kind
// "live_model" holding the item ids (model index order), the per-item popularity, the
// cold-start segment orders and the model's own Serialize() blob. kFailedPrecondition
// for a model that is not persistable.
Result<std::string> EncodeLive(const LiveModel& live);

// Fills `live` (whose spec is set) from EncodeLive's blob: ids, orders and a model
// created with live->spec's model and parameters. kCorruption for truncated or foreign
// data.
Status DecodeLive(std::string_view stored, LiveModel* live);

// The bytes training `spec` on `all` (built from `raw_rows` raw interactions) is
// expected to need at its peak: the raw rows, the holdout split's copies of the data,
// the data kept for serving and the model's own estimate (Recommender::EstimateFitBytes).
size_t EstimateTrainingBytes(const Recommender& model, const Interactions& all, size_t raw_rows,
                             int threads);

}  // namespace tailor::recommenders
