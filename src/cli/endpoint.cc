#include "cli/endpoint.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "app/app.h"
#include "app/settings.h"
#include "cli/http_client.h"
#include "cli/progress.h"
#include "core/json_doc.h"

namespace tailor::cli {

void EndpointFlags::AddTo(CLI::App* cmd) {
  cmd->add_option("--url", url, "URL of a running server, e.g. http://127.0.0.1:8080")
      ->envname("TAILOR_URL");
  cmd->add_option("--key", key, "API key for --url")->envname("TAILOR_API_KEY");
  cmd->add_option("--data-dir", data_dir,
                  "Work directly on this data directory (server must be stopped)")
      ->envname("TAILOR_DATA_DIR");
  cmd->add_option("--settings", settings, "Settings file (YAML) for --data-dir use");
}

namespace {

class HttpEndpoint final : public Endpoint {
 public:
  HttpEndpoint(std::string url, std::unique_ptr<HttpClient> client)
      : url_(std::move(url)), client_(std::move(client)) {}
  Result<server::HttpResponse> Call(server::Method m, const std::string& target,
                                    const std::string& body) override {
    return client_->Send(m, target, body);
  }
  std::string Describe() const override { return url_; }

 private:
  std::string url_;
  std::unique_ptr<HttpClient> client_;
};

class LocalEndpoint final : public Endpoint {
 public:
  LocalEndpoint(std::string dir, std::unique_ptr<app::App> app)
      : dir_(std::move(dir)), app_(std::move(app)) {}
  Result<server::HttpResponse> Call(server::Method m, const std::string& target,
                                    const std::string& body) override {
    return app_->Call(m, target, body);
  }
  std::string Describe() const override { return "data dir " + dir_; }

 private:
  std::string dir_;
  std::unique_ptr<app::App> app_;
};

}  // namespace

Result<std::unique_ptr<Endpoint>> OpenEndpoint(const EndpointFlags& flags) {
  if (!flags.url.empty()) {
    if (flags.key.empty()) {
      return InvalidArgument("--url needs an API key: pass --key or set TAILOR_API_KEY");
    }
    TAILOR_ASSIGN_OR_RETURN(auto client, HttpClient::Create(flags.url, flags.key));
    return std::unique_ptr<Endpoint>(std::make_unique<HttpEndpoint>(flags.url, std::move(client)));
  }
  std::map<std::string, std::string> overrides;
  if (!flags.data_dir.empty()) overrides["data_dir"] = flags.data_dir;
  TAILOR_ASSIGN_OR_RETURN(app::Settings settings, app::ResolveSettings(flags.settings, overrides));
  settings.log_level = "warn";
  auto opened = app::App::Open(settings);
  if (!opened.ok()) {
    return Status(opened.status().code(),
                  opened.status().message() +
                      "\nhint: to talk to a running server, pass --url and --key");
  }
  if (const auto& key = (*opened)->bootstrap_key()) {
    std::cerr << "Created data directory " << settings.data_dir << "; admin API key: " << *key
              << " (shown once)\n";
  }
  return std::unique_ptr<Endpoint>(
      std::make_unique<LocalEndpoint>(settings.data_dir, std::move(opened).value()));
}

std::unique_ptr<Endpoint> OpenEndpointOrReport(const EndpointFlags& flags) {
  auto endpoint = OpenEndpoint(flags);
  if (!endpoint.ok()) {
    std::cerr << "error: " << endpoint.status().message() << "\n";
    return nullptr;
  }
  return std::move(endpoint).value();
}

int FollowJob(Endpoint& endpoint, const server::HttpResponse& started, const std::string& label,
              const std::string& unit, bool no_wait) {
  auto job = ParseJson(started.body);
  if (!job.ok() || !job->contains("id")) {
    std::cerr << "error: not a job record: " << started.body << "\n";
    return 1;
  }
  const std::string id = (*job)["id"].get<std::string>();
  if (no_wait) {
    std::cout << id << "\n";
    return 0;
  }
  ProgressBar bar(label, (*job).value("total", uint64_t{0}), unit);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto poll = endpoint.Call(server::Method::kGet, "/v1/jobs/" + id);
    if (!poll.ok() || poll->status != 200) return PrintResponse(poll);
    auto j = ParseJson(poll->body);
    if (!j.ok()) return PrintResponse(poll);
    const std::string state = j->value("state", "");
    const std::string stage = j->value("stage", "");
    if (state == "done" || state == "failed" || state == "cancelled") {
      bar.Finish(state);
      if (state != "done") {
        std::cerr << "error: job " << id << " " << state << ": " << j->value("error", "") << "\n";
        return 1;
      }
      std::cout << (j->contains("result") ? (*j)["result"].dump(2) : j->dump(2)) << "\n";
      return 0;
    }
    bar.Update(j->value("done", uint64_t{0}), stage.empty() ? state : stage);
  }
}

int PrintResponse(const Result<server::HttpResponse>& r) {
  if (!r.ok()) {
    std::cerr << "error: " << r.status().message() << "\n";
    return 1;
  }
  bool ok = r->status >= 200 && r->status < 300;
  auto parsed = ParseJson(r->body);
  if (!ok) {
    if (parsed.ok() && parsed->contains("error")) {
      const Json& e = (*parsed)["error"];
      std::cerr << "error (" << r->status << " " << e.value("code", "") << "): "
                << e.value("message", "");
      if (e.contains("path") && e["path"].is_string()) std::cerr << " [at " << e["path"].get<std::string>() << "]";
      std::cerr << "\n";
      if (e.contains("errors")) {
        for (const auto& x : e["errors"]) {
          std::cerr << "  " << x.value("file", "") << ":" << x.value("line", 0) << ": "
                    << x.value("path", "") << ": " << x.value("message", "") << "\n";
        }
      }
    } else {
      std::cerr << "error (" << r->status << "): " << r->body << "\n";
    }
    return 1;
  }
  std::cout << (parsed.ok() ? parsed->dump(2) : r->body) << "\n";
  return 0;
}

}  // namespace tailor::cli
