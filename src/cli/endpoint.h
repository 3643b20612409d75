// Endpoint: where a CLI command sends its requests. With --url, over HTTP to a running
// server (with --key); otherwise in-process on a data directory (the server must not be
// running on it). Both paths go through the same route table and handlers.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "core/status.h"
#include "server/http_types.h"

namespace tailor::cli {

struct EndpointFlags {
  std::string url;        // http://host:port
  std::string key;        // API key for --url (default: $TAILOR_API_KEY)
  std::string data_dir;   // for offline use (default: ./tailor-data or $TAILOR_DATA_DIR)
  std::string settings;   // settings file for offline use

  // Adds --url, --key, --data-dir, --settings to `cmd`.
  void AddTo(CLI::App* cmd);
};

class Endpoint {
 public:
  virtual ~Endpoint() = default;
  // Sends one request; transport failures come back as a Status.
  virtual Result<server::HttpResponse> Call(server::Method method, const std::string& target,
                                            const std::string& body = {}) = 0;
  // "http://127.0.0.1:8080" or "data dir ./tailor-data".
  virtual std::string Describe() const = 0;
};

Result<std::unique_ptr<Endpoint>> OpenEndpoint(const EndpointFlags& flags);

// OpenEndpoint for commands: on failure prints "error: ..." to stderr and returns null.
std::unique_ptr<Endpoint> OpenEndpointOrReport(const EndpointFlags& flags);

// Follows the job of a 202 response (`started`, a job record) with a progress bar on
// stderr until it ends, polling GET /v1/jobs/{id}; the bar shows the job's stage. Prints
// the job's `result` (or the whole record when it has none) and returns 0 when it is
// done, 1 when it failed or was cancelled (its error on stderr). With `no_wait`, prints
// the job id and returns 0 at once.
int FollowJob(Endpoint& endpoint, const server::HttpResponse& started, const std::string& label,
              const std::string& unit, bool no_wait);

// Prints a response: the body (pretty JSON) on success, the error message on failure.
// Returns the process exit code: 0 for 2xx, 1 otherwise.
int PrintResponse(const Result<server::HttpResponse>& r);

}  // namespace tailor::cli
