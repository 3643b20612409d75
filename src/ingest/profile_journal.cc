#include "ingest/profile_journal.h"

#include <algorithm>

#include "storage/key_codec.h"

namespace tailor::ingest {

namespace {

// kMeta key holding the next sequence number (8 bytes, big-endian).
constexpr std::string_view kNextSeqKey = "profile_journal_next_seq";

// Little-endian fixed-width integers.
template <class T>
void PutLE(std::string* out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

template <class T>
bool GetLE(std::string_view* in, T* v) {
  if (in->size() < sizeof(T)) return false;
  *v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) *v |= static_cast<T>(static_cast<uint8_t>((*in)[i])) << (8 * i);
  in->remove_prefix(sizeof(T));
  return true;
}

void PutU32(std::string* out, uint32_t v) { PutLE(out, v); }
bool GetU32(std::string_view* in, uint32_t* v) { return GetLE(in, v); }

void PutBytes(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

// Where a change's pid length would be: the dedup section follows (no pid is that long).
constexpr uint32_t kDedupMarker = 0xffffffff;

bool GetBytes(std::string_view* in, std::string* out) {
  uint32_t n = 0;
  if (!GetU32(in, &n) || in->size() < n) return false;
  out->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

}  // namespace

// Layout: per change, u32 pid length, pid, u32 event count, then per event u32 length and
// the event-key suffix; then, when the batch journals dedup records, u32 0xffffffff,
// u64 received_ms, u32 record count and per record u32 length + event id, u32 length +
// pid (all little-endian). Hand-written: it is a few loops, and the value is read only
// by recovery.
std::string EncodeJournalEntry(const std::vector<ProfileJournal::Change>& changes,
                               int64_t received_ms,
                               const std::vector<DedupRecord>& dedup) {
  std::string out;
  for (const auto& c : changes) {
    PutBytes(&out, c.pid);
    PutU32(&out, static_cast<uint32_t>(c.event_suffixes.size()));
    for (const auto& s : c.event_suffixes) PutBytes(&out, s);
  }
  if (!dedup.empty()) {
    PutU32(&out, kDedupMarker);
    PutLE(&out, static_cast<uint64_t>(received_ms));
    PutU32(&out, static_cast<uint32_t>(dedup.size()));
    for (const auto& d : dedup) {
      PutBytes(&out, d.event_id);
      PutBytes(&out, d.pid);
    }
  }
  return out;
}

Result<JournalEntry> DecodeJournalEntry(std::string_view value) {
  JournalEntry out;
  auto malformed = [] { return Corruption("malformed profile journal entry"); };
  while (!value.empty()) {
    std::string_view peek = value;
    uint32_t marker = 0;
    if (GetU32(&peek, &marker) && marker == kDedupMarker) {
      uint64_t received = 0;
      uint32_t n = 0;
      if (!GetLE(&peek, &received) || !GetU32(&peek, &n)) return malformed();
      out.received_ms = static_cast<int64_t>(received);
      out.dedup.resize(std::min<size_t>(n, peek.size() / 8));
      if (out.dedup.size() != n) return malformed();
      for (auto& [id, pid] : out.dedup) {
        if (!GetBytes(&peek, &id) || !GetBytes(&peek, &pid)) return malformed();
      }
      if (!peek.empty()) return malformed();  // the dedup section comes last
      break;
    }
    ProfileJournal::Change c;
    uint32_t n = 0;
    if (!GetBytes(&value, &c.pid) || !GetU32(&value, &n)) return malformed();
    c.event_suffixes.resize(std::min<size_t>(n, value.size() / 4));
    if (c.event_suffixes.size() != n) return malformed();
    for (auto& s : c.event_suffixes) {
      if (!GetBytes(&value, &s)) return malformed();
    }
    out.changes.push_back(std::move(c));
  }
  return out;
}

Status ProfileJournal::Open() {
  uint64_t next = 1;
  TAILOR_ASSIGN_OR_RETURN(auto stored, store_.Get(storage::Keyspace::kMeta, kNextSeqKey));
  if (stored) {
    auto seq = storage::DecodeJournalKey(*stored);
    if (!seq) return Corruption("malformed " + std::string(kNextSeqKey));
    next = std::max(next, *seq);
  }
  auto it = store_.NewIterator(storage::Keyspace::kProfileJournal, "", "");
  it->SeekToLast();
  if (it->Valid()) {
    auto last = storage::DecodeJournalKey(it->key());
    if (!last) return Corruption("malformed profile journal key");
    next = std::max(next, *last + 1);
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  std::lock_guard<std::mutex> lock(mu_);
  next_ = next;
  return Status::OK();
}

uint64_t ProfileJournal::Begin() {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t seq = next_++;
  in_flight_.insert(seq);
  return seq;
}

void ProfileJournal::End(uint64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = in_flight_.find(seq); it != in_flight_.end()) in_flight_.erase(it);
}

void ProfileJournal::Stage(uint64_t seq, const std::vector<Change>& changes, int64_t received_ms,
                           const std::vector<DedupRecord>& dedup, storage::WriteBatch* wb) {
  wb->Put(storage::Keyspace::kProfileJournal, storage::JournalKey(seq),
          EncodeJournalEntry(changes, received_ms, dedup));
}

uint64_t ProfileJournal::InFlightFloor() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_.empty() ? next_ : *in_flight_.begin();
}

uint64_t ProfileJournal::next_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_;
}

Status ProfileJournal::Truncate(uint64_t floor) {
  storage::WriteBatch wb;
  if (floor > 1) {
    wb.DeleteRange(storage::Keyspace::kProfileJournal, storage::JournalKey(0),
                   storage::JournalKey(floor));
  }
  wb.Put(storage::Keyspace::kMeta, std::string(kNextSeqKey), storage::JournalKey(next_seq()));
  return store_.Write(wb, storage::WriteOptions{});
}

Status ProfileJournal::ForEachEntry(const std::function<Status(uint64_t, JournalEntry&)>& fn) const {
  auto it = store_.NewIterator(storage::Keyspace::kProfileJournal, "", "");
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto seq = storage::DecodeJournalKey(it->key());
    if (!seq) return Corruption("malformed profile journal key");
    TAILOR_ASSIGN_OR_RETURN(JournalEntry entry, DecodeJournalEntry(it->value()));
    TAILOR_RETURN_IF_ERROR(fn(*seq, entry));
  }
  return it->status();
}

Status ProfileJournal::Scan(const std::function<Status(uint64_t, Change&)>& fn) const {
  return ForEachEntry([&](uint64_t seq, JournalEntry& entry) {
    for (Change& c : entry.changes) TAILOR_RETURN_IF_ERROR(fn(seq, c));
    return Status::OK();
  });
}

}  // namespace tailor::ingest
