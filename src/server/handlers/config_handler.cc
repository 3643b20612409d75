#include "core/time_util.h"
#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"
#include "server/status_mapping.h"

namespace tailor::server::handlers {

namespace {

Json VersionJson(const config::ConfigSnapshot& c) {
  return {{"version", c.version}, {"digest", c.digest},
          {"applied_at", c.version ? Json(FormatIso8601(c.applied_at_ms)) : Json(nullptr)},
          {"applied_by", c.applied_by}};
}

HttpResponse Activated(Services& s, const config::ApplyResult& r) {
  if (r.changed) {
    if (Status st = s.activate(r.snapshot); !st.ok()) return Error(st);
  }
  Json out = VersionJson(*r.snapshot);
  out["changed"] = r.changed;
  return JsonOk(out);
}

Result<uint64_t> VersionParam(const HttpRequest& req, std::string_view name) {
  auto v = QueryInt(req, name, -1, 0, INT64_MAX);
  if (!v.ok()) return v.status();
  if (*v < 0) return InvalidArgument("required", std::string(name));
  return static_cast<uint64_t>(*v);
}

}  // namespace

HttpResponse ApplyConfig(Services& s, const HttpRequest& req) {
  auto body = BodyObject(req);
  if (!body.ok()) return Error(body.status());
  if (Status st = OnlyMembers(*body, {"files"}); !st.ok()) return Error(st);
  auto files = body->find("files");
  if (files == body->end() || !files->is_object()) {
    return Error(InvalidArgument("required: an object of file name -> YAML text", "files"));
  }
  config::ConfigFiles map;
  for (const auto& [name, text] : files->items()) {
    if (!text.is_string()) return Error(InvalidArgument("must be the file's text", "files." + name));
    map[name] = text.get<std::string>();
  }
  std::vector<config::ConfigError> errors;
  auto applied = s.configs->Apply(map, req.principal.key_id, s.clock->NowMs(), &errors);
  if (!applied.ok()) {
    HttpResponse r = Error(applied.status());
    if (!errors.empty()) {
      auto parsed = ParseJson(r.body);
      if (parsed.ok()) {
        Json list = Json::array();
        for (const auto& e : errors) {
          list.push_back({{"file", e.file}, {"line", e.line}, {"path", e.path}, {"message", e.message}});
        }
        (*parsed)["error"]["errors"] = list;
        r.body = parsed->dump();
      }
    }
    return r;
  }
  return Activated(s, *applied);
}

HttpResponse GetConfig(Services& s, const HttpRequest& req) {
  std::shared_ptr<const config::ConfigSnapshot> snap;
  if (req.Query("version")) {
    auto v = VersionParam(req, "version");
    if (!v.ok()) return Error(v.status());
    auto got = s.configs->Get(*v);
    if (!got.ok()) return Error(got.status());
    snap = *got;
  } else {
    snap = s.runtime()->config;
  }
  Json out = VersionJson(*snap);
  out["files"] = snap->files;
  return JsonOk(out);
}

HttpResponse ConfigVersions(Services& s, const HttpRequest& req) {
  auto limit = QueryInt(req, "limit", 50, 1, 1000);
  if (!limit.ok()) return Error(limit.status());
  auto history = s.configs->History(static_cast<size_t>(*limit));
  if (!history.ok()) return Error(history.status());
  Json list = Json::array();
  for (const auto& v : *history) {
    list.push_back({{"version", v.version}, {"digest", v.digest},
                    {"applied_at", FormatIso8601(v.applied_at_ms)}, {"applied_by", v.applied_by},
                    {"rollback_of", v.source_version ? Json(v.source_version) : Json(nullptr)},
                    {"comment", v.comment}});
  }
  return JsonOk({{"current", s.runtime()->config->version}, {"versions", list}});
}

HttpResponse ConfigDiff(Services& s, const HttpRequest& req) {
  auto from = VersionParam(req, "from");
  if (!from.ok()) return Error(from.status());
  uint64_t to_default = s.runtime()->config->version;
  auto to = req.Query("to") ? VersionParam(req, "to") : Result<uint64_t>(to_default);
  if (!to.ok()) return Error(to.status());
  auto diff = s.configs->Diff(*from, *to);
  if (!diff.ok()) return Error(diff.status());
  Json files = Json::array();
  for (const auto& f : diff->files) {
    Json lines = Json::array();
    for (const auto& l : f.lines) lines.push_back({{"op", std::string(1, l.op)}, {"line", l.line}, {"text", l.text}});
    const char* change = f.change == config::FileDiff::Change::kAdded     ? "added"
                         : f.change == config::FileDiff::Change::kRemoved ? "removed"
                                                                          : "changed";
    files.push_back({{"file", f.file}, {"change", change}, {"lines", lines}});
  }
  return JsonOk({{"from", diff->from_version}, {"to", diff->to_version}, {"files", files},
                 {"text", diff->ToText()}});
}

HttpResponse RollbackConfig(Services& s, const HttpRequest& req) {
  auto body = BodyObject(req);
  if (!body.ok()) return Error(body.status());
  if (Status st = OnlyMembers(*body, {"version"}); !st.ok()) return Error(st);
  auto v = body->find("version");
  if (v == body->end() || !v->is_number_unsigned()) {
    return Error(InvalidArgument("required: the version number to roll back to", "version"));
  }
  auto applied = s.configs->Rollback(v->get<uint64_t>(), req.principal.key_id, s.clock->NowMs());
  if (!applied.ok()) return Error(applied.status());
  return Activated(s, *applied);
}

}  // namespace tailor::server::handlers
