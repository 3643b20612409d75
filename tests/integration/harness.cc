#include "integration/harness.h"

#include <cctype>
#include <csignal>
#include <regex>

#include "core/clock.h"
#include "server/router.h"

namespace tailor::integration {

std::string TailorBinary() { return TAILOR_BINARY; }

Result<std::unique_ptr<TailorServer>> TailorServer::Start(const std::string& data_dir,
                                                          const std::vector<std::string>& extra) {
  SpawnOptions o;
  o.args = {TailorBinary(), "serve",       "--data-dir", data_dir, "--listen",
            "127.0.0.1:0",  "--log-level", "warn"};
  o.args.insert(o.args.end(), extra.begin(), extra.end());
  o.env["TAILOR_ADMIN_KEY"] = kAdminKey;
  TAILOR_ASSIGN_OR_RETURN(auto child, ChildProcess::Spawn(o));
  static const std::regex kUrl(R"(Tailor is serving .* at (http://127\.0\.0\.1:[0-9]+)\n)");
  std::smatch m;
  bool up = child->WaitForStdout(
      [&](const std::string& out) { return std::regex_search(out, kUrl); }, kStartTimeout);
  if (!up) {
    std::string err = child->Stderr();
    std::string out = child->Stdout();
    child->Kill();
    return Unavailable("tailor serve did not print its URL within " +
                       std::to_string(kStartTimeout.count()) + "s; stdout:\n" + out +
                       "\nstderr:\n" + child->Stderr());
  }
  std::string out = child->Stdout();
  std::regex_search(out, m, kUrl);
  auto server = std::unique_ptr<TailorServer>(new TailorServer());
  server->url_ = m[1].str();
  server->child_ = std::move(child);
  return server;
}

std::optional<int> TailorServer::Stop(std::chrono::milliseconds timeout) {
  child_->Signal(SIGTERM);
  return child_->Wait(timeout);
}

std::optional<std::string> Reply::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

ApiClient::ApiClient(const std::string& url, const std::string& key) {
  auto c = cli::HttpClient::Create(url, key);
  if (c.ok()) {
    client_ = std::move(c).value();
  } else {
    create_error_ = c.status().ToString();
  }
}

Reply ApiClient::Send(server::Method method, const std::string& target, const std::string& body) {
  Reply r;
  if (!client_) {
    r.body = create_error_;
    return r;
  }
  auto got = client_->Send(method, target, body);
  if (!got.ok()) {
    r.body = got.status().ToString();
    return r;
  }
  r.status = got->status;
  r.body = std::move(got->body);
  r.headers = std::move(got->headers);
  if (auto j = ParseJson(r.body); j.ok()) r.json = std::move(j).value();
  return r;
}

int64_t NowMs() { return SystemClock().NowMs(); }

Json MakeEvent(const std::string& event_id, const std::string& type, const std::string& user_id,
               const std::string& anonymous_id, Json extra) {
  Json e = {{"event_id", event_id}, {"type", type}, {"timestamp", NowMs()}};
  if (!user_id.empty()) e["user_id"] = user_id;
  if (!anonymous_id.empty()) e["anonymous_id"] = anonymous_id;
  for (auto& [k, v] : extra.items()) e[k] = v;
  return e;
}

std::string BatchBody(const std::vector<Json>& events) {
  Json body = {{"events", Json::array()}};
  for (const auto& e : events) body["events"].push_back(e);
  return body.dump();
}

std::string UrlEncode(std::string_view s) { return server::PercentEncode(s); }

bool CollectEventIds(ApiClient& api, const std::string& id, std::vector<std::string>* ids,
                     Reply* failure) {
  std::string cursor;
  for (int page = 0; page < 100'000; ++page) {
    std::string target = "/v1/profiles/" + UrlEncode(id) + "/events?limit=1000";
    if (!cursor.empty()) target += "&cursor=" + UrlEncode(cursor);
    Reply r = api.Get(target);
    if (r.status != 200 || !r.json.is_object() || !r.json["events"].is_array()) {
      *failure = std::move(r);
      return false;
    }
    for (const auto& e : r.json["events"]) ids->push_back(e.value("event_id", ""));
    if (!r.json["next_cursor"].is_string()) return true;
    std::string next = r.json["next_cursor"].get<std::string>();
    if (next == cursor) {  // a cursor that does not advance would loop forever
      failure->status = r.status;
      failure->body = "next_cursor did not advance: " + next;
      return false;
    }
    cursor = std::move(next);
  }
  failure->body = "too many pages";
  return false;
}

}  // namespace tailor::integration
