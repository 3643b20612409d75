// HttpServer: the HTTP/1.1 transport (Boost.Beast, kept out of this header). It accepts
// connections, parses requests, routes them through the route table, authenticates the
// bearer key, runs the handler synchronously on an io thread, writes the response and
// records per-route metrics. Handlers never see sockets or Beast types.
//
// Wire behaviour:
//   * Keep-alive per HTTP/1.1 (HTTP/1.0 closes unless it asks for keep-alive). Requests on
//     one connection are handled strictly one after another, so pipelining is safe.
//   * Every error is JSON (server/status_mapping.h): 400 malformed request (connection
//     closed), 401/403 auth, 404 unknown path, 405 wrong method (with Allow), 413 body over
//     max_body_bytes (connection closed, server keeps serving), 500 when a handler throws
//     (logged; the server keeps serving).
//   * Headers: Content-Type, Content-Length, `Server: tailor`, Connection as needed.
//   * `Expect: 100-continue` is answered before the body is read (or 413 right away).
//
// Metrics (registered in the constructor):
//   tailor_http_requests_total{route,method,code}          counter
//   tailor_http_request_duration_seconds{route,method}     histogram, 100 µs .. 10 s
//   tailor_http_in_flight                                  gauge
// `route` is Route.name, or "unmatched" when no route matched. The histogram omits `code`
// to keep the series count (routes x methods x 17 buckets) bounded.
//
// Thread safety: Start, Shutdown, Wait and port may be called from any thread.
// Shutdown must not be called from a handler (it waits for handlers to finish).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "server/authenticator.h"
#include "server/http_types.h"

namespace tailor::server {

struct HttpServerOptions {
  // "host:port" to listen on. The host is an IP literal ("[::1]:8080" for IPv6),
  // "localhost" (127.0.0.1) or empty (":8080", all IPv4 interfaces). Port 0 picks a free
  // port (see HttpServer::port()).
  std::string listen = "127.0.0.1:8080";
  // Number of io threads. Handlers run on them, so this bounds concurrent requests.
  int threads = 2;
  // Largest accepted request body; larger ones get 413 and the connection is closed.
  size_t max_body_bytes = 8 << 20;
  // Time allowed to receive a request's body, and again to send its response (the
  // handler's own time does not count). Timeouts are checked by a periodic sweep, so one
  // fires up to a quarter of the shortest timeout (10 ms to 1 s) after it is due.
  int64_t request_timeout_ms = 30000;
  // Time a keep-alive connection may wait for the next request's headers before it is closed.
  int64_t idle_timeout_ms = 60000;
  // On Shutdown, how long in-flight requests may take before connections are force-closed.
  int64_t drain_timeout_ms = 10000;

  // Returns kInvalidArgument naming the field when a value is out of range or `listen`
  // cannot be parsed.
  Status Validate() const;
};

class HttpServer {
 public:
  // `authenticator`, `metrics` and `clock` must outlive the server. Routes are validated
  // by Start (Router::Create).
  HttpServer(HttpServerOptions options, std::vector<Route> routes, Authenticator& authenticator,
             Metrics& metrics, const Clock& clock);
  // Shuts down (gracefully) if still running.
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Validates options and routes, binds the listen address and starts the io threads.
  // Returns kInvalidArgument for bad options or routes, kUnavailable naming the address
  // when it cannot be bound (port in use, permission), kFailedPrecondition when called
  // twice or after Shutdown.
  Status Start();

  // The bound port (useful with port 0). REQUIRES: Start returned OK.
  uint16_t port() const;

  // Graceful shutdown: stops accepting, closes idle keep-alive connections, lets in-flight
  // requests finish (their responses carry `Connection: close`) for up to
  // drain_timeout_ms, then force-closes what is left and joins the io threads. Idempotent;
  // concurrent callers all return once shutdown is complete. Never call from a handler.
  void Shutdown();

  // Blocks until the server has shut down (by Shutdown or a signal). Returns at once if
  // Start was never called successfully.
  void Wait();

  // Registers `hook` to run once when shutdown begins (before draining), e.g. to make
  // readiness checks fail while in-flight requests finish. REQUIRES: before Start.
  void OnShutdownBegin(std::function<void()> hook);

  // Installs SIGTERM/SIGINT handling that triggers Shutdown on a background thread.
  // REQUIRES: Start returned OK.
  void ShutdownOnSignals();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tailor::server
