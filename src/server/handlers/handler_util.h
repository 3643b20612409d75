// Helpers shared by handlers: decoding JSON bodies and query parameters into typed
// values with errors that name the parameter, and encoding responses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_doc.h"
#include "core/status.h"
#include "server/http_types.h"

namespace tailor::server {

// Parses the body as a JSON object; errors say what was expected.
Result<Json> BodyObject(const HttpRequest& req);

// Integer query parameter in [min, max]; `fallback` when absent.
Result<int64_t> QueryInt(const HttpRequest& req, std::string_view name, int64_t fallback,
                         int64_t min, int64_t max);

// A time query parameter: ISO 8601 or epoch ms. nullopt when absent.
Result<std::optional<int64_t>> QueryTime(const HttpRequest& req, std::string_view name);

// Rejects members of `body` not in `allowed` with kInvalidArgument naming the member.
Status OnlyMembers(const Json& body, std::initializer_list<std::string_view> allowed);

HttpResponse JsonOk(const Json& body, int status = 200);

// Response for a non-OK status (status_mapping.h), also for Result errors.
HttpResponse Error(const Status& status);

// 200 with the body, or the error response.
HttpResponse JsonOrError(const Result<Json>& body);

}  // namespace tailor::server
