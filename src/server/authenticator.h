// Authenticator: resolves the bearer key of a request to a Principal. The HTTP server
// calls it for every route whose scope is not kScopeNone; the implementation (API keys
// hashed in the store) lives in governance/ and is injected by app/.
//
// Thread safety: implementations must be safe for concurrent use; Authenticate runs on
// the server's io threads and should be fast (an in-memory lookup).
#pragma once

#include <string_view>

#include "core/status.h"
#include "server/http_types.h"

namespace tailor::server {

class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // Returns the principal owning `bearer_token` (the secret after "Bearer ").
  // An unknown, revoked or malformed key returns kUnauthenticated; other codes (for
  // example kUnavailable while keys load) are passed to the client unchanged. Checking
  // scopes is the server's job, not the authenticator's.
  virtual Result<Principal> Authenticate(std::string_view bearer_token) = 0;
};

}  // namespace tailor::server
