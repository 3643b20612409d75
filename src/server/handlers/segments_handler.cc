#include <tuple>

#include "core/time_util.h"
#include "condition/json_document.h"
#include "segments/profile_document.h"
#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"
#include "storage/key_codec.h"

namespace tailor::server::handlers {

namespace {

size_t CountMembers(Services& s, const std::string& name) {
  std::string prefix = storage::SegmentMemberPrefix(name);
  auto it = s.store->NewIterator(storage::Keyspace::kSegmentMembers, prefix, storage::PrefixEnd(prefix));
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

Json SpecJson(Services& s, const segments::SegmentSet& set, const segments::SegmentSpec& spec) {
  size_t index = static_cast<size_t>(&spec - set.specs().data());
  return {{"name", spec.name},
          {"description", spec.description},
          {"condition", spec.condition_json},
          {"priority", spec.priority},
          {"group", spec.group.empty() ? Json(nullptr) : Json(spec.group)},
          {"parent", spec.parent.empty() ? Json(nullptr) : Json(spec.parent)},
          {"fallback", spec.fallback ? Json({{"max_events", spec.fallback_max_events}}) : Json(nullptr)},
          {"time_dependent", set.TimeDependent(index)},
          {"size", CountMembers(s, spec.name)}};
}

}  // namespace

HttpResponse ListSegments(Services& s, const HttpRequest&) {
  auto rt = s.runtime();
  Json list = Json::array();
  for (const auto& spec : rt->config->segments->specs()) list.push_back(SpecJson(s, *rt->config->segments, spec));
  return JsonOk({{"config_version", rt->config->version}, {"segments", list}});
}

HttpResponse GetSegment(Services& s, const HttpRequest& req) {
  auto rt = s.runtime();
  const auto* spec = rt->config->segments->Find(req.PathParam("name"));
  if (spec == nullptr) {
    return Error(NotFound("no segment '" + req.PathParam("name") + "' in config version " +
                              std::to_string(rt->config->version),
                          "name"));
  }
  Json out = SpecJson(s, *rt->config->segments, *spec);
  out["config_version"] = rt->config->version;
  auto history = s.jobs->SizeHistory(spec->name, 100);
  if (!history.ok()) return Error(history.status());
  Json sizes = Json::array();
  for (const auto& [at, size] : *history) sizes.push_back({{"at", FormatIso8601(at)}, {"size", size}});
  out["size_history"] = std::move(sizes);  // newest first; recorded after refresh jobs
  return JsonOk(out);
}

HttpResponse SegmentMembers(Services& s, const HttpRequest& req) {
  auto rt = s.runtime();
  const std::string& name = req.PathParam("name");
  if (rt->config->segments->Find(name) == nullptr) return Error(NotFound("no segment '" + name + "'", "name"));
  auto limit = QueryInt(req, "limit", 100, 1, 1000);
  if (!limit.ok()) return Error(limit.status());
  std::string prefix = storage::SegmentMemberPrefix(name);
  auto it = s.store->NewIterator(storage::Keyspace::kSegmentMembers, prefix, storage::PrefixEnd(prefix));
  if (auto cursor = req.Query("cursor")) {
    it->Seek(prefix + std::string(*cursor) + '\0');
  } else {
    it->SeekToFirst();
  }
  Json members = Json::array();
  std::string last;
  for (; it->Valid() && members.size() < static_cast<size_t>(*limit); it->Next()) {
    last = std::string(it->key().substr(prefix.size()));
    int64_t at = std::strtoll(std::string(it->value()).c_str(), nullptr, 10);
    members.push_back({{"profile_id", last}, {"entered_at", FormatIso8601(at)}});
  }
  if (!it->status().ok()) return Error(it->status());
  bool more = it->Valid();
  return JsonOk({{"segment", name}, {"members", members},
                 {"next_cursor", more ? Json(last) : Json(nullptr)}});
}

HttpResponse PreviewSegment(Services& s, const HttpRequest& req) {
  auto body = BodyObject(req);
  if (!body.ok()) return Error(body.status());
  if (Status st = OnlyMembers(*body, {"condition", "sample", "max_profiles"}); !st.ok()) return Error(st);
  auto cond_json = body->find("condition");
  if (cond_json == body->end()) return Error(InvalidArgument("required: a condition", "condition"));
  auto cond = condition::Condition::Compile(*cond_json);
  if (!cond.ok()) return Error(cond.status().WithPathPrefix("condition"));
  size_t sample = 10, max_profiles = 1'000'000;
  for (auto [name, target, max] : {std::tuple{"sample", &sample, size_t{1000}},
                                   std::tuple{"max_profiles", &max_profiles, size_t{100'000'000}}}) {
    if (auto it = body->find(name); it != body->end()) {
      if (!it->is_number_unsigned() || it->get<uint64_t>() > max) {
        return Error(InvalidArgument("must be an integer between 0 and " + std::to_string(max), name));
      }
      *target = it->get<size_t>();
    }
  }
  auto rt = s.runtime();
  // The scan reads stored profiles: write the write-behind ones first ("match now").
  if (auto flushed = s.pipeline->FlushProfiles(); !flushed.ok()) return Error(flushed.status());
  int64_t now = s.clock->NowMs();
  auto it = s.store->NewIterator(storage::Keyspace::kProfiles, "", "");
  size_t scanned = 0, matched = 0;
  Json examples = Json::array();
  for (it->SeekToFirst(); it->Valid() && scanned < max_profiles; it->Next()) {
    auto p = profile::DecodeProfile(it->value());
    if (!p.ok()) continue;
    ++scanned;
    Json doc = segments::BuildProfileDocument(*p, rt->config->features.get(), now, nullptr);
    rt->config->segments->Evaluate(&doc, rt->config->saved_groups.get(), /*has_context=*/false);
    if (cond->Evaluate(condition::JsonDocument(doc), rt->config->saved_groups.get())) {
      ++matched;
      if (examples.size() < sample) examples.push_back(p->id);
    }
  }
  if (!it->status().ok()) return Error(it->status());
  return JsonOk({{"matched", matched}, {"scanned", scanned},
                 {"share", scanned ? static_cast<double>(matched) / static_cast<double>(scanned) : 0.0},
                 {"sample", examples}, {"complete", !it->Valid()}});
}

}  // namespace tailor::server::handlers
