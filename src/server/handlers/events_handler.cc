#include "core/json_util.h"
#include "ingest/event_codec.h"
#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"
#include "server/status_mapping.h"

namespace tailor::server::handlers {

namespace {

// Hand-encoded: this is the hottest response, and it is small and fixed in shape.
std::string EncodeOutcome(const ingest::IngestOutcome& o) {
  std::string out = "{\"accepted\":" + std::to_string(o.accepted) +
                    ",\"duplicates\":" + std::to_string(o.duplicates) + ",\"rejected\":[";
  for (size_t i = 0; i < o.rejected.size(); ++i) {
    const auto& r = o.rejected[i];
    if (i) out += ',';
    out += "{\"index\":" + std::to_string(r.index) + ",\"event_id\":";
    if (r.event_id.empty()) {
      out += "null";
    } else {
      AppendJsonString(&out, r.event_id);
    }
    out += ",\"error\":";
    AppendErrorObject(&out, r.error);
    out += '}';
  }
  out += "],\"dropped\":{\"sampled\":" + std::to_string(o.sampled_out) +
         ",\"no_consent\":" + std::to_string(o.consent_dropped) + "}}";
  return out;
}

}  // namespace

HttpResponse PostEvents(Services& s, const HttpRequest& req) {
  auto rt = s.runtime();
  std::string body = req.body;
  auto batch = ingest::DecodeBatchInPlace(&body, rt->ingest->decode, s.clock->NowMs());
  if (!batch.ok()) return Error(batch.status());
  size_t n = batch->events.size() + batch->errors.size();
  if (auto wait = s.rate_limiter->Admit(rt->config->rate_limits, req.principal.key_id,
                                        static_cast<double>(n))) {
    HttpResponse r = Error(ResourceExhausted(
        "rate limit of API key " + req.principal.key_id + " exceeded; retry after " +
        std::to_string((*wait + 999) / 1000) + "s or raise rate_limits in the config"));
    for (auto& h : r.headers) {
      if (h.first == "Retry-After") h.second = std::to_string((*wait + 999) / 1000);
    }
    return r;
  }
  auto outcome = s.pipeline->Ingest(std::move(batch).value(), *rt->ingest, req.principal.key_id);
  if (!outcome.ok()) return Error(outcome.status());
  return HttpResponse::Json(200, EncodeOutcome(*outcome));
}

HttpResponse ListDeadLetters(Services& s, const HttpRequest& req) {
  auto limit = QueryInt(req, "limit", 100, 1, 1000);
  if (!limit.ok()) return Error(limit.status());
  std::string after(req.Query("after").value_or(""));
  auto letters = s.pipeline->dead_letters().List(static_cast<size_t>(*limit), after);
  if (!letters.ok()) return Error(letters.status());
  std::string out = "{\"dead_letters\":[";
  for (size_t i = 0; i < letters->size(); ++i) {
    if (i) out += ',';
    out += ingest::DeadLetterToJson((*letters)[i]);
  }
  out += "],\"next_after\":";
  if (letters->size() == static_cast<size_t>(*limit)) {
    AppendJsonString(&out, letters->back().id);
  } else {
    out += "null";
  }
  out += '}';
  return HttpResponse::Json(200, std::move(out));
}

HttpResponse ReplayDeadLetters(Services& s, const HttpRequest& req) {
  Json body = Json::object();
  if (!req.body.empty()) {
    auto parsed = BodyObject(req);
    if (!parsed.ok()) return Error(parsed.status());
    body = std::move(parsed).value();
  }
  if (Status st = OnlyMembers(body, {"ids", "limit"}); !st.ok()) return Error(st);
  std::vector<std::string> ids;
  if (auto it = body.find("ids"); it != body.end()) {
    if (!it->is_array()) return Error(InvalidArgument("must be an array of dead-letter ids", "ids"));
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) {
        return Error(InvalidArgument("must be a string", "ids[" + std::to_string(i) + "]"));
      }
      ids.push_back((*it)[i].get<std::string>());
    }
  }
  int64_t limit = 1000;
  if (auto it = body.find("limit"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 10000) {
      return Error(InvalidArgument("must be an integer between 1 and 10000", "limit"));
    }
    limit = it->get<int64_t>();
  }
  auto rt = s.runtime();
  auto out = s.pipeline->ReplayDeadLetters(ids, static_cast<size_t>(limit), *rt->ingest);
  if (!out.ok()) return Error(out.status());
  return JsonOk({{"replayed", out->replayed},
                 {"still_failing", out->still_failing},
                 {"duplicates", out->duplicates},
                 {"removed_sampled_out", out->sampled_out},
                 {"removed_without_consent", out->consent_dropped}});
}

}  // namespace tailor::server::handlers
