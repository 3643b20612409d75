#include "core/time_util.h"
#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"

namespace tailor::server::handlers {

namespace {

Json KeyJson(const governance::ApiKeyRecord& r) {
  return {{"id", r.id}, {"name", r.name}, {"scopes", r.scopes},
          {"created_at", FormatIso8601(r.created_at_ms)}, {"created_by", r.created_by}};
}

}  // namespace

HttpResponse CreateKey(Services& s, const HttpRequest& req) {
  auto body = BodyObject(req);
  if (!body.ok()) return Error(body.status());
  if (Status st = OnlyMembers(*body, {"name", "scopes"}); !st.ok()) return Error(st);
  auto name = body->find("name");
  if (name == body->end() || !name->is_string() || name->get<std::string>().empty() ||
      name->get<std::string>().size() > 200) {
    return Error(InvalidArgument("required: a non-empty string of at most 200 characters", "name"));
  }
  auto scopes = body->find("scopes");
  if (scopes == body->end() || !scopes->is_array() || scopes->empty()) {
    return Error(InvalidArgument("required: a non-empty array of scopes", "scopes"));
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < scopes->size(); ++i) {
    const Json& v = (*scopes)[i];
    if (!v.is_string() || !ParseScope(v.get<std::string>())) {
      std::string all;
      for (auto n : AllScopeNames()) all += (all.empty() ? "" : ", ") + std::string(n);
      return Error(InvalidArgument("unknown scope; use one of: " + all,
                                   "scopes[" + std::to_string(i) + "]"));
    }
    names.push_back(v.get<std::string>());
  }
  auto created = s.keys->Create(name->get<std::string>(), names, req.principal.key_id);
  if (!created.ok()) return Error(created.status());
  Json out = KeyJson(created->record);
  out["key"] = created->secret;
  out["note"] = "store this key now; it is not shown again";
  return JsonOk(out, 201);
}

HttpResponse ListKeys(Services& s, const HttpRequest&) {
  Json keys = Json::array();
  for (const auto& r : s.keys->List()) keys.push_back(KeyJson(r));
  return JsonOk({{"keys", keys}});
}

HttpResponse DeleteKey(Services& s, const HttpRequest& req) {
  const std::string& id = req.PathParam("id");
  if (Status st = s.keys->Delete(id); !st.ok()) return Error(st);
  return JsonOk({{"deleted", id}});
}

}  // namespace tailor::server::handlers
