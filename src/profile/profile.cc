#include "profile/profile.h"

#include <algorithm>
#include <charconv>

#include "core/json_doc.h"
#include "core/json_util.h"
#include "core/time_util.h"

namespace tailor::profile {

bool Profile::HasConsent(const std::string& purpose) const {
  auto it = consents.find(purpose);
  return it != consents.end() && it->second.granted;
}

namespace {

Json ConsentsJson(const Profile& p, bool api) {
  Json c = Json::object();
  for (const auto& [purpose, s] : p.consents) {
    Json e = {{"granted", s.granted}, {"source", s.source}};
    if (api) e["at"] = FormatIso8601(s.at_ms); else e["at_ms"] = s.at_ms;
    c[purpose] = std::move(e);
  }
  return c;
}

Json TraitsJson(const Profile& p) {
  auto t = ParseJson(p.traits_json);
  return t.ok() ? std::move(t).value() : Json::object();
}


void AppendStrings(std::string* out, const std::vector<std::string>& v) {
  out->push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, v[i]);
  }
  out->push_back(']');
}

// Appends ,"name": (every member but the first).
void AppendKey(std::string* out, std::string_view name) {
  out->append(",\"");
  out->append(name);
  out->append("\":");
}

}  // namespace

// Written by hand: this runs for every changed profile on every ingest batch, and an
// nlohmann tree (plus re-parsing the traits) cost ~14% of ingest CPU. Members come in
// the order nlohmann's sorted objects used, so the text matches the old encoder except
// for the spelling of some doubles in feature states.
std::string EncodeProfile(const Profile& p) {
  std::string out;
  out.reserve(512 + p.traits_json.size() + 160 * p.features.size() + 48 * p.segments.size());
  out.append("{\"anonymous_ids\":");
  AppendStrings(&out, p.anonymous_ids);
  if (p.applied_seq != 0) {  // written only with write-behind (ingest/profile_journal.h)
    AppendKey(&out, "applied_seq");
    AppendJsonInt(&out, p.applied_seq);
  }
  out.append(",\"consents\":{");
  bool first = true;
  for (const auto& [purpose, s] : p.consents) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(&out, purpose);
    out.append(":{\"at_ms\":");
    AppendJsonInt(&out, s.at_ms);
    out.append(s.granted ? ",\"granted\":true,\"source\":" : ",\"granted\":false,\"source\":");
    AppendJsonString(&out, s.source);
    out.push_back('}');
  }
  out.push_back('}');
  AppendKey(&out, "created_at_ms");
  AppendJsonInt(&out, p.created_at_ms);
  AppendKey(&out, "event_count");
  AppendJsonInt(&out, p.event_count);
  if (!p.features.empty()) {
    out.append(",\"features\":{");
    first = true;
    for (const auto& [name, st] : p.features) {
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(&out, name);
      out.push_back(':');
      st.AppendJson(&out);
    }
    out.push_back('}');
  }
  AppendKey(&out, "first_seen_ms");
  AppendJsonInt(&out, p.first_seen_ms);
  AppendKey(&out, "id");
  AppendJsonString(&out, p.id);
  AppendKey(&out, "last_seen_ms");
  AppendJsonInt(&out, p.last_seen_ms);
  AppendKey(&out, "merged_from");
  AppendStrings(&out, p.merged_from);
  if (!p.segments.empty()) {
    out.append(",\"segments\":{");
    first = true;
    for (const auto& [name, at] : p.segments) {
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(&out, name);
      out.push_back(':');
      AppendJsonInt(&out, at);
    }
    out.push_back('}');
  }
  AppendKey(&out, "session_count");
  AppendJsonInt(&out, p.session_count);
  AppendKey(&out, "session_id");
  AppendJsonString(&out, p.session_id);
  AppendKey(&out, "session_last_ms");
  AppendJsonInt(&out, p.session_last_ms);
  AppendKey(&out, "session_start_ms");
  AppendJsonInt(&out, p.session_start_ms);
  // traits_json is compact JSON (MergeTraits and DecodeProfile write it with dump()), so
  // it goes in verbatim; only the "no traits yet" empty string needs a stand-in.
  AppendKey(&out, "traits");
  out.append(p.traits_json.empty() ? std::string_view("{}") : std::string_view(p.traits_json));
  AppendKey(&out, "updated_at_ms");
  AppendJsonInt(&out, p.updated_at_ms);
  AppendKey(&out, "user_ids");
  AppendStrings(&out, p.user_ids);
  AppendKey(&out, "version");
  AppendJsonInt(&out, p.version);
  out.push_back('}');
  return out;
}

Result<Profile> DecodeProfile(std::string_view json) {
  auto parsed = ParseJsonObject(json);
  if (!parsed.ok()) return Corruption("profile: " + parsed.status().message());
  const Json& j = *parsed;
  try {
    Profile p;
    p.id = j.at("id").get<std::string>();
    p.user_ids = j.at("user_ids").get<std::vector<std::string>>();
    p.anonymous_ids = j.at("anonymous_ids").get<std::vector<std::string>>();
    p.traits_json = j.at("traits").dump();
    for (const auto& [purpose, s] : j.at("consents").items()) {
      p.consents[purpose] = ConsentState{s.at("granted").get<bool>(), s.at("at_ms").get<int64_t>(),
                                         s.at("source").get<std::string>()};
    }
    p.first_seen_ms = j.at("first_seen_ms").get<int64_t>();
    p.last_seen_ms = j.at("last_seen_ms").get<int64_t>();
    p.created_at_ms = j.at("created_at_ms").get<int64_t>();
    p.updated_at_ms = j.at("updated_at_ms").get<int64_t>();
    p.event_count = j.at("event_count").get<uint64_t>();
    p.session_count = j.at("session_count").get<uint64_t>();
    p.session_id = j.at("session_id").get<std::string>();
    p.session_start_ms = j.at("session_start_ms").get<int64_t>();
    p.session_last_ms = j.at("session_last_ms").get<int64_t>();
    p.merged_from = j.at("merged_from").get<std::vector<std::string>>();
    p.version = j.at("version").get<uint64_t>();
    if (auto it = j.find("applied_seq"); it != j.end()) p.applied_seq = it->get<uint64_t>();
    if (auto it = j.find("features"); it != j.end()) {
      for (const auto& [name, st] : it->items()) {
        TAILOR_ASSIGN_OR_RETURN(p.features[name], FeatureState::FromJson(st));
      }
    }
    if (auto it = j.find("segments"); it != j.end()) {
      for (const auto& [name, at] : it->items()) p.segments[name] = at.get<int64_t>();
    }
    return p;
  } catch (const Json::exception& e) {
    return Corruption(std::string("profile: ") + e.what());
  }
}

std::string ProfileToApiJson(const Profile& p) {
  Json j = {{"id", p.id},
            {"identities", {{"user_ids", p.user_ids}, {"anonymous_ids", p.anonymous_ids}}},
            {"traits", TraitsJson(p)},
            {"consents", ConsentsJson(p, true)},
            {"first_seen", p.event_count ? Json(FormatIso8601(p.first_seen_ms)) : Json(nullptr)},
            {"last_seen", p.event_count ? Json(FormatIso8601(p.last_seen_ms)) : Json(nullptr)},
            {"created_at", FormatIso8601(p.created_at_ms)},
            {"updated_at", FormatIso8601(p.updated_at_ms)},
            {"event_count", p.event_count},
            {"session_count", p.session_count},
            {"current_session_id", p.session_id.empty() ? Json(nullptr) : Json(p.session_id)},
            {"merged_from", p.merged_from},
            {"version", p.version}};
  return j.dump();
}

Status MergeTraits(std::string* traits_json, std::string_view patch_json) {
  auto patch = ParseJson(patch_json);
  if (!patch.ok() || !patch->is_object()) return InvalidArgument("traits must be an object", "traits");
  auto base = ParseJson(*traits_json);
  Json merged = base.ok() && base->is_object() ? std::move(base).value() : Json::object();
  // RFC 7396 JSON merge patch: null deletes, objects merge recursively.
  merged.merge_patch(*patch);
  *traits_json = merged.dump();
  return Status::OK();
}

void MergeProfileInto(const Profile& from, Profile* into) {
  auto add_all = [](const std::vector<std::string>& src, std::vector<std::string>* dst) {
    for (const auto& id : src) {
      if (std::find(dst->begin(), dst->end(), id) == dst->end()) dst->push_back(id);
    }
  };
  add_all(from.user_ids, &into->user_ids);
  add_all(from.anonymous_ids, &into->anonymous_ids);
  // The surviving profile's traits win: merge `into` over `from`.
  std::string traits = from.traits_json;
  if (MergeTraits(&traits, into->traits_json).ok()) into->traits_json = std::move(traits);
  for (const auto& [purpose, s] : from.consents) {
    auto it = into->consents.find(purpose);
    if (it == into->consents.end() || it->second.at_ms < s.at_ms) into->consents[purpose] = s;
  }
  if (from.event_count > 0) {
    into->first_seen_ms = into->event_count ? std::min(into->first_seen_ms, from.first_seen_ms)
                                            : from.first_seen_ms;
    into->last_seen_ms = into->event_count ? std::max(into->last_seen_ms, from.last_seen_ms)
                                           : from.last_seen_ms;
  }
  into->event_count += from.event_count;
  into->session_count += from.session_count;
  into->created_at_ms = std::min(into->created_at_ms, from.created_at_ms);
  into->merged_from.push_back(from.id);
  add_all(from.merged_from, &into->merged_from);
}

}  // namespace tailor::profile
