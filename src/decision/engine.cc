#include "decision/engine.h"

#include <algorithm>
#include <chrono>

#include "core/hash.h"
#include "core/ids.h"
#include "core/json_util.h"
#include "core/log.h"
#include "core/time_util.h"
#include "decision/request_state.h"
#include "segments/profile_document.h"

namespace tailor::decision {

namespace {

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string CapText(const std::string& key, int used, const CapSpec& cap) {
  return "cap " + key + " " + std::to_string(used) + "/" + std::to_string(cap.max) + " per " +
         FormatDurationMs(cap.window_ms);
}

}  // namespace

DecisionEngine::DecisionEngine(storage::KvStore& store, profile::ProfileStore& profiles,
                               identity::IdentityIndex& identities, const Clock& clock,
                               Random& random, DecisionLogOptions log_options)
    : store_(store),
      profiles_(profiles),
      identities_(identities),
      clock_(clock),
      random_(random),
      caps_(store),
      log_(store, &caps_, clock, random, log_options),
      refresher_([this] { RefreshLoop(); }) {}

DecisionEngine::~DecisionEngine() {
  {
    std::lock_guard lock(refresh_mu_);
    refresh_stop_ = true;
    refresh_queue_.clear();
  }
  refresh_cv_.notify_all();
  refresher_.join();
}

void DecisionEngine::MaybeRefresh(char kind, const std::string& id, const ProfileView& view,
                                  uint64_t identity_generation, const DecisionInputs& in) {
  if (!in.owner || view.refresh_queued.exchange(true, std::memory_order_relaxed)) return;
  {
    std::lock_guard lock(refresh_mu_);
    // A full queue: the request path rebuilds at expiry, as without refreshes.
    if (refresh_stop_ || refresh_queue_.size() >= kMaxQueuedRefreshes) return;
    refresh_queue_.push_back(Refresh{kind, id, view.pid, identity_generation, in});
  }
  refresh_cv_.notify_all();
}

void DecisionEngine::RefreshLoop() {
  std::unique_lock lock(refresh_mu_);
  while (true) {
    refresh_cv_.wait(lock, [&] { return refresh_stop_ || !refresh_queue_.empty(); });
    if (refresh_stop_) return;
    Refresh r = std::move(refresh_queue_.front());
    refresh_queue_.pop_front();
    refresh_busy_ = true;
    lock.unlock();
    // An identity that moved since (a merge) is left to the request path.
    if (identities_.generation() == r.identity_generation) {
      // Whatever goes wrong here must not take the process down (on a request it would
      // be a 500): the request path rebuilds the view at expiry instead.
      try {
        // Taken before the profile is read: a change to the profile while the view is
        // built (Invalidate) keeps the stale view out of the cache.
        const uint64_t stamp = views_.InvalidationStamp(r.pid);
        Status error;
        auto view = BuildView(r.pid, r.in, clock_.NowMs(), &error);
        if (view && views_.PutUnlessInvalidated(view, stamp)) {
          views_.PutExternal(r.kind, r.id, r.identity_generation, view);
          log_.AppendSnapshot(view);
          counters_.view_refreshes.fetch_add(1, std::memory_order_relaxed);
        } else if (!view) {
          LogWarn("background view refresh failed", {{"error", error.ToString()}});
        }
      } catch (const std::exception& e) {
        LogWarn("background view refresh failed", {{"error", e.what()}});
      }
    }
    r = Refresh{};  // drop the config snapshot before waiting
    lock.lock();
    refresh_busy_ = false;
    refresh_cv_.notify_all();
  }
}

void DecisionEngine::WaitForRefreshes() {
  std::unique_lock lock(refresh_mu_);
  refresh_cv_.wait(lock,
                   [&] { return refresh_stop_ || (refresh_queue_.empty() && !refresh_busy_); });
}

void DecisionEngine::Register(ActionKind kind, const ActionProvider* provider) {
  providers_[static_cast<size_t>(kind)] = provider;
}

std::shared_ptr<const ProfileView> DecisionEngine::View(const std::string& pid,
                                                        const DecisionInputs& in, int64_t now_ms,
                                                        Status* error) {
  const DecisionSettings& settings = in.decision->settings;
  if (!pid.empty()) {
    if (auto v = views_.Get(pid, in.config_version, now_ms, settings.view_ttl_ms)) return v;
  } else if (auto cold = cold_view_.load(std::memory_order_acquire);
             cold && cold->config_version == in.config_version &&
             cold->FreshAt(now_ms, settings.view_ttl_ms)) {
    return cold;  // every unknown visitor reads the same empty profile
  }
  auto out = BuildView(pid, in, now_ms, error);
  if (!out) return nullptr;
  if (!pid.empty()) {
    views_.Put(out);
  } else {
    cold_view_.store(out, std::memory_order_release);
  }
  log_.AppendSnapshot(out);
  return out;
}

std::shared_ptr<const ProfileView> DecisionEngine::BuildView(const std::string& pid,
                                                             const DecisionInputs& in,
                                                             int64_t now_ms, Status* error) {
  counters_.view_builds.fetch_add(1, std::memory_order_relaxed);
  profile::Profile p;
  if (!pid.empty()) {
    auto loaded = profiles_.Load(pid);
    if (!loaded.ok()) {
      *error = loaded.status();
      return nullptr;
    }
    if (*loaded) p = std::move(**loaded);
  }
  auto view = std::make_shared<ProfileView>();
  view->id = NewUlid(clock_, random_);
  view->pid = pid;
  view->profile_version = p.version;
  view->config_version = in.config_version;
  view->built_at_ms = now_ms;
  view->spread_permille = static_cast<uint16_t>(Hash64(pid) % 200);
  view->doc = segments::BuildProfileDocument(p, in.features, now_ms, nullptr);
  view->doc.erase("context");
  if (in.segments != nullptr)
    in.segments->Evaluate(&view->doc, in.saved_groups, /*has_context=*/false);
  view->flat = FlatJson(view->doc);
  view->segments = SegmentFilter::Of(view->flat);
  return view;
}

Result<std::shared_ptr<const ProfileView>> DecisionEngine::ViewFor(const std::string& user_id,
                                                                   const std::string& anonymous_id,
                                                                   const DecisionInputs& in,
                                                                   int64_t now_ms) {
  // A user id first, then the anonymous id; unknown people get a cold-start view (empty
  // profile: defaults, popularity), never an error. A person seen recently is found by
  // the id itself, without the identity lookup.
  const DecisionSettings& settings = in.decision->settings;
  const uint64_t generation = identities_.generation();
  struct Id {
    identity::IdKind kind;
    const std::string& id;
  };
  for (const Id& e :
       {Id{identity::IdKind::kUser, user_id}, Id{identity::IdKind::kAnonymous, anonymous_id}}) {
    if (e.id.empty()) continue;
    const char kind = static_cast<char>(e.kind);
    if (auto v = views_.GetExternal(kind, e.id, generation, in.config_version, now_ms,
                                    settings.view_ttl_ms)) {
      if (v->DueForRefreshAt(now_ms, settings.view_ttl_ms))
        MaybeRefresh(kind, e.id, *v, generation, in);
      return v;
    }
    TAILOR_ASSIGN_OR_RETURN(std::optional<std::string> pid, identities_.Lookup(e.kind, e.id));
    if (!pid) continue;
    Status error;
    auto view = View(*pid, in, now_ms, &error);
    if (!view) return error;
    views_.PutExternal(kind, e.id, generation, view);
    return view;
  }
  Status error;
  auto view = View("", in, now_ms, &error);
  if (!view) return error;
  return view;
}

bool DecisionEngine::CapsAllow(const Rule& rule, RequestState& rs, std::string* why) {
  if (rs.view->pid.empty()) return true;  // no history for a visitor Tailor never saw
  // The caps this rule answers to: its own, its campaign's and its content's, read from
  // the ledger together.
  const CapSpec* caps[3];
  size_t n = 0;
  if (rule.cap.active()) caps[n++] = &rule.cap;
  if (!rule.campaign.empty()) {
    const Campaign* c = rs.config.FindCampaign(rule.campaign);
    if (c && c->cap.active()) caps[n++] = &c->cap;
  }
  if (rule.serve.kind == ActionKind::kContent) {
    const Content* content = rs.config.FindContent(rule.serve.ref);
    if (content && content->cap.active()) caps[n++] = &content->cap;
  }
  if (n == 0) return true;
  CapLedger::Query queries[3];
  for (size_t i = 0; i < n; ++i) queries[i] = {caps[i]->key, caps[i]->window_ms};
  int used[3] = {0, 0, 0};
  // An unreadable ledger does not block answers (counts stay 0).
  caps_.CountAll(rs.view->pid, std::span(queries, n), rs.now_ms, used).IgnoreError();
  for (size_t i = 0; i < n; ++i) {
    const CapSpec& cap = *caps[i];
    int count =
        used[i] + static_cast<int>(std::count(rs.granted.begin(), rs.granted.end(), cap.key));
    if (count >= cap.max) {
      *why = CapText(cap.key, count, cap);
      return false;
    }
  }
  return true;
}

bool DecisionEngine::Resolve(const Action& action, RequestState& rs, Answer* out,
                             std::string* why) {
  out->action = action.kind;
  std::string content_name;
  switch (action.kind) {
    case ActionKind::kFlag:
      out->value = action.value;
      return true;
    case ActionKind::kContent:
      content_name = action.ref;
      break;
    default: {
      const ActionProvider* provider = providers_[static_cast<size_t>(action.kind)];
      if (provider == nullptr) {
        *why = std::string(ActionKindName(action.kind)) + " actions are not available";
        return false;
      }
      auto r = provider->Resolve(ActionRequest{
          action, *rs.view, *rs.context, rs.unit_id, rs.request.user_id, rs.request.anonymous_id,
          rs.now_ms, rs.request.dry_run || rs.shadow_pass, rs.in.saved_groups});
      if (!r.ok()) {
        *why = r.status().message();
        return false;
      }
      out->value = r->value;
      out->propensity = r->propensity;
      out->version = r->version;
      if (r->content.empty()) return true;
      content_name = r->content;
    }
  }
  const Content* content = rs.config.FindContent(content_name);
  if (content == nullptr) {
    *why = "content '" + content_name + "' is not defined";
    return false;
  }
  const Variant* variant = content->VariantFor(rs.channel);
  if (variant == nullptr) {
    *why = "content '" + content_name + "' has no variant for channel '" + rs.channel + "'";
    return false;
  }
  out->content = content_name;
  out->variant = content->variants.count(rs.channel) ? rs.channel : "default";
  if (!variant->value.is_null()) out->value = variant->value;
  if (variant->body) out->body = variant->body->Render(rs.view->flat, rs.view->doc, rs.context);
  return true;
}

Answer DecisionEngine::DecidePlacement(const Placement& pl, const RuleSet& rules, RequestState& rs,
                                       bool shadow) {
  rs.shadow_pass = shadow;
  Answer a;
  auto serve_default = [&](std::string reason, bool fallback) {
    Answer d;
    d.trace = std::move(a.trace);
    d.fallback = fallback;
    d.reason = std::move(reason);
    std::string why;
    if (rules.default_action && Resolve(*rules.default_action, rs, &d, &why)) return d;
    if (rules.default_action) {
      d.fallback = true;
      d.reason += (d.reason.empty() ? "" : "; ") + ("default failed: " + why);
    }
    const auto& global = rs.config.settings.global_default;
    if (global && Resolve(*global, rs, &d, &why)) {
      d.fallback = true;
      return d;
    }
    d.served = false;
    d.fallback = true;
    d.reason += (d.reason.empty() ? "" : "; ") + std::string("no default could answer");
    return d;
  };
  if (!pl.enabled) {
    Answer d = serve_default("placement is switched off (kill switch)", false);
    d.personalized = false;
    return d;
  }
  if (!rs.consented) {
    Answer d = serve_default("no consent for " + rs.config.settings.consent_purpose +
                                 ": served the non-personalized default",
                             false);
    d.personalized = false;
    return d;
  }
  if (!shadow &&
      rs.placement_started_us - rs.started_us > rs.config.settings.time_budget_ms * 1000) {
    return serve_default(
        "time budget of " + FormatDurationMs(rs.config.settings.time_budget_ms) + " spent", true);
  }
  DecisionDocument doc(rs.view->flat, *rs.context, &rs.view->segments);
  const uint64_t memo_owner = RuleMemoOwner(rs.config, rs.in.config_version);
  a.trace.reserve(rules.rules.size());
  for (const Rule& rule : rules.rules) {
    TraceEntry t{rule.name, RuleOutcome::kNoMatch, {}};
    if (!rule.enabled) {
      t.outcome = RuleOutcome::kDisabled;
    } else if (rule.rollout < 1.0 && UnitInterval(rs.unit_id, rule.rollout_salt) >= rule.rollout) {
      t.outcome = RuleOutcome::kNotInRollout;
    } else if (!RuleHolds(rule, doc, *rs.view, memo_owner, rs.in.saved_groups)) {
      t.outcome = RuleOutcome::kNoMatch;
    } else if (!shadow && !CapsAllow(rule, rs, &t.detail)) {
      t.outcome = RuleOutcome::kCapped;
      counters_.capped.fetch_add(1, std::memory_order_relaxed);
    } else {
      std::string why;
      if (Resolve(rule.serve, rs, &a, &why)) {
        t.outcome = RuleOutcome::kMatched;
        a.trace.push_back(std::move(t));
        a.rule = rule.name;
        a.campaign = rule.campaign;
        return a;
      }
      t.outcome = RuleOutcome::kFailed;
      t.detail = why;
      a.trace.push_back(std::move(t));
      return serve_default("rule " + rule.name + " could not answer: " + why, true);
    }
    a.trace.push_back(std::move(t));
  }
  return serve_default("", false);
}

namespace {

// The capped keys an answer counts toward, with the times each cap needs kept.
std::vector<CapLedger::Impression> CappedKeys(const DecisionConfig& config,
                                              const std::string& placement, const std::string& rule,
                                              const std::string& content,
                                              const std::string& campaign) {
  std::vector<CapLedger::Impression> out;
  if (const Content* c = content.empty() ? nullptr : config.FindContent(content);
      c && c->cap.active()) {
    out.push_back({c->cap.key, c->cap.max});
  }
  if (!rule.empty()) {
    if (const Placement* pl = config.FindPlacement(placement)) {
      for (const Rule& r : pl->live.rules) {
        if (r.name == rule && r.cap.active()) out.push_back({r.cap.key, r.cap.max});
      }
    }
  }
  if (const Campaign* c = campaign.empty() ? nullptr : config.FindCampaign(campaign);
      c && c->cap.active()) {
    out.push_back({c->cap.key, c->cap.max});
  }
  return out;
}

}  // namespace

void DecisionEngine::RecordServed(const Placement& pl, const Answer& a, RequestState& rs) {
  if (!pl.record_impressions || rs.request.dry_run || rs.view->pid.empty() || !a.served) return;
  auto keys = CappedKeys(rs.config, pl.name, a.rule, a.content, a.campaign);
  if (keys.empty()) return;  // nothing capped: no history needed
  caps_.Record(rs.view->pid, keys, rs.now_ms).IgnoreError();
  for (auto& k : keys) rs.granted.push_back(std::move(k.key));
}

Result<std::vector<Decision>> DecisionEngine::Decide(const DecideRequest& request,
                                                     const DecisionInputs& in) {
  const DecisionConfig& config = *in.decision;
  std::vector<const Placement*> placements;
  placements.reserve(request.placements.size());
  for (size_t i = 0; i < request.placements.size(); ++i) {
    const Placement* pl = config.FindPlacement(request.placements[i]);
    if (pl == nullptr) {
      return InvalidArgument(
          "unknown placement '" + request.placements[i] + "'; GET /v1/config lists the placements",
          "placements[" + std::to_string(i) + "]");
    }
    placements.push_back(pl);
  }
  RequestState rs{request, in, config, nullptr, nullptr, {}, {}, 0, 0, 0, true, {}};
  rs.started_us = rs.placement_started_us = SteadyMicros();
  rs.now_ms = clock_.NowMs();
  rs.unit_id = !request.user_id.empty() ? request.user_id : request.anonymous_id;

  TAILOR_ASSIGN_OR_RETURN(rs.view, ViewFor(request.user_id, request.anonymous_id, in, rs.now_ms));
  rs.view->PrefetchData();

  bool need_time = false;
  for (const Placement* pl : placements) need_time = need_time || pl->needs_time;
  // The completed context, flat for the rules and as text for the log records, made once
  // for all placements.
  CompletedContext context;
  CompleteContext(request, rs.now_ms, need_time, &context);
  rs.channel = std::move(context.channel);
  rs.context = context.flat;

  const DecisionSettings& settings = config.settings;
  if (!settings.consent_purpose.empty()) {
    // From the flat view, as the rules read it (the nlohmann document is cold).
    const FlatJson& f = rs.view->flat;
    FlatJson::Index consent, purpose;
    if (f.Find(FlatJson::kRoot, "consent", &consent) &&
        f.Find(consent, settings.consent_purpose, &purpose)) {
      rs.consented = f.Kind(purpose) == condition::ValueKind::kBool && f.GetBool(purpose);
    } else {
      rs.consented = settings.consent_by_default;
    }
  }

  // Resolve in placement priority order (a shared campaign budget goes to the most
  // important placement), answer in request order.
  std::vector<size_t> order(placements.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return placements[a]->priority > placements[b]->priority;
  });

  std::vector<Decision> out(placements.size());
  uint64_t context_hash = 0;
  for (size_t idx : order) {
    const Placement& pl = *placements[idx];
    // The first placement starts with the request; each next one where the last ended.
    const int64_t t0 = rs.placement_started_us;
    Decision& d = out[idx];
    d.placement = pl.name;
    bool cacheable = settings.cache_ttl_ms > 0 && pl.cacheable && !rs.view->pid.empty();
    uint64_t key = 0;
    if (cacheable) {
      // The request's own context (not the server's clock: "time" is left out) keys
      // the cache, plus the minute for placements whose rules read the time of day.
      if (context_hash == 0) context_hash = Hash64(request.context_text) | 1;
      key = Hash64(pl.name, context_hash);
      if (pl.reads_time) key = Hash64(std::to_string(rs.now_ms / 60'000), key);
      if (auto hit = views_.GetAnswer(rs.view->pid, rs.view.get(), key, rs.now_ms)) {
        d.answer = std::move(hit->answer);  // shared, not copied
        d.cached = true;
        counters_.cache_hits.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (!d.cached) {
      d.answer = std::make_shared<const Answer>(DecidePlacement(pl, pl.live, rs, /*shadow=*/false));
      if (cacheable)
        views_.PutAnswer(rs.view->pid, rs.view.get(), key,
                         CachedAnswer{rs.now_ms + settings.cache_ttl_ms, d.answer});
    }
    RecordServed(pl, *d.answer, rs);
    counters_.decisions.fetch_add(1, std::memory_order_relaxed);
    if (d.answer->fallback) counters_.fallbacks.fetch_add(1, std::memory_order_relaxed);

    std::optional<Answer> shadow;
    if (pl.shadow) shadow = DecidePlacement(pl, *pl.shadow, rs, /*shadow=*/true);
    PendingDecision rec;
    rec.shadow = shadow ? &*shadow : nullptr;
    rec.at_ms = rs.now_ms;
    rec.view = rs.view.get();
    rec.user_id = request.user_id;
    rec.anonymous_id = request.anonymous_id;
    rec.placement = pl.name;
    rec.config_version = in.config_version;
    rec.context_json = context.text;
    rec.context_tail = context.text_tail;
    rec.answer = d.answer.get();
    rec.cached = d.cached;
    rs.placement_started_us = SteadyMicros();
    rec.latency_us = rs.placement_started_us - t0;
    rec.consented = rs.consented;
    rec.impressions_recorded = pl.record_impressions && !request.dry_run && !rs.view->pid.empty();
    d.decision_id = log_.Append(rec);
  }
  return out;
}

Status DecisionEngine::RecordImpression(const DecisionConfig& config, const std::string& pid,
                                        const std::string& decision_id, const Json& properties,
                                        int64_t at_ms) {
  std::string placement, rule, content, campaign;
  auto str = [](const Json& obj, const char* name) {
    auto it = obj.find(name);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!decision_id.empty()) {
    // The decision names what was shown; placements that record impressions at
    // decision time already counted it.
    auto record = log_.Get(decision_id);
    if (record.ok() && !record->value("impressions_recorded", false)) {
      placement = str(*record, "placement");
      rule = str(*record, "rule");
      content = str(*record, "content");
      campaign = str(*record, "campaign");
    }
  }
  if (properties.is_object()) {
    if (content.empty()) content = str(properties, "content");
    if (campaign.empty()) campaign = str(properties, "campaign");
    if (rule.empty()) {
      // "placement/rule"
      std::string pr = str(properties, "rule");
      if (size_t slash = pr.find('/'); slash != std::string::npos) {
        placement = pr.substr(0, slash);
        rule = pr.substr(slash + 1);
      }
    }
  }
  auto keys = CappedKeys(config, placement, rule, content, campaign);
  if (keys.empty()) return Status::OK();
  Status s = caps_.Record(pid, keys, at_ms);
  views_.Invalidate(pid);  // cached answers may now exceed a cap
  return s;
}

}  // namespace tailor::decision
