#include "storage/store_options.h"

#include <string>

namespace tailor::storage {

Status StoreOptions::Validate() const {
  for (size_t i = 0; i < ttl_ms.size(); ++i) {
    if (ttl_ms[i] < 0) {
      return InvalidArgument("retention must not be negative", std::string(kKeyspaces[i].name));
    }
    if (ttl_ms[i] > 0 && !kKeyspaces[i].expires) {
      return InvalidArgument("keyspace does not support retention",
                             std::string(kKeyspaces[i].name));
    }
  }
  if (background_jobs < 1) return InvalidArgument("background_jobs must be >= 1");
  return Status::OK();
}

}  // namespace tailor::storage
