#include "recommenders/serving/live_model.h"

#include <algorithm>

#include "recommenders/model_blob.h"
#include "recommenders/registry.h"
#include "storage/key_codec.h"

namespace tailor::recommenders {

namespace {
constexpr std::string_view kLiveKind = "live_model";
}  // namespace

size_t LiveModel::MemoryBytes() const {
  size_t n = model->MemoryBytes() + (data ? data->MemoryBytes() : 0) +
             (popularity.size() + by_popularity.size()) * sizeof(float);
  for (const auto& [name, items] : segment_popular)
    n += name.size() + items.size() * sizeof(uint32_t);
  if (!data) {
    for (uint32_t i = 0; i < restored_items.size(); ++i) n += restored_items.Id(i).size() + 48;
  }
  return n;
}

void RankByPopularity(LiveModel* live) {
  live->by_popularity.resize(live->popularity.size());
  for (uint32_t i = 0; i < live->popularity.size(); ++i) live->by_popularity[i] = i;
  std::stable_sort(
      live->by_popularity.begin(), live->by_popularity.end(),
      [&](uint32_t a, uint32_t b) { return live->popularity[a] > live->popularity[b]; });
}

Result<std::vector<uint32_t>> SegmentPopular(storage::KvStore& store, const Interactions& d,
                                             const std::vector<float>& popularity,
                                             const std::string& segment) {
  std::vector<float> count(d.num_items(), 0);
  const std::string prefix = storage::SegmentMemberPrefix(segment);
  auto it =
      store.NewIterator(storage::Keyspace::kSegmentMembers, prefix, storage::PrefixEnd(prefix));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint32_t u = d.users().Find(it->key().substr(prefix.size()));
    if (u == kNoIndex) continue;
    for (uint32_t i : d.UserItems(u)) count[i] += 1;
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < count.size(); ++i) {
    if (count[i] > 0) out.push_back(i);
  }
  std::stable_sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) {
    return count[a] != count[b] ? count[a] > count[b] : popularity[a] > popularity[b];
  });
  return out;
}

Result<std::string> EncodeLive(const LiveModel& live) {
  TAILOR_ASSIGN_OR_RETURN(std::string model, live.model->Serialize());
  const IdMap& ids = live.items();
  BlobWriter w(kLiveKind);
  w.Str(live.model->name());
  w.Put<uint64_t>(ids.size());
  for (uint32_t i = 0; i < ids.size(); ++i) w.Str(ids.Id(i));
  w.Array(live.popularity);
  w.Put<uint32_t>(static_cast<uint32_t>(live.segment_popular.size()));
  for (const auto& [segment, order] : live.segment_popular) {
    w.Str(segment);
    w.Array(order);
  }
  w.Bytes(model);
  return std::move(w).Finish();
}

Status DecodeLive(std::string_view stored, LiveModel* live) {
  const ModelSpec& spec = *live->spec;
  BlobReader r(stored);
  TAILOR_RETURN_IF_ERROR(r.Header(kLiveKind));
  const Status bad = Corruption("stored model data truncated or malformed");
  std::string model_name;
  uint64_t n = 0;
  if (!r.Str(&model_name) || !r.Get(&n) || n >= UINT32_MAX || n > r.remaining() / 4) return bad;
  if (model_name != spec.model) {
    return Corruption("stored model data is of model '" + model_name + "', the version of '" +
                      spec.model + "'");
  }
  std::string id;
  for (uint64_t i = 0; i < n; ++i) {
    if (!r.Str(&id) || live->restored_items.Intern(id) != i) return bad;
  }
  uint32_t segments = 0;
  if (!r.Array(&live->popularity, n) || !r.Get(&segments) || segments > r.remaining() / 12)
    return bad;
  for (uint32_t s = 0; s < segments; ++s) {
    std::string segment;
    std::vector<uint32_t> order;
    if (!r.Str(&segment) || !r.Array(&order)) return bad;
    for (uint32_t i : order) {
      if (i >= n) return bad;
    }
    live->segment_popular.emplace_back(std::move(segment), std::move(order));
  }
  std::string_view model_data;
  if (!r.Bytes(&model_data) || !r.AtEnd()) return bad;
  TAILOR_ASSIGN_OR_RETURN(live->model, CreateModel(spec.model, spec.params));
  TAILOR_RETURN_IF_ERROR(live->model->Deserialize(model_data));
  if (live->model->num_items() != n)
    return Corruption("stored model data: the model's item count differs from the id map");
  RankByPopularity(live);
  return Status::OK();
}

size_t EstimateTrainingBytes(const Recommender& model, const Interactions& all, size_t raw_rows,
                             int threads) {
  // Raw rows (twice: read, then split), the split's train and test Interactions beside
  // the full one, and the larger of the holdout fit and the full fit (run one after the
  // other; the holdout model is dropped before the full fit).
  const size_t raw = raw_rows * sizeof(RawInteraction) * 2;
  return raw + all.MemoryBytes() * 2 +
         model.EstimateFitBytes(all.num_users(), all.num_items(), all.nnz(), threads);
}

}  // namespace tailor::recommenders
