#include "recommenders/interactions.h"

#include <gtest/gtest.h>

#include <sstream>

#include "recommenders/interactions_csv.h"
#include "testutil/testutil.h"

namespace tailor::recommenders {
namespace {

Result<RawInteractions> ReadCsv(const std::string& text, const CsvOptions& o, CsvReport* report) {
  std::istringstream in(text);
  RawInteractions raw;
  TAILOR_RETURN_IF_ERROR(ReadInteractionsCsv(in, o, &raw, report));
  return raw;
}

TEST(Interactions, MergesRepeatsAndBuildsBothOrientations) {
  RawInteractions raw;
  raw.has_timestamps = true;
  raw.Add("u1", "a", 1, 30);
  raw.Add("u1", "b", 2, 10);
  raw.Add("u2", "a", 4, 5);
  raw.Add("u1", "a", 3, 20);  // repeat of (u1, a): summed, latest timestamp kept
  auto m = Interactions::Build(raw, {});
  ASSERT_OK(m);
  EXPECT_EQ(m->num_users(), 2u);
  EXPECT_EQ(m->num_items(), 2u);
  EXPECT_EQ(m->nnz(), 3u);
  // u1's row in time order: b (10) then a (30).
  ASSERT_EQ(m->UserItems(0).size(), 2u);
  EXPECT_EQ(m->items().Id(m->UserItems(0)[0]), "b");
  EXPECT_EQ(m->items().Id(m->UserItems(0)[1]), "a");
  EXPECT_FLOAT_EQ(m->UserWeights(0)[1], 4.0f);
  EXPECT_EQ(m->UserTimes(0)[1], 30);
  // Item a: users 0 and 1 in index order.
  ASSERT_EQ(m->ItemUsers(0).size(), 2u);
  EXPECT_EQ(m->ItemUsers(0)[0], 0u);
  EXPECT_EQ(m->ItemUsers(0)[1], 1u);
  EXPECT_FLOAT_EQ(m->ItemWeights(0)[1], 4.0f);
  EXPECT_EQ(m->max_timestamp(), 30);
}

TEST(Interactions, BinaryDecayAndMinValue) {
  RawInteractions raw;
  raw.has_timestamps = true;
  raw.Add("u", "old", 5, 0);
  raw.Add("u", "new", 5, 86400);
  raw.Add("u", "low", 1, 86400);
  InteractionOptions o;
  o.decay_half_life_seconds = 86400;
  o.min_value = 2;
  auto m = Interactions::Build(raw, o);
  ASSERT_OK(m);
  EXPECT_EQ(m->nnz(), 2u);
  EXPECT_FLOAT_EQ(m->UserWeights(0)[0], 2.5f);  // one half-life old
  EXPECT_FLOAT_EQ(m->UserWeights(0)[1], 5.0f);
  EXPECT_FLOAT_EQ(m->UserValues(0)[0], 5.0f);  // the raw rating is kept
  o.binary = true;
  o.decay_half_life_seconds = 0;
  m = Interactions::Build(raw, o);
  ASSERT_OK(m);
  EXPECT_FLOAT_EQ(m->UserWeights(0)[0], 1.0f);
}

TEST(Interactions, EmptyTrainingSetIsAClearError) {
  RawInteractions raw;
  auto m = Interactions::Build(raw, {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("empty training set"), std::string::npos);
  raw.Add("u", "i", 1, 0);
  InteractionOptions o;
  o.min_value = 3;
  EXPECT_FALSE(Interactions::Build(raw, o).ok());
  o.min_value = -1e300;
  o.decay_half_life_seconds = -1;
  EXPECT_FALSE(Interactions::Build(raw, o).ok());
}

TEST(InteractionsCsv, ReadsTabSeparatedMovieLensRows) {
  CsvOptions o;
  o.columns = "user,item,rating,timestamp";
  o.separator = "\t";
  CsvReport r;
  auto raw =
      ReadCsv("196\t242\t3\t881250949\n186\t302\t3\t891717742\r\n\n22\t377\t1\t878887116\n", o, &r);
  ASSERT_OK(raw);
  EXPECT_EQ(r.lines, 3u);
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_EQ(r.bad, 0u);
  ASSERT_EQ(raw->rows.size(), 3u);
  EXPECT_EQ(raw->users->Id(raw->rows[2].user), "22");
  EXPECT_FLOAT_EQ(raw->rows[0].value, 3.0f);
  EXPECT_EQ(raw->rows[1].timestamp, 891717742);
  EXPECT_TRUE(raw->has_timestamps);
}

TEST(InteractionsCsv, DoubleColonSeparatorAndHeader) {
  CsvOptions o;
  o.columns = "user,item,weight,_";
  o.separator = "::";
  o.header = true;
  CsvReport r;
  auto raw = ReadCsv(
      "UserID::MovieID::Rating::Timestamp\n1::1193::5::978300760\n1::661::3::978302109\n", o, &r);
  ASSERT_OK(raw);
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(raw->items->Id(raw->rows[0].item), "1193");
  EXPECT_FALSE(raw->has_timestamps);
}

TEST(InteractionsCsv, BadRowsAreCountedWithLineNumbers) {
  CsvOptions o;
  o.columns = "user,item,weight,timestamp";
  o.max_reported_errors = 3;
  CsvReport r;
  auto raw = ReadCsv(
      "u1,i1,1,100\n"
      "u2,i2\n"              // line 2: too few fields
      "u3,i3,abc,100\n"      // line 3: weight
      "u4,i4,1,yesterday\n"  // line 4: timestamp
      ",i5,1,100\n"          // line 5: empty user
      "u6,i6,2.5,1e3\n",
      o, &r);
  ASSERT_OK(raw);
  EXPECT_EQ(r.lines, 6u);
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.bad, 4u);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0], "line 2: expected 4 fields, found 2");
  EXPECT_EQ(r.errors[1], "line 3: weight is not a finite number: 'abc'");
  EXPECT_EQ(r.errors[2], "line 4: timestamp is not an integer: 'yesterday'");
  EXPECT_EQ(raw->rows[1].timestamp, 1000);
}

TEST(InteractionsCsv, AllRowsBadIsFatal) {
  CsvOptions o;
  o.columns = "user,item,weight";
  CsvReport r;
  auto raw = ReadCsv("a,b,x\nc,d,y\n", o, &r);
  ASSERT_FALSE(raw.ok());
  EXPECT_NE(raw.status().message().find("every row is malformed (2 bad rows)"), std::string::npos);
  EXPECT_NE(raw.status().message().find("line 1:"), std::string::npos);
  CsvReport r2;
  EXPECT_FALSE(ReadCsv("", o, &r2).ok());
}

TEST(InteractionsCsv, EventColumnUsesConfiguredWeights) {
  CsvOptions o;
  o.columns = "user,event,item";
  o.interaction.event_weights["wishlist"] = 2;
  CsvReport r;
  auto raw = ReadCsv("u,view,a\nu,purchase,b\nu,wishlist,c\nu,refund,d\n", o, &r);
  ASSERT_OK(raw);
  ASSERT_EQ(raw->rows.size(), 3u);
  EXPECT_FLOAT_EQ(raw->rows[0].value, 1.0f);
  EXPECT_FLOAT_EQ(raw->rows[1].value, 5.0f);
  EXPECT_FLOAT_EQ(raw->rows[2].value, 2.0f);
  EXPECT_EQ(r.errors.at(0), "line 4: unknown event type 'refund'");
}

TEST(InteractionsCsv, InvalidColumnSpecs) {
  CsvReport r;
  for (const char* cols :
       {"user", "item,weight", "user,item,user", "user,item,price", "user,item,weight,event"}) {
    CsvOptions o;
    o.columns = cols;
    auto raw = ReadCsv("a,b,1,1\n", o, &r);
    EXPECT_FALSE(raw.ok()) << cols;
    EXPECT_EQ(raw.status().path(), "columns") << cols;
  }
}

TEST(InteractionsCsv, ParseSeparator) {
  EXPECT_EQ(ParseSeparator("TAB").value(), "\t");
  EXPECT_EQ(ParseSeparator("\\t").value(), "\t");
  EXPECT_EQ(ParseSeparator("::").value(), "::");
  EXPECT_EQ(ParseSeparator(",").value(), ",");
  EXPECT_FALSE(ParseSeparator("").ok());
}

}  // namespace
}  // namespace tailor::recommenders
