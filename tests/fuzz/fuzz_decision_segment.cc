// libFuzzer target for the stored decision-log segment reader (decision_record.h): the
// bytes are a `decisions` value as read back from the store, of either version (a
// leading 0x02 is a binary segment). Every record must either decode or fail with a
// Status; nothing may crash, throw, read out of bounds or hang.
//
//   cmake -DTAILOR_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; ./fuzz_decision_segment corpus/decision_segment
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decision/decision_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tailor::decision::SegmentReader reader(std::string_view(reinterpret_cast<const char*>(data), size));
  size_t records = 0;
  while (reader.Next()) {
    if (++records > size + 1) __builtin_trap();  // each record consumes at least one byte
    (void)reader.id().size();
    auto json = reader.Decode();
    if (json.ok()) (void)json->dump();
  }
  return 0;
}
