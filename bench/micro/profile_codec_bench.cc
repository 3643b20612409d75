// Stored-form codec of a typical profile: 10 computed features (every FeatureState
// shape), 5 segment memberships, a few traits and consents. EncodeProfile runs for every
// changed profile on every ingest batch; DecodeProfile on profile cache misses.
// Linked with benchmark_main.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "profile/profile.h"

namespace tailor::profile {
namespace {

constexpr int64_t kNow = 1795397896123;  // 2026-11-23T01:38:16.123Z

Profile TypicalProfile() {
  Profile p;
  p.id = "01JDABCDEFGHJKMNPQRSTVWXY1";
  p.user_ids = {"user-4711"};
  p.anonymous_ids = {"anon-7f3a9c2e-0001", "anon-7f3a9c2e-0002"};
  p.traits_json =
      R"({"plan":"pro","name":"Zoë Ødegård","email":"zoe@example.com","age":34,)"
      R"("address":{"city":"Oslo","zip":"0150"},"tags":["vip","beta"],"newsletter":true})";
  p.consents["analytics"] = {true, kNow - 86400000, "banner"};
  p.consents["marketing"] = {false, kNow - 3600000, "settings page"};
  p.first_seen_ms = kNow - 30LL * 86400000;
  p.last_seen_ms = kNow;
  p.created_at_ms = kNow - 30LL * 86400000 + 17;
  p.updated_at_ms = kNow + 5;
  p.event_count = 1234;
  p.session_count = 56;
  p.session_id = "01JDSESSION0000000000000001";
  p.session_start_ms = kNow - 600000;
  p.session_last_ms = kNow;
  p.version = 1234;
  for (int f = 0; f < 10; ++f) {
    FeatureState st;
    st.spec_digest = "d" + std::to_string(f) + "a1b2c3d4e5f6";
    switch (f % 5) {
      case 0:  // windowed count/sum: a handful of buckets
        for (int b = 0; b < 8; ++b) {
          st.buckets.push_back(
              Bucket{kNow - (8 - b) * 60000, 1.0 + b, 49.9 * (b + 1), 9.99, 129.5 + b * 0.1});
        }
        break;
      case 1:  // decayed score / decayed_top
        st.score = 3.14159265358979;
        st.ref_ms = kNow;
        st.top = {{"shoes", 2.718281828}, {"shirts", 1.4142135}, {"hats", 0.5772156649}};
        break;
      case 2:  // distinct / negative
        st.items = {{"SKU-123", kNow - 5000}, {"SKU-987", kNow - 4000}, {"SKU-555", kNow}};
        break;
      case 3:  // first / last
        st.seen = true;
        st.first = Json("web");
        st.first_ms = kNow - 30LL * 86400000;
        st.last = Json{{"channel", "app"}, {"v", 3}};
        st.last_ms = kNow;
        break;
      case 4:  // sessions
        for (int s = 0; s < 4; ++s) {
          st.sessions.push_back(SessionStat{"sess-" + std::to_string(s), kNow - (4 - s) * 900000,
                                            kNow - (4 - s) * 900000 + 300000,
                                            static_cast<uint32_t>(3 + s)});
        }
        st.bad_field = 2;
        break;
    }
    p.features["feature_" + std::to_string(f)] = std::move(st);
  }
  for (int s = 0; s < 5; ++s) p.segments["segment_" + std::to_string(s)] = kNow - s * 1000;
  return p;
}

void BM_EncodeProfile(benchmark::State& state) {
  const Profile p = TypicalProfile();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = EncodeProfile(p);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeProfile);

void BM_DecodeProfile(benchmark::State& state) {
  const std::string stored = EncodeProfile(TypicalProfile());
  for (auto _ : state) {
    Result<Profile> p = DecodeProfile(stored);
    if (!p.ok()) std::abort();
    benchmark::DoNotOptimize(p);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(stored.size()));
}
BENCHMARK(BM_DecodeProfile);

}  // namespace
}  // namespace tailor::profile
