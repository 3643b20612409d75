// ApiKeyStore: API keys with scopes, stored hashed. A key is shown once, at creation;
// the store keeps SHA-256(key) -> record, so a stolen data directory does not reveal
// usable keys. Scopes are plain strings here; the server maps them to its scope bits.
//
// Thread safety: safe for concurrent use. Authenticate() is served from an in-memory
// index (shared lock); Create/Delete take an exclusive lock and write through.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"
#include "storage/kv_store.h"

namespace tailor::governance {

struct ApiKeyRecord {
  std::string id;          // "key_" + 12 hex characters; safe to log
  std::string name;        // human label
  std::vector<std::string> scopes;
  int64_t created_at_ms = 0;
  std::string created_by;  // key id of the creator, or "bootstrap"
};

struct CreatedKey {
  ApiKeyRecord record;
  std::string secret;  // "tk_" + 48 hex characters; shown once
};

class ApiKeyStore {
 public:
  // Loads the existing keys into memory. `store`, `clock` and `random` must outlive this.
  static Result<std::unique_ptr<ApiKeyStore>> Open(storage::KvStore& store, const Clock& clock,
                                                   Random& random);

  // Creates a key. REQUIRES: scopes already validated by the caller.
  Result<CreatedKey> Create(std::string name, std::vector<std::string> scopes,
                            std::string created_by);

  // Stores a caller-chosen secret as a key (used once, for TAILOR_ADMIN_KEY).
  // Fails with kInvalidArgument when the secret is shorter than 16 characters.
  Result<ApiKeyRecord> Import(std::string_view secret, std::string name,
                              std::vector<std::string> scopes, std::string created_by);

  // If no key exists yet: stores `admin_secret` (when non-empty) or a generated secret as
  // an admin key and returns the secret to print once. Returns nullopt when keys exist.
  Result<std::optional<std::string>> Bootstrap(std::string_view admin_secret);

  // Returns the record for `secret`, or kUnauthenticated.
  Result<ApiKeyRecord> Authenticate(std::string_view secret) const;

  std::vector<ApiKeyRecord> List() const;

  // Deletes the key; kNotFound if unknown. Takes effect for the next request.
  Status Delete(std::string_view id);

  // Changes whenever a key is added or deleted: callers that cache Authenticate()
  // results drop them when it differs from the value they were cached under.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  ApiKeyStore(storage::KvStore& store, const Clock& clock, Random& random)
      : store_(store), clock_(clock), random_(random) {}
  Status Load();
  Result<ApiKeyRecord> Insert(std::string_view secret, std::string name,
                              std::vector<std::string> scopes, std::string created_by);

  storage::KvStore& store_;
  const Clock& clock_;
  Random& random_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, ApiKeyRecord> by_hash_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> generation_{0};  // bumped under mu_ by every change of by_hash_
};

}  // namespace tailor::governance
