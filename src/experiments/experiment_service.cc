#include "experiments/experiment_service.h"

#include "condition/js_semantics.h"
#include "condition/json_document.h"

namespace tailor::experiments {

namespace {

// A StickyStore that answers lookups but records nothing (dry runs).
class ReadOnlySticky final : public StickyStore {
 public:
  explicit ReadOnlySticky(const StickyStore& inner) : inner_(inner) {}
  std::optional<int> Lookup(const StickyKey& key) const override { return inner_.Lookup(key); }
  void Record(const StickyKey&, int) override {}

 private:
  const StickyStore& inner_;
};

}  // namespace

std::string_view ResolveUnit(const UnitAttribute& attribute, const Subject& subject,
                             std::string* storage) {
  switch (attribute.source) {
    case UnitSource::kUserId:
      return subject.user_id;
    case UnitSource::kAnonymousId:
      return subject.anonymous_id;
    case UnitSource::kTrait: {
      if (subject.traits == nullptr) return {};
      const Json* cur = subject.traits;
      std::string_view path = attribute.trait_path;
      while (!path.empty()) {
        size_t dot = path.find('.');
        if (!cur->is_object()) return {};
        auto it = cur->find(path.substr(0, dot));
        if (it == cur->end()) return {};
        cur = &*it;
        path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
      }
      if (cur->is_string()) return cur->get_ref<const std::string&>();
      if (cur->is_number()) {
        char buf[condition::internal::kNumberBufferSize];
        *storage = std::string(condition::internal::FormatJsNumber(cur->get<double>(), buf));
        return *storage;
      }
      return {};
    }
  }
  return {};
}

ExperimentService::ExperimentService(storage::KvStore& store) : sticky_(store), tracker_(store) {
  Configure(std::make_shared<const ExperimentSet>());
}

void ExperimentService::Configure(std::shared_ptr<const ExperimentSet> set) {
  tracker_.Configure(set);
  set_.store(std::move(set), std::memory_order_release);
}

Served ExperimentService::AssignAndExpose(const ConfiguredExperiment& e, const Subject& subject) {
  Served out;
  std::string trait_storage, fallback_storage, holdout_storage;
  std::string_view value = ResolveUnit(e.unit, subject, &trait_storage);
  const UnitAttribute* used = &e.unit;
  if (value.empty() && e.fallback_unit) {
    value = ResolveUnit(*e.fallback_unit, subject, &fallback_storage);
    used = &*e.fallback_unit;
  }
  const std::string attribute_name = UnitAttributeName(*used);
  auto current = set();
  AssignContext ctx;
  ctx.now_ms = subject.now_ms;
  ctx.saved_groups = subject.saved_groups;
  ctx.hash_value = value;
  ctx.hash_value_attribute = attribute_name;
  ReadOnlySticky read_only(sticky_);
  ctx.sticky = subject.record ? static_cast<StickyStore*>(&sticky_) : &read_only;
  if (current && current->holdout.fraction > 0) {
    ctx.holdout = &current->holdout;
    auto h = ParseUnitAttribute(current->holdout.hash_attribute);
    if (h.ok()) ctx.holdout_value = ResolveUnit(*h, subject, &holdout_storage);
  }
  static const Json kEmptyJson = Json::object();  // immutable
  static const condition::JsonDocument kEmpty(kEmptyJson);
  out.assignment = Assign(e.experiment, subject.document ? *subject.document : kEmpty, ctx);
  out.unit = std::string(value);
  out.attribute = attribute_name;
  const Assignment& a = out.assignment;
  if (subject.record && a.in_experiment && a.reason != AssignReason::kForced && !value.empty()) {
    out.exposed_now = tracker_.RecordExposure(e, value, subject.pid, a.variation_id,
                                              subject.now_ms, subject.features);
  }
  return out;
}

}  // namespace tailor::experiments
