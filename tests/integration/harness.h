// Helpers shared by the integration tests: a real `tailor serve` child process on
// loopback, a JSON-aware API client on top of cli::HttpClient, and event builders.
//
// Thread safety: a TailorServer is driven from one thread; ApiClient is one per thread
// (like the HttpClient it wraps).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/http_client.h"
#include "core/json_doc.h"
#include "integration/process.h"
#include "testutil/testutil.h"

namespace tailor::integration {

// The admin key every test server is bootstrapped with (TAILOR_ADMIN_KEY, 32 chars).
inline constexpr char kAdminKey[] = "itest-admin-0123456789abcdefghij";

// The `tailor` binary under test (TAILOR_BINARY, set by CMake).
std::string TailorBinary();

// How long a server may take to print its URL (RocksDB open, config load).
inline constexpr std::chrono::seconds kStartTimeout{15};

class TailorServer {
 public:
  // Runs `tailor serve --data-dir DIR --listen 127.0.0.1:0 --log-level warn EXTRA...`
  // with TAILOR_ADMIN_KEY=kAdminKey and waits until it prints its URL. Fails with the
  // child's stderr when it exits or stays silent past kStartTimeout.
  static Result<std::unique_ptr<TailorServer>> Start(const std::string& data_dir,
                                                     const std::vector<std::string>& extra = {});

  // "http://127.0.0.1:PORT".
  const std::string& url() const { return url_; }
  ChildProcess& process() { return *child_; }

  // SIGKILL; returns the wait status.
  int Kill() { return child_->Kill(); }
  // SIGTERM and wait (up to `timeout`); nullopt when it did not exit in time.
  std::optional<int> Stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  std::unique_ptr<ChildProcess> child_;
  std::string url_;
};

// One HTTP response, with the body parsed when it is JSON.
struct Reply {
  int status = -1;       // -1: transport failure (message in body)
  std::string body;
  Json json;             // null unless the body parsed as JSON
  std::vector<std::pair<std::string, std::string>> headers;

  std::optional<std::string> Header(const std::string& name) const;
  // For assertion messages.
  std::string Describe() const { return std::to_string(status) + " " + body.substr(0, 2000); }
};

class ApiClient {
 public:
  // `key` may be empty (no Authorization header).
  ApiClient(const std::string& url, const std::string& key = kAdminKey);

  Reply Get(const std::string& target) { return Send(server::Method::kGet, target, ""); }
  Reply Post(const std::string& target, const std::string& body) {
    return Send(server::Method::kPost, target, body);
  }
  Reply Post(const std::string& target, const Json& body) { return Post(target, body.dump()); }
  Reply Delete(const std::string& target) { return Send(server::Method::kDelete, target, ""); }
  Reply Send(server::Method method, const std::string& target, const std::string& body);

 private:
  std::unique_ptr<cli::HttpClient> client_;
  std::string create_error_;
};

// Current wall-clock time in epoch ms (event timestamps must be near server time).
int64_t NowMs();

// One event object: {"event_id","type","user_id"|"anonymous_id","timestamp",...}.
// Empty ids are left out; `extra` members (an object) are merged in.
Json MakeEvent(const std::string& event_id, const std::string& type, const std::string& user_id,
               const std::string& anonymous_id = "", Json extra = Json::object());

// {"events":[...]}.
std::string BatchBody(const std::vector<Json>& events);

// Percent-encodes one path segment or query value.
std::string UrlEncode(std::string_view s);

// Every event id stored for the profile of `id` (paging through /v1/profiles/{id}/events
// with limit=1000). Appends to *ids; returns false (with the reply in *failure) on an
// unexpected response.
bool CollectEventIds(ApiClient& api, const std::string& id, std::vector<std::string>* ids,
                     Reply* failure);

// A test with a server on a fresh data directory, started by SetUp (Start again after a
// Stop or Kill to restart it on the same directory), and a client for it.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }
  void Start() {
    auto s = TailorServer::Start((dir_.path() / "data").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    api_ = std::make_unique<ApiClient>(server_->url());
  }

  testutil::TempDir dir_;
  std::unique_ptr<TailorServer> server_;
  std::unique_ptr<ApiClient> api_;
};

}  // namespace tailor::integration
