#include "storage/key_codec.h"

#include <gtest/gtest.h>

#include "storage/kv_store.h"

namespace tailor::storage {
namespace {

const std::string kPid = "01JDABCDEFGHJKMNPQRSTVWXYZ";

TEST(KeyCodec, EventKeysSortByTimeIncludingNegative) {
  std::string a = EventKey(kPid, -5, "e1");
  std::string b = EventKey(kPid, 0, "e0");
  std::string c = EventKey(kPid, 1795397896123, "e0");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  auto d = DecodeEventKey(c);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->pid, kPid);
  EXPECT_EQ(d->timestamp_ms, 1795397896123);
  EXPECT_EQ(d->event_id, "e0");
  EXPECT_EQ(DecodeEventKey(a)->timestamp_ms, -5);
  EXPECT_FALSE(DecodeEventKey("nope").has_value());
  for (int64_t ts : {int64_t{-5}, int64_t{0}, int64_t{1795397896123}}) {
    EXPECT_EQ(ProfilePrefix(kPid) + EventKeySuffix(ts, "e7"), EventKey(kPid, ts, "e7")) << ts;
  }
}

TEST(KeyCodec, AllProfileKeysShareThePrefix) {
  std::string prefix = ProfilePrefix(kPid);
  std::string end = PrefixEnd(prefix);
  for (const std::string& k : {EventKey(kPid, 1, "x"), EventKey(kPid, INT64_MAX, "\xff\xff"),
                               prefix}) {
    EXPECT_TRUE(k >= prefix && k < end);
  }
  EXPECT_FALSE(EventKey("01JDABCDEFGHJKMNPQRSTVWXZZ", 1, "x") < end);
}

TEST(KeyCodec, SegmentSizeKeysSortByTime) {
  std::string a = SegmentSizeKey("vip", -1), b = SegmentSizeKey("vip", 5), c = SegmentSizeKey("vip", 7);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(*DecodeSegmentSizeTime(b), 5);
  EXPECT_EQ(*DecodeSegmentSizeTime(a), -1);
  EXPECT_FALSE(DecodeSegmentSizeTime("vip").has_value());
  EXPECT_TRUE(SegmentSizeKey("vip", 1).starts_with(SegmentMemberPrefix("vip")));
  EXPECT_FALSE(SegmentSizeKey("vipx", 1).starts_with(SegmentMemberPrefix("vip")));
}

TEST(KeyCodec, PrefixEnd) {
  EXPECT_EQ(PrefixEnd("ab"), "ac");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(std::string("\xff\xff", 2)), "");
}

}  // namespace
}  // namespace tailor::storage
