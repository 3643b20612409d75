#include <charconv>

#include "core/json_util.h"
#include "core/time_util.h"
#include "ingest/event.h"
#include "segments/profile_document.h"
#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"
#include "storage/key_codec.h"

namespace tailor::server::handlers {

namespace {

// Resolves {id} (user id, then anonymous id, then profile id; or as ?id_type says).
Result<profile::Profile> Resolve(Services& s, const HttpRequest& req) {
  const std::string& id = req.PathParam("id");
  std::string_view type = req.Query("id_type").value_or("");
  if (!type.empty() && type != "user" && type != "anonymous" && type != "profile") {
    return InvalidArgument("must be user, anonymous or profile", "id_type");
  }
  std::optional<std::string> pid;
  if (type.empty() || type == "user") {
    TAILOR_ASSIGN_OR_RETURN(pid, s.identities->Lookup(identity::IdKind::kUser, id));
  }
  if (!pid && (type.empty() || type == "anonymous")) {
    TAILOR_ASSIGN_OR_RETURN(pid, s.identities->Lookup(identity::IdKind::kAnonymous, id));
  }
  if (!pid && (type.empty() || type == "profile") && id.size() == storage::kPidBytes) pid = id;
  if (pid) {
    TAILOR_ASSIGN_OR_RETURN(auto p, s.profiles->Load(*pid));
    if (p) return std::move(*p);
  }
  return NotFound("no profile for '" + id + "' (looked up as user id, anonymous id and profile id)",
                  "id");
}

}  // namespace

HttpResponse GetProfile(Services& s, const HttpRequest& req) {
  auto p = Resolve(s, req);
  if (!p.ok()) return Error(p.status());
  // Features and segments are evaluated as of now: windows slide and time-based
  // segments change without new events.
  auto rt = s.runtime();
  Json doc = segments::BuildProfileDocument(*p, rt->config->features.get(), s.clock->NowMs(), nullptr);
  std::vector<std::string> in =
      rt->config->segments->Evaluate(&doc, rt->config->saved_groups.get(), /*has_context=*/false);
  auto out = ParseJson(profile::ProfileToApiJson(*p));
  if (!out.ok()) return Error(out.status());
  (*out)["features"] = doc["features"];
  (*out)["segments"] = in;
  Json since = Json::object();
  for (const auto& name : in) {
    auto it = p->segments.find(name);
    since[name] = it != p->segments.end() ? Json(FormatIso8601(it->second)) : Json(nullptr);
  }
  (*out)["segments_since"] = std::move(since);
  auto stale = rt->config->features->Stale(p->features);
  if (!stale.empty()) (*out)["features_pending_backfill"] = stale;
  return JsonOk(*out);
}

HttpResponse GetProfileEvents(Services& s, const HttpRequest& req) {
  auto limit = QueryInt(req, "limit", 50, 1, 1000);
  if (!limit.ok()) return Error(limit.status());
  std::optional<profile::EventCursor> cursor;
  if (auto c = req.Query("cursor")) {
    // "<timestamp_ms>:<event_id>" as returned in next_cursor.
    size_t colon = c->find(':');
    int64_t ts = 0;
    auto [ptr, ec] = std::from_chars(c->data(), c->data() + (colon == std::string_view::npos ? 0 : colon), ts);
    if (colon == std::string_view::npos || ec != std::errc() || ptr != c->data() + colon) {
      return Error(InvalidArgument("malformed cursor; pass next_cursor from the previous page",
                                   "cursor"));
    }
    cursor = profile::EventCursor{ts, std::string(c->substr(colon + 1))};
  } else {
    auto before = QueryTime(req, "before");
    if (!before.ok()) return Error(before.status());
    if (*before) cursor = profile::EventCursor{**before, ""};
  }
  auto p = Resolve(s, req);
  if (!p.ok()) return Error(p.status());
  auto page = s.profiles->Events(p->id, static_cast<size_t>(*limit), cursor);
  if (!page.ok()) return Error(page.status());
  std::string out = "{\"profile_id\":";
  AppendJsonString(&out, p->id);
  out += ",\"events\":[";
  for (size_t i = 0; i < page->stored.size(); ++i) {
    auto json = ingest::StoredEventJson(page->stored[i]);
    if (!json.ok()) return Error(json.status());
    if (i) out += ',';
    out += *json;
  }
  out += "],\"next_cursor\":";
  if (page->next) {
    AppendJsonString(&out, std::to_string(page->next->timestamp_ms) + ":" + page->next->event_id);
  } else {
    out += "null";
  }
  out += '}';
  return HttpResponse::Json(200, std::move(out));
}

}  // namespace tailor::server::handlers
