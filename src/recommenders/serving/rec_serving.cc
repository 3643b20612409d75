// RecService's serving path: GET /v1/recommendations (Recommend: the live version, then
// the shadow version off the response path), GET /v1/items/{id}/similar and the content
// fallback for items newer than the model.
#include <algorithm>
#include <chrono>
#include <span>
#include <unordered_set>

#include "condition/json_document.h"
#include "recommenders/serving/live_model.h"
#include "recommenders/serving/rec_service.h"
#include "recommenders/serving/rerank.h"

namespace tailor::recommenders {

namespace {

Result<std::shared_ptr<const condition::Condition>> CompileFilter(const std::string& text) {
  if (text.empty()) return std::shared_ptr<const condition::Condition>();
  auto c = condition::Condition::Parse(text);
  if (!c.ok()) {
    const std::string& p = c.status().path();
    return InvalidArgument(c.status().message(), p.empty() ? "filter" : "filter." + p);
  }
  return std::make_shared<const condition::Condition>(std::move(c).value());
}

// Evaluates a filter over an item's catalog document (a stub {"id"} when absent).
bool Passes(const condition::Condition& filter, const Catalog& catalog, const std::string& id) {
  if (const Json* doc = catalog.Find(id)) return filter.Evaluate(condition::JsonDocument(*doc));
  Json stub = {{"id", id}};
  return filter.Evaluate(condition::JsonDocument(stub));
}

// Content-based candidates (keys: ContentIndex items) for a history whose counting items
// (positions `unknown` in `h`) are all unknown to the model.
std::vector<Candidate> ContentCandidates(const LiveModel& live, const Catalog& catalog,
                                         const History& h, const std::vector<size_t>& unknown,
                                         const RecRequest& req, const condition::Condition* filter,
                                         size_t want) {
  const ContentIndex& content = catalog.content();
  std::vector<uint32_t> query;
  std::vector<float> weights;
  for (size_t p : unknown) {
    const uint32_t c = content.Find(h.items[p]);
    if (c != kNoIndex) query.push_back(c), weights.push_back(h.weights[p]);
  }
  if (query.empty()) return {};
  std::unordered_set<std::string_view> seen(h.items.begin(), h.items.end());
  auto allowed = [&](uint32_t i) {
    const std::string& id = content.id(i);
    if (req.exclude_seen && seen.count(id)) return false;
    return !filter || Passes(*filter, catalog, id);
  };
  std::vector<Candidate> out;
  for (const auto& n : content.Similar(query, weights, want, allowed)) {
    const std::string& id = content.id(n.item);
    const uint32_t m = live.items().Find(id);
    out.push_back({n.item, n.score, catalog.Find(id), m == kNoIndex ? 0.0f : live.popularity[m]});
  }
  return out;
}

// Every `1/rate`-th call returns true (deterministic: no draw, nothing to log).
bool Sampled(std::atomic<uint64_t>& counter, double rate) {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  const uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  return static_cast<uint64_t>(static_cast<double>(n + 1) * rate) >
         static_cast<uint64_t>(static_cast<double>(n) * rate);
}

}  // namespace

Result<RecList> RecService::Recommend(const RecRequest& req) const {
  const auto started = std::chrono::steady_clock::now();
  auto config = config_.load();
  const ModelSpec* spec = config->Find(req.model);
  if (spec == nullptr)
    return NotFound("no recommender '" + req.model + "' in the active config", "model");
  TAILOR_ASSIGN_OR_RETURN(auto live, LiveFor(req.model));
  TAILOR_ASSIGN_OR_RETURN(auto filter, CompileFilter(req.filter));
  const auto catalog = catalog_.Current();

  // The user's newest interactions: the fold-in history.
  std::optional<std::string> pid;
  if (!req.user_id.empty()) {
    TAILOR_ASSIGN_OR_RETURN(pid, identities_.Lookup(identity::IdKind::kUser, req.user_id));
  }
  if (!pid && !req.anonymous_id.empty()) {
    TAILOR_ASSIGN_OR_RETURN(pid,
                            identities_.Lookup(identity::IdKind::kAnonymous, req.anonymous_id));
  }
  History h;
  // The current spec: serving changes in config apply at once, without retraining.
  if (pid) {
    TAILOR_ASSIGN_OR_RETURN(h, ReadHistory(profiles_, *pid, *spec));
  }
  TAILOR_ASSIGN_OR_RETURN(RecList out, Serve(*live, *spec, req, pid, h, filter.get(), *catalog));

  // The shadow version answers the same request on the comparer's thread; its list is
  // compared with this one and never served.
  auto shadows = shadow_.load();
  if (auto it = shadows->find(req.model);
      it != shadows->end() && Sampled(shadow_counter_, spec->shadow_sample)) {
    const double live_micros =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
            .count();
    std::vector<std::string> live_ids;
    for (const auto& i : out.items) live_ids.push_back(i.id);
    std::shared_ptr<const LiveModel> shadow = it->second;
    comparer_->Submit(req.model, shadow->version, std::move(live_ids), live_micros,
                      [this, shadow, config, spec, req, pid, h = std::move(h), filter,
                       catalog]() -> Result<std::vector<std::string>> {
                        TAILOR_ASSIGN_OR_RETURN(
                            RecList l, Serve(*shadow, *spec, req, pid, h, filter.get(), *catalog));
                        std::vector<std::string> ids;
                        for (const auto& i : l.items) ids.push_back(i.id);
                        return ids;
                      });
  }
  return out;
}

Result<RecList> RecService::Serve(const LiveModel& live, const ModelSpec& spec,
                                  const RecRequest& req, const std::optional<std::string>& pid,
                                  const History& h, const condition::Condition* filter,
                                  const Catalog& catalog) const {
  const IdMap& ids = live.items();
  // The history mapped to the model's items.
  std::vector<uint32_t> items, seen;
  std::vector<float> weights;
  std::vector<size_t> unknown;  // positions in h of counting items the model does not know
  for (size_t i = 0; i < h.items.size(); ++i) {
    uint32_t idx = ids.Find(h.items[i]);
    if (idx == kNoIndex) {
      if (h.weights[i] > 0) unknown.push_back(i);
      continue;
    }
    seen.push_back(idx);
    if (h.weights[i] > 0) items.push_back(idx), weights.push_back(h.weights[i]);
  }
  std::sort(seen.begin(), seen.end());
  auto allowed = [&](uint32_t i) {
    if (req.exclude_seen && std::binary_search(seen.begin(), seen.end(), i)) return false;
    return !filter || Passes(*filter, catalog, ids.Id(i));
  };
  const size_t want = req.k * static_cast<size_t>(spec.serving.candidate_factor);
  RecList out;
  out.model = req.model;
  out.version = live.version;
  std::vector<Candidate> cands;
  if (items.empty() && !unknown.empty()) {
    // Every item of the history is newer than the model: content neighbours of those
    // items (catalog text, categories, tags) until they have interactions.
    auto content_list = ContentCandidates(live, catalog, h, unknown, req, filter, want);
    if (!content_list.empty()) {
      out.source = "content";
      const ContentIndex& content = catalog.content();
      for (const Candidate& c : Rerank(std::move(content_list), spec.serving, req.k))
        out.items.push_back({content.id(c.item), c.score});
      return out;
    }
  }
  if (items.empty()) {
    out.source = "cold_start";
    const std::vector<uint32_t>* segment_order = nullptr;
    if (pid && !live.segment_popular.empty()) {
      TAILOR_ASSIGN_OR_RETURN(auto profile, profiles_.Load(*pid));
      for (const auto& [segment, order] : live.segment_popular) {
        if (profile && profile->segments.count(segment)) {
          segment_order = &order;
          out.source = "cold_start:" + segment;
          break;
        }
      }
    }
    // The segment's favourites first (scored above any global rank), then global order.
    std::vector<bool> added(segment_order ? ids.size() : 0, false);
    if (segment_order) {
      const float top = live.popularity[live.by_popularity[0]];
      for (size_t r = 0; r < segment_order->size() && cands.size() < want; ++r) {
        uint32_t i = (*segment_order)[r];
        if (!allowed(i)) continue;
        added[i] = true;
        cands.push_back(
            {i, top + static_cast<float>(segment_order->size() - r), nullptr, live.popularity[i]});
      }
    }
    for (uint32_t i : live.by_popularity) {
      if (cands.size() == want) break;
      if (segment_order && added[i]) continue;
      if (allowed(i)) cands.push_back({i, live.popularity[i], nullptr, live.popularity[i]});
    }
  } else {
    out.source = "model";
    UserQuery q;
    q.user = kNoIndex;  // always fold in: the history is newer than the training data
    q.items = items;
    q.weights = weights;
    RecommendOptions ro;
    ro.k = want;
    ro.exclude_seen = req.exclude_seen;
    ro.filter = allowed;
    TAILOR_ASSIGN_OR_RETURN(auto scored, live.model->Recommend(q, ro));
    for (const auto& s : scored)
      cands.push_back({s.item, s.score, nullptr, live.popularity[s.item]});
  }
  for (Candidate& c : cands) c.doc = catalog.Find(ids.Id(c.item));
  for (const Candidate& c : Rerank(std::move(cands), spec.serving, req.k)) {
    out.items.push_back({ids.Id(c.item), c.score});
  }
  return out;
}

Result<RecList> RecService::Similar(const std::string& model, const std::string& item, size_t k,
                                    const std::string& filter_text) const {
  auto config = config_.load();
  const ModelSpec* spec = config->Find(model);
  if (spec == nullptr)
    return NotFound("no recommender '" + model + "' in the active config", "model");
  TAILOR_ASSIGN_OR_RETURN(auto live, LiveFor(model));
  TAILOR_ASSIGN_OR_RETURN(auto filter, CompileFilter(filter_text));
  const IdMap& ids = live->items();
  uint32_t idx = ids.Find(item);
  const auto catalog = catalog_.Current();
  if (idx == kNoIndex) {
    // An item the model has not seen (added after training, no interactions yet): its
    // content neighbours in the catalog.
    const ContentIndex& content = catalog->content();
    const uint32_t c = content.Find(item);
    if (c == kNoIndex) {
      return NotFound(
          "item '" + item + "' is unknown to model '" + model + "' and not in the catalog", "id");
    }
    auto allowed = [&](uint32_t i) { return !filter || Passes(*filter, *catalog, content.id(i)); };
    RecList out;
    out.model = model;
    out.version = live->version;
    out.source = "content";
    for (const auto& n : content.Similar(std::span<const uint32_t>(&c, 1), {}, k, allowed))
      out.items.push_back({content.id(n.item), n.score});
    return out;
  }
  const size_t want = k * static_cast<size_t>(spec->serving.candidate_factor);
  TAILOR_ASSIGN_OR_RETURN(auto scored, live->model->SimilarItems(idx, filter ? want : k));
  RecList out;
  out.model = model;
  out.version = live->version;
  out.source = "similar";
  for (const auto& s : scored) {
    if (out.items.size() == k) break;
    const std::string& id = ids.Id(s.item);
    if (filter && !Passes(*filter, *catalog, id)) continue;
    out.items.push_back({id, s.score});
  }
  return out;
}

}  // namespace tailor::recommenders
