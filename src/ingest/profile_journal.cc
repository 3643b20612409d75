#include "ingest/profile_journal.h"

#include <algorithm>

#include "storage/key_codec.h"

namespace tailor::ingest {

namespace {

// kMeta key holding the next sequence number (8 bytes, big-endian).
constexpr std::string_view kNextSeqKey = "profile_journal_next_seq";

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

bool GetU32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i) *v |= static_cast<uint32_t>(static_cast<uint8_t>((*in)[i])) << (8 * i);
  in->remove_prefix(4);
  return true;
}

bool GetBytes(std::string_view* in, std::string* out) {
  uint32_t n = 0;
  if (!GetU32(in, &n) || in->size() < n) return false;
  out->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

}  // namespace

// Layout: per change, u32 pid length, pid, u32 event count, then per event u32 length and
// the event-key suffix (all little-endian). Hand-written: it is four loops, and the value
// is read only by recovery.
std::string EncodeJournalEntry(const std::vector<ProfileJournal::Change>& changes) {
  std::string out;
  for (const auto& c : changes) {
    PutU32(&out, static_cast<uint32_t>(c.pid.size()));
    out += c.pid;
    PutU32(&out, static_cast<uint32_t>(c.event_suffixes.size()));
    for (const auto& s : c.event_suffixes) {
      PutU32(&out, static_cast<uint32_t>(s.size()));
      out += s;
    }
  }
  return out;
}

Result<std::vector<ProfileJournal::Change>> DecodeJournalEntry(std::string_view value) {
  std::vector<ProfileJournal::Change> out;
  while (!value.empty()) {
    ProfileJournal::Change c;
    uint32_t n = 0;
    if (!GetBytes(&value, &c.pid) || !GetU32(&value, &n)) {
      return Corruption("malformed profile journal entry");
    }
    c.event_suffixes.resize(std::min<size_t>(n, value.size() / 4));
    if (c.event_suffixes.size() != n) return Corruption("malformed profile journal entry");
    for (auto& s : c.event_suffixes) {
      if (!GetBytes(&value, &s)) return Corruption("malformed profile journal entry");
    }
    out.push_back(std::move(c));
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

void ProfileJournal::Stage(uint64_t seq, const std::vector<Change>& changes,
                           storage::WriteBatch* wb) {
  wb->Put(storage::Keyspace::kProfileJournal, storage::JournalKey(seq), EncodeJournalEntry(changes));
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

Status ProfileJournal::Scan(const std::function<Status(uint64_t, Change&)>& fn) const {
  auto it = store_.NewIterator(storage::Keyspace::kProfileJournal, "", "");
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto seq = storage::DecodeJournalKey(it->key());
    if (!seq) return Corruption("malformed profile journal key");
    TAILOR_ASSIGN_OR_RETURN(auto changes, DecodeJournalEntry(it->value()));
    for (Change& c : changes) TAILOR_RETURN_IF_ERROR(fn(*seq, c));
  }
  return it->status();
}

}  // namespace tailor::ingest
