// THE route table: every HTTP route Tailor serves, with its method, path, required
// scope and handler (STYLE.md rule 7). docs/http-api.md documents each row.
#pragma once

#include <vector>

#include "server/http_types.h"
#include "server/services.h"

namespace tailor::server {

// The routes bound to `services`, which must outlive the returned handlers.
std::vector<Route> BuildRoutes(Services& services);

}  // namespace tailor::server
