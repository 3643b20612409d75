// A small synchronous HTTP/1.1 client with keep-alive (Boost.Beast), for CLI commands
// that talk to a running server. Beast stays in http_client.cc.
//
// Thread safety: one client per thread.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "server/http_types.h"

namespace tailor::cli {

class HttpClient {
 public:
  // `url` is "http://host:port" (a trailing path is ignored). `bearer` may be empty.
  static Result<std::unique_ptr<HttpClient>> Create(const std::string& url, std::string bearer);
  ~HttpClient();

  // Sends one request, reconnecting once if the kept-alive connection was closed.
  Result<server::HttpResponse> Send(server::Method method, const std::string& target,
                                    const std::string& body);

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tailor::cli
