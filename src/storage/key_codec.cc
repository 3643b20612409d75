#include "storage/key_codec.h"

namespace tailor::storage {

namespace {

// Times in keys: 8 bytes big-endian with the sign bit flipped, so byte order is time order.
void AppendBigEndianTime(std::string* out, int64_t ms) {
  uint64_t v = static_cast<uint64_t>(ms) ^ (uint64_t{1} << 63);
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// REQUIRES: bytes.size() >= 8.
int64_t ReadBigEndianTime(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return static_cast<int64_t>(v ^ (uint64_t{1} << 63));
}

}  // namespace

std::string DecisionOutcomeKey(std::string_view decision_id, std::string_view event_id) {
  std::string out;
  out.reserve(decision_id.size() + 1 + event_id.size());
  out.append(decision_id);
  out.push_back('\0');
  out.append(event_id);
  return out;
}

namespace {

// "{pid}" onto *out, reserving `more` bytes beyond it so the caller's appends fit.
void AppendProfilePrefix(std::string* out, std::string_view pid, size_t more) {
  out->reserve(out->size() + pid.size() + 2 + more);
  out->push_back('{');
  out->append(pid);
  out->push_back('}');
}

// An event key's part after the prefix: the time, then the event id.
void AppendEventKeySuffix(std::string* out, int64_t timestamp_ms, std::string_view event_id) {
  AppendBigEndianTime(out, timestamp_ms);
  out->append(event_id);
}

}  // namespace

std::string ProfilePrefix(std::string_view pid) {
  std::string out;
  AppendProfilePrefix(&out, pid, 0);
  return out;
}

std::string EventKey(std::string_view pid, int64_t timestamp_ms, std::string_view event_id) {
  std::string out;
  AppendProfilePrefix(&out, pid, 8 + event_id.size());  // one allocation
  AppendEventKeySuffix(&out, timestamp_ms, event_id);
  return out;
}

std::string EventKeySuffix(int64_t timestamp_ms, std::string_view event_id) {
  std::string out;
  out.reserve(8 + event_id.size());
  AppendEventKeySuffix(&out, timestamp_ms, event_id);
  return out;
}

std::string EventKeyLowerBound(std::string_view pid, int64_t timestamp_ms) {
  std::string out = ProfilePrefix(pid);
  AppendBigEndianTime(&out, timestamp_ms);
  return out;
}

std::optional<DecodedEventKey> DecodeEventKey(std::string_view key) {
  size_t close = key.find('}');
  if (key.empty() || key[0] != '{' || close == std::string_view::npos ||
      key.size() < close + 1 + 8) {
    return std::nullopt;
  }
  DecodedEventKey d;
  d.pid = key.substr(1, close - 1);
  d.timestamp_ms = ReadBigEndianTime(key.substr(close + 1));
  d.event_id = key.substr(close + 9);
  return d;
}

std::string IdentityKey(char kind, std::string_view external_id) {
  std::string out;
  out.reserve(external_id.size() + 2);
  out.push_back(kind);
  out.push_back(':');
  out.append(external_id);
  return out;
}

std::string SegmentMemberKey(std::string_view segment, std::string_view pid) {
  std::string out = SegmentMemberPrefix(segment);
  out.append(pid);
  return out;
}

std::string SegmentMemberPrefix(std::string_view segment) {
  std::string out(segment);
  out.push_back('\0');
  return out;
}

std::string SegmentSizeKey(std::string_view segment, int64_t at_ms) {
  std::string out = SegmentMemberPrefix(segment);
  AppendBigEndianTime(&out, at_ms);
  return out;
}

std::optional<int64_t> DecodeSegmentSizeTime(std::string_view key) {
  size_t zero = key.find('\0');
  if (zero == std::string_view::npos || key.size() != zero + 9) return std::nullopt;
  return ReadBigEndianTime(key.substr(zero + 1));
}

std::string JournalKey(uint64_t seq) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((seq >> (8 * (7 - i))) & 0xff);
  return out;
}

std::optional<uint64_t> DecodeJournalKey(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  uint64_t seq = 0;
  for (char c : key) seq = (seq << 8) | static_cast<uint8_t>(c);
  return seq;
}

}  // namespace tailor::storage
