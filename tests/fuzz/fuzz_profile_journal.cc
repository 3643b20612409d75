// libFuzzer target for the profile journal entry decoder (ingest/profile_journal.h): the
// bytes are a `profile_journal` value as read back from the store, with or without the
// dedup section. It must decode or fail with kCorruption; nothing may crash, throw, read
// out of bounds or allocate beyond the input's size. A decoded entry re-encodes to the
// same bytes.
//
//   cmake -DTAILOR_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; ./fuzz_profile_journal corpus/profile_journal
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/profile_journal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto entry = tailor::ingest::DecodeJournalEntry(in);
  if (!entry.ok()) return 0;
  std::vector<tailor::ingest::DedupRecord> dedup;
  for (const auto& [id, pid] : entry->dedup) dedup.push_back({id, pid});
  // Re-encoding gives the input back, but for a dedup section without records, which the
  // encoder leaves out (u32 marker, u64 time, u32 count 0 at the end).
  const std::string again = tailor::ingest::EncodeJournalEntry(entry->changes, entry->received_ms, dedup);
  if (again != in && !(dedup.empty() && in.size() == again.size() + 16 && in.substr(0, again.size()) == again)) {
    __builtin_trap();
  }
  return 0;
}
