// libFuzzer target: the interactions CSV/TSV reader of `tailor evaluate`. The first byte
// picks the column spec, separator and header option; the rest is the file. Reading must
// either fail with a Status that says why or succeed with accepted + bad == lines; a
// successful read must build Interactions and split both ways without crashing.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "core/random.h"
#include "recommenders/interactions_csv.h"
#include "recommenders/split.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  namespace rec = tailor::recommenders;
  static const char* kColumns[] = {"user,item",
                                   "user,item,weight",
                                   "user,item,rating,timestamp",
                                   "user,item,weight,timestamp",
                                   "timestamp,_,user,item",
                                   "user,event,item,timestamp",
                                   "user,item,bogus",
                                   "item"};
  static const char* kSeparators[] = {",", "\t", "::", ";"};
  rec::CsvOptions o;
  o.columns = kColumns[data[0] & 7];
  o.separator = kSeparators[(data[0] >> 3) & 3];
  o.header = (data[0] >> 5) & 1;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  rec::RawInteractions raw;
  rec::CsvReport report;
  tailor::Status st = rec::ReadInteractionsCsv(in, o, &raw, &report);
  if (!st.ok()) {
    if (st.message().empty()) __builtin_trap();  // errors must say why
    return 0;
  }
  if (report.accepted + report.bad != report.lines || report.accepted != raw.rows.size())
    __builtin_trap();
  rec::InteractionOptions io;
  io.binary = (data[0] >> 6) & 1;
  auto m = rec::Interactions::Build(raw, io);
  if (!m.ok()) return 0;  // e.g. every weight filtered out
  if (m->nnz() == 0 || m->nnz() > raw.rows.size()) __builtin_trap();
  tailor::SeededRandom random(1);
  for (auto kind : {rec::SplitSpec::Kind::kStratified, rec::SplitSpec::Kind::kTemporal}) {
    auto split = rec::SplitInteractions(raw, {kind, 0.5}, random);
    if (split.ok() && split->train.rows.size() + split->test.rows.size() != raw.rows.size())
      __builtin_trap();
  }
  return 0;
}
