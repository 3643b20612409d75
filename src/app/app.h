// App: the composition root. Builds the real clock, random source, store and services
// from Settings, loads the active configuration and wires the HTTP routes. Nothing
// below app/ constructs a concrete service (STYLE.md rule 3).
//
// Thread safety: Open/Serve are called from one thread; the services it owns are
// thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/settings.h"
#include "core/status.h"
#include "server/http_types.h"

namespace tailor::app {

class App {
 public:
  // Opens the data directory (creating it on first use) and loads the stored config.
  // On first use, creates the admin key from TAILOR_ADMIN_KEY or generates one; see
  // bootstrap_key(). Fails when the data dir is locked by another process.
  static Result<std::unique_ptr<App>> Open(const Settings& settings);
  ~App();

  // The admin key created by this Open (first use of the data dir only).
  const std::optional<std::string>& bootstrap_key() const;

  // Applies the config directory (if it differs from the active version).
  // Returns a description: "config version 3 (unchanged)".
  Result<std::string> ApplyConfigDir(const std::string& dir, const std::string& by);

  // Runs the HTTP server until SIGTERM/SIGINT, then drains and flushes. `on_listening`
  // is called once with the bound port.
  Status Serve(const std::function<void(uint16_t port)>& on_listening);

  // Dispatches a request in-process through the route table as an admin principal
  // (offline CLI commands).
  server::HttpResponse Call(server::Method method, std::string target, std::string body = {});

  // True when the store holds no profiles yet (for the demo loader).
  bool Empty();

  // Flushes the store (also done by the destructor).
  Status Flush();

 private:
  struct Impl;
  explicit App(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tailor::app
