#include "common/event_gen.h"

#include <cstring>

#include "common/bench_schemas.h"
#include "core/time_util.h"

namespace tailor::bench {

BatchTemplate::BatchTemplate(const EventGenOptions& options, int stream, std::mt19937_64& rng)
    : random_ids_(options.random_ids) {
  std::uniform_int_distribution<int> user_dist(0, std::max(options.users, 1) - 1);
  // Each user's clock (or delivery delay) is off by its own fixed amount of up to one
  // second: users differ, but one user's events keep their order, as from one device.
  auto jitter_ms = [](int user) {
    return static_cast<int>(((static_cast<uint64_t>(user) * 0x9E3779B97F4A7C15ULL) >> 32) % 1000);
  };
  const std::string prefix = options.run_id + "-" + std::to_string(stream) + "-";
  const std::string zeros(kBatchDigits, '0');
  body_ = R"({"events":[)";
  for (int k = 0; k < options.batch_size; ++k) {
    if (k > 0) body_ += ',';
    const int user_number = user_dist(rng);
    const std::string user = std::to_string(user_number);
    jitter_ms_.push_back(jitter_ms(user_number));
    const std::string ts = FormatIso8601(options.now_ms - jitter_ms_.back());
    body_ += R"({"event_id":")" + prefix;
    stamp_offsets_.push_back(body_.size());
    body_ += zeros + "-" + std::to_string(k) + R"(",)";
    if (k % 2 == 0) {
      body_ += R"("type":"purchase","user_id":"user-)" + user + R"(","timestamp":")";
      time_offsets_.push_back(body_.size());
      body_ += ts +
               R"(","context":{"channel":"web","page":{"url":"https://shop.example/checkout"}},)"
               R"("properties":{"order_id":"o-)" + user + "-" + std::to_string(k) +
               R"(","price":49.9,"currency":"EUR","items":[{"sku":"SKU-123","qty":2},{"sku":"SKU-987","qty":1}]}})";
    } else {
      body_ += R"("type":"page_view","user_id":"user-)" + user + R"(","anonymous_id":"anon-)" +
               user + R"(","timestamp":")";
      time_offsets_.push_back(body_.size());
      body_ += ts +
               R"(","context":{"channel":"web","locale":"de-DE"},)"
               R"("properties":{"page":"/products/sku-)" + std::to_string(k) +
               R"(","referrer":"https://search.example/?q=shoes","scroll_pct":40}})";
    }
  }
  body_ += "]}";
}

namespace {

constexpr uint64_t kBatchModulus = 10'000'000'000;  // 10^kBatchDigits

void WriteDigits(uint64_t v, char* out) {
  for (int i = kBatchDigits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

// A bijection of [0, 10^10): multiplying by a number coprime to 10 (odd, not a multiple
// of 5) modulo 10^10 permutes the residues, so distinct inputs keep distinct outputs,
// while consecutive inputs land far apart.
uint64_t Scramble(uint64_t v) {
  constexpr unsigned __int128 kMultiplier = 6'364'136'223'846'793ULL;
  constexpr unsigned __int128 kIncrement = 1'442'695'040'888'963ULL;
  return static_cast<uint64_t>((v % kBatchModulus * kMultiplier + kIncrement) % kBatchModulus);
}

}  // namespace

const std::string& BatchTemplate::Stamp(uint64_t batch, int64_t now_ms) {
  char digits[kBatchDigits];
  if (random_ids_) {
    // Each event its own number: batch * events + k is distinct per (batch, k) below
    // 10^10 / events batches, and the event's "-<k>" suffix keeps ids distinct anyway.
    for (size_t k = 0; k < stamp_offsets_.size(); ++k) {
      WriteDigits(Scramble(batch * stamp_offsets_.size() + k), digits);
      std::memcpy(body_.data() + stamp_offsets_[k], digits, kBatchDigits);
    }
  } else {
    WriteDigits(batch, digits);
    for (size_t offset : stamp_offsets_) std::memcpy(body_.data() + offset, digits, kBatchDigits);
  }
  if (now_ms > 0) {
    for (size_t k = 0; k < time_offsets_.size(); ++k) {
      // FormatIso8601 always writes 24 characters for years 0-9999, like the template's.
      const std::string ts = FormatIso8601(now_ms - jitter_ms_[k]);
      std::memcpy(body_.data() + time_offsets_[k], ts.data(), ts.size());
    }
  }
  return body_;
}

std::map<std::string, std::string> BenchSchemas() {
  return {{"purchase", kPurchaseSchema}, {"page_view", kPageViewSchema}};
}

std::string BenchConfigFile() {
  return std::string(R"({"events":{"schemas":{"purchase":)") + kPurchaseSchema +
         R"(,"page_view":)" + kPageViewSchema + "}}}\n";
}

}  // namespace tailor::bench
