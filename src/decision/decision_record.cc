#include "decision/decision_record.h"

#include <cstring>

#include "core/ids.h"
#include "core/time_util.h"
#include "core/varint.h"

namespace tailor::decision {

namespace {

// Record flags.
constexpr uint8_t kCached = 1, kImpressions = 2, kConsented = 4, kHasShadow = 8,
                  kShadowDiffers = 16;
// Answer flags.
constexpr uint8_t kServed = 1, kFallback = 2, kPersonalized = 4, kHasPropensity = 8;
constexpr uint8_t kMaxAction = static_cast<uint8_t>(ActionKind::kRecommend);
constexpr uint8_t kMaxOutcome = static_cast<uint8_t>(RuleOutcome::kFailed);

// Writes a record into memory sized beforehand (AppendRecordV2 reserves an upper bound
// once): a record is ~30 small fields, and appending each to a std::string cost a call
// and a capacity check apiece (~7 % of a decision's CPU).
class Cursor {
 public:
  explicit Cursor(char* p) : p_(p) {}
  void Byte(uint8_t b) { *p_++ = static_cast<char>(b); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      *p_++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }
  void Bytes(const void* data, size_t n) {
    if (n != 0) std::memcpy(p_, data, n);
    p_ += n;
  }
  void String(std::string_view s) {
    Varint(s.size());
    Bytes(s.data(), s.size());
  }
  char* pos() const { return p_; }

 private:
  char* p_;
};

// Upper bounds of what Cursor writes.
constexpr size_t kMaxVarint = 10;
size_t StringBound(std::string_view s) { return kMaxVarint + s.size(); }

// An answer's value as JSON ("" for null), encoded before the record is sized.
void EncodeValue(const Answer& a, std::string* out) {
  out->clear();
  if (!a.value.is_null()) AppendJsonValue(out, a.value);
}

size_t AnswerBound(const Answer& a, std::string_view value) {
  size_t n = 2 + StringBound(a.rule) + StringBound(a.campaign) + StringBound(a.content) +
             StringBound(a.variant) + StringBound(a.reason) + StringBound(a.version) +
             StringBound(value) + 8 + kMaxVarint;
  for (const TraceEntry& t : a.trace) n += 1 + StringBound(t.rule) + StringBound(t.detail);
  return n;
}

// `value` is the answer's value from EncodeValue.
void PutAnswer(Cursor* out, const Answer& a, std::string_view value) {
  uint8_t flags = (a.served ? kServed : 0) | (a.fallback ? kFallback : 0) |
                  (a.personalized ? kPersonalized : 0) |
                  (a.propensity != 1.0 ? kHasPropensity : 0);
  out->Byte(flags);
  out->Byte(static_cast<uint8_t>(a.action));
  out->String(a.rule);
  out->String(a.campaign);
  out->String(a.content);
  out->String(a.variant);
  out->String(a.reason);
  out->String(a.version);
  out->String(value);  // "" (length 0) for null
  if (flags & kHasPropensity) {
    out->Bytes(&a.propensity, 8);  // little-endian hosts only (x86-64, arm64)
  }
  out->Varint(a.trace.size());
  for (const TraceEntry& t : a.trace) {
    out->Byte(static_cast<uint8_t>(t.outcome));
    out->String(t.rule);
    out->String(t.detail);
  }
}

// Reads a version-2 record body; every getter fails (returns false) past the end.
using Reader = ByteReader;

Status Damaged() { return Corruption("damaged decision record"); }

Json StringOrNull(std::string_view s) { return s.empty() ? Json(nullptr) : Json(std::string(s)); }

// Sets the members of answer `a` (the shape AppendAnswer of version 1 wrote).
Status GetAnswer(Reader& r, Json* out) {
  Json& o = *out;
  uint8_t flags, action;
  std::string_view rule, campaign, content, variant, reason, version, value;
  if (!r.Byte(&flags) || !r.Byte(&action) || action > kMaxAction || !r.String(&rule) ||
      !r.String(&campaign) || !r.String(&content) || !r.String(&variant) ||
      !r.String(&reason) || !r.String(&version) || !r.String(&value)) {
    return Damaged();
  }
  o["rule"] = StringOrNull(rule);
  if (!campaign.empty()) o["campaign"] = std::string(campaign);
  o["action"] = std::string(ActionKindName(static_cast<ActionKind>(action)));
  o["content"] = StringOrNull(content);
  if (!variant.empty()) o["variant"] = std::string(variant);
  if (!value.empty()) {
    auto parsed = ParseJson(value);
    if (!parsed.ok()) return Damaged();
    o["value"] = std::move(parsed).value();
  }
  o["served"] = (flags & kServed) != 0;
  o["fallback"] = (flags & kFallback) != 0;
  o["personalized"] = (flags & kPersonalized) != 0;
  if (!reason.empty()) o["reason"] = std::string(reason);
  double propensity = 1.0;
  if (flags & kHasPropensity) {
    std::string_view bytes;
    if (!r.Bytes(8, &bytes)) return Damaged();
    std::memcpy(&propensity, bytes.data(), 8);
  }
  o["propensity"] = propensity;
  if (!version.empty()) o["action_version"] = std::string(version);
  uint64_t n;
  if (!r.Varint(&n)) return Damaged();
  Json trace = Json::array();
  for (uint64_t i = 0; i < n; ++i) {
    uint8_t outcome;
    std::string_view t_rule, detail;
    if (!r.Byte(&outcome) || outcome > kMaxOutcome || !r.String(&t_rule) || !r.String(&detail))
      return Damaged();
    Json t = {{"rule", std::string(t_rule)},
              {"result", std::string(RuleOutcomeName(static_cast<RuleOutcome>(outcome)))}};
    if (!detail.empty()) t["detail"] = std::string(detail);
    trace.push_back(std::move(t));
  }
  o["trace"] = std::move(trace);
  return Status::OK();
}

Result<Json> DecodeV2(std::string_view record) {
  Reader r(record.substr(kDecisionIdSize));
  std::string_view id = record.substr(0, kDecisionIdSize);
  uint64_t at_delta, config_version, latency_us;
  uint8_t flags;
  std::string_view pid, snapshot_id, user_id, anonymous_id, placement, context;
  if (!r.Varint(&at_delta) || !r.Varint(&config_version) || !r.Varint(&latency_us) ||
      !r.Byte(&flags) || !r.String(&pid) || !r.String(&snapshot_id) || !r.String(&user_id) ||
      !r.String(&anonymous_id) || !r.String(&placement) || !r.String(&context)) {
    return Damaged();
  }
  Json o = Json::object();
  o["decision_id"] = std::string(id);
  int64_t at_ms = UlidTimeMs(id) - UnZigZag(at_delta);
  o["at"] = FormatIso8601(at_ms);
  o["at_ms"] = at_ms;
  o["profile_id"] = StringOrNull(pid);
  if (!user_id.empty()) o["user_id"] = std::string(user_id);
  if (!anonymous_id.empty()) o["anonymous_id"] = std::string(anonymous_id);
  o["placement"] = std::string(placement);
  o["config_version"] = config_version;
  if (context.empty()) {
    o["context"] = Json::object();
  } else {
    auto parsed = ParseJson(context);
    if (!parsed.ok()) return Damaged();
    o["context"] = std::move(parsed).value();
  }
  o["snapshot_id"] = StringOrNull(snapshot_id);
  TAILOR_RETURN_IF_ERROR(GetAnswer(r, &o));
  if (flags & kHasShadow) {
    Json shadow = Json::object();
    TAILOR_RETURN_IF_ERROR(GetAnswer(r, &shadow));
    shadow["differs"] = (flags & kShadowDiffers) != 0;
    o["shadow"] = std::move(shadow);
  }
  o["cached"] = (flags & kCached) != 0;
  o["impressions_recorded"] = (flags & kImpressions) != 0;
  o["consented"] = (flags & kConsented) != 0;
  o["latency_us"] = latency_us;
  if (!r.done()) return Damaged();
  return o;
}

}  // namespace

void AppendRecordV2(std::string* out, std::string_view id, const PendingDecision& d) {
  static const Answer kNoAnswer;
  const Answer& answer = d.answer ? *d.answer : kNoAnswer;
  thread_local std::string value, shadow_value;
  EncodeValue(answer, &value);
  if (d.shadow != nullptr) EncodeValue(*d.shadow, &shadow_value);
  std::string_view pid = d.view ? std::string_view(d.view->pid) : std::string_view();
  std::string_view view_id = d.view ? std::string_view(d.view->id) : std::string_view();
  size_t bound = id.size() + 3 * kMaxVarint + 1 + StringBound(pid) + StringBound(view_id) +
                 StringBound(d.user_id) + StringBound(d.anonymous_id) + StringBound(d.placement) +
                 StringBound(d.context_json) + d.context_tail.size() + AnswerBound(answer, value) +
                 (d.shadow != nullptr ? AnswerBound(*d.shadow, shadow_value) : 0);
  // The length prefix is patched in once the record is written: one byte for records
  // under 128 bytes, else the record moves up by the extra bytes (rare: most are longer,
  // so reserve two and shrink when one suffices).
  size_t start = out->size();
  out->resize(start + 2 + bound);
  char* body = out->data() + start + 2;
  Cursor c(body);
  c.Bytes(id.data(), id.size());
  c.Varint(ZigZag(UlidTimeMs(id) - d.at_ms));
  c.Varint(d.config_version);
  c.Varint(static_cast<uint64_t>(std::max<int64_t>(0, d.latency_us)));
  bool differs = false;
  if (d.shadow != nullptr) {
    // Differs when it would have served something else (rule names of the two rule
    // sets may differ for the same answer).
    differs = d.shadow->content != answer.content || d.shadow->value != answer.value ||
              d.shadow->served != answer.served;
  }
  uint8_t flags = (d.cached ? kCached : 0) | (d.impressions_recorded ? kImpressions : 0) |
                  (d.consented ? kConsented : 0) | (d.shadow ? kHasShadow : 0) |
                  (differs ? kShadowDiffers : 0);
  c.Byte(flags);
  c.String(pid);
  c.String(view_id);
  c.String(d.user_id);
  c.String(d.anonymous_id);
  c.String(d.placement);
  c.Varint(d.context_json.size() + d.context_tail.size());
  c.Bytes(d.context_json.data(), d.context_json.size());
  c.Bytes(d.context_tail.data(), d.context_tail.size());
  PutAnswer(&c, answer, value);
  if (d.shadow != nullptr) PutAnswer(&c, *d.shadow, shadow_value);
  size_t len = static_cast<size_t>(c.pos() - body);
  out->resize(start + 2 + len);
  if (len < (1u << 14)) {
    // Two-byte varint (or one byte, then the body moves down by one).
    if (len < 0x80) {
      (*out)[start] = static_cast<char>(len);
      out->erase(start + 1, 1);
    } else {
      (*out)[start] = static_cast<char>((len & 0x7F) | 0x80);
      (*out)[start + 1] = static_cast<char>(len >> 7);
    }
  } else {
    std::string prefix;
    PutVarint(&prefix, len);
    out->replace(start, 2, prefix);
  }
}

size_t LeadingRecords(std::string_view records, size_t max_records,
                      std::string_view* first_id) {
  Reader r(records);
  for (size_t n = 0; n < max_records && !r.done(); ++n) {
    uint64_t len = 0;
    std::string_view body;
    r.Varint(&len);
    r.Bytes(len, &body);
    if (n == 0) *first_id = body.substr(0, kDecisionIdSize);
  }
  return records.size() - r.remaining();
}

SegmentReader::SegmentReader(std::string_view segment) : rest_(segment) {
  if (!rest_.empty() && rest_.front() == kSegmentV2) {
    v2_ = true;
    rest_.remove_prefix(1);
  }
}

bool SegmentReader::Next() {
  while (!rest_.empty()) {
    if (v2_) {
      Reader r(rest_);
      uint64_t len;
      std::string_view body;
      if (!r.Varint(&len)) break;
      size_t prefix = rest_.size() - r.remaining();
      if (len < kDecisionIdSize || r.remaining() < len) break;
      body = rest_.substr(prefix, len);
      rest_.remove_prefix(prefix + len);
      record_ = body;
      id_ = body.substr(0, kDecisionIdSize);
      return true;
    }
    // Version 1: {"decision_id":"<26 chars>" opens every line.
    size_t end = rest_.find('\n');
    std::string_view line = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + 1);
    constexpr size_t kIdAt = 16;
    if (line.size() < kIdAt + kDecisionIdSize) continue;
    record_ = line;
    id_ = line.substr(kIdAt, kDecisionIdSize);
    return true;
  }
  rest_ = {};
  record_ = id_ = {};
  return false;
}

Result<Json> SegmentReader::Decode() const {
  if (v2_) return DecodeV2(record_);
  auto parsed = ParseJson(record_);
  if (!parsed.ok() || !parsed->is_object()) return Damaged();
  return parsed;
}

}  // namespace tailor::decision
