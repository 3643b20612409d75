// libFuzzer target for profile::EventView, the simdjson reader features use for event
// fields (event_view.h). The bytes are an event's `properties` text. When both the view
// and the JSON document (EventDocumentJson, the reference) accept it, every probed path
// must be present in both or neither, and a scalar must read back as the same JSON value.
// A mismatch traps: the view must never change what a feature computes.
//
//   cmake -DTAILOR_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; ./fuzz_event_view corpus/event_view
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "profile/event_view.h"
#include "profile/features.h"

namespace {

// Paths features typically read, plus odd ones (empty step, digits, nesting).
const std::vector<std::string>& Paths() {
  static const std::vector<std::string> kPaths = {
      "properties", "properties.price", "properties.page", "properties.a.b", "properties.a.b.c",
      "properties.0", "properties.items", "properties.", "properties.\xc3\xa9", "type",
      "timestamp", "session_id", "context", "context.channel"};
  return kPaths;
}

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> steps;
  size_t pos = 0;
  for (;;) {
    size_t dot = path.find('.', pos);
    steps.push_back(path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
    if (dot == std::string::npos) return steps;
    pos = dot + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tailor;
  static profile::EventView* view = new profile::EventView();  // reused, as in a batch
  std::string_view properties(reinterpret_cast<const char*>(data), size);
  if (!view->Reset("page_view", 1'795'000'000'000, "s1", properties, "", false)) return 0;
  Json doc = profile::EventDocumentJson("page_view", 1'795'000'000'000, "s1", properties, "", false);
  if (!doc.contains("properties")) return 0;  // the reference rejected the text: nothing to compare
  for (const std::string& path : Paths()) {
    condition::Node n = view->Field(Split(path));
    const Json* want = profile::LookupPath(doc, path);
    if (profile::EventView::Present(n) != (want != nullptr)) __builtin_trap();
    if (want == nullptr) continue;
    condition::ValueKind kind = view->Kind(n);
    if (kind == condition::ValueKind::kArray || kind == condition::ValueKind::kObject) continue;
    if (view->ToJson(n).dump() != want->dump()) __builtin_trap();
  }
  return 0;
}
