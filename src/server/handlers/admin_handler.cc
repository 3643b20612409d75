#include <filesystem>

#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"

namespace tailor::server::handlers {

HttpResponse Backup(Services& s, const HttpRequest& req) {
  auto body = BodyObject(req);
  if (!body.ok()) return Error(body.status());
  if (Status st = OnlyMembers(*body, {"dir"}); !st.ok()) return Error(st);
  auto dir = body->find("dir");
  if (dir == body->end() || !dir->is_string() || dir->get<std::string>().empty()) {
    return Error(InvalidArgument("required: the directory to write the checkpoint to (must not exist)",
                                 "dir"));
  }
  std::string path = dir->get<std::string>();
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return Error(AlreadyExists("'" + path + "' exists; a backup needs a new directory", "dir"));
  }
  int64_t start = s.clock->MonotonicNs();
  if (Status st = s.store->Checkpoint(path); !st.ok()) return Error(st);
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(path, ec)) {
    if (e.is_regular_file(ec)) bytes += e.file_size(ec);
  }
  return JsonOk({{"dir", path},
                 {"bytes", bytes},
                 {"millis", (s.clock->MonotonicNs() - start) / 1'000'000},
                 {"restore", "stop tailor, then start it with --data-dir " + path}});
}

}  // namespace tailor::server::handlers
