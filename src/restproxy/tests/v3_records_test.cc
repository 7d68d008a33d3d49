#include "restproxy/v3_records.h"

#include <gtest/gtest.h>

namespace tributary::restproxy {
namespace {

const v3_record& record_at(const std::vector<v3_entry>& entries, std::size_t i) {
  return std::get<v3_record>(entries.at(i));
}

TEST(V3Records, OneRecordWithEveryField) {
  auto entries = parse_v3_records(R"({"partition_id":1,
     "headers":[{"name":"Header-1","value":"SGVhZGVyLTE="}],
     "key":{"type":"BINARY","data":"Zm9vYmFy"},
     "value":{"type":"JSON","data":{"foo":"bar"}},
     "timestamp":"2021-02-05T19:14:42Z"})");
  ASSERT_EQ(entries.size(), 1u);
  const auto& r = record_at(entries, 0);
  EXPECT_EQ(r.record.partition, 1);
  EXPECT_EQ(r.record.headers, (std::vector<log::header>{{"Header-1", "Header-1"}}));
  EXPECT_EQ(r.record.key, "foobar");
  EXPECT_EQ(r.record.value, R"({"foo":"bar"})");
  EXPECT_EQ(r.record.timestamp, 1612552482000);
  EXPECT_EQ(r.key_type, "BINARY");
  EXPECT_EQ(r.value_type, "JSON");
  EXPECT_EQ(r.key_size, 6u);
  EXPECT_EQ(r.value_size, 13u);
}

TEST(V3Records, ConcatenatedObjectsEachGetAnEntry) {
  auto entries = parse_v3_records(
      "{\"value\":{\"type\":\"STRING\",\"data\":\"a\"}}\n{\"value\":{\"type\":\"BINARY\",\"data\":1}} "
      "{\"value\":{\"data\":[1,2]}}\r\n");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(record_at(entries, 0).record.value, "a");
  const auto& bad = std::get<rest_error>(entries[1]);
  EXPECT_EQ(bad.error_code, 400);
  EXPECT_EQ(bad.message, "Bad Request: data=1 is not a base64 string.");
  EXPECT_EQ(record_at(entries, 2).record.value, "[1,2]");  // no type: JSON
  EXPECT_EQ(record_at(entries, 2).value_type, "JSON");
}

TEST(V3Records, MalformedJsonEndsTheList) {
  auto entries = parse_v3_records(R"({"value":{"data":1}} {"value": )");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<v3_record>(entries[0]));
  EXPECT_EQ(std::get<rest_error>(entries[1]).status, 400u);
  EXPECT_TRUE(parse_v3_records("  \n").empty());
}

TEST(V3Records, BadContentIsOneEntryEach) {
  for (const char* body : {R"([1])", R"({"partition_id":-1})", R"({"timestamp":"today"})", R"({"key":"x"})",
                           R"({"value":{"type":"AVRO","data":{}}})", R"({"value":{"type":"XML","data":"x"}})",
                           R"({"value":{"type":"STRING","data":5}})", R"({"headers":[{"value":"eA=="}]})"}) {
    auto entries = parse_v3_records(body);
    ASSERT_EQ(entries.size(), 1u) << body;
    ASSERT_TRUE(std::holds_alternative<rest_error>(entries[0])) << body;
    EXPECT_EQ(std::get<rest_error>(entries[0]).status, 400u) << body;
  }
}

TEST(V3Records, Reports) {
  v3_record r;
  r.record.value = R"({"foo":"bar"})";
  r.value_type = "JSON";
  r.value_size = r.record.value->size();
  EXPECT_EQ(v3_report({"c1", "t", 0, 7, 1678370843592}, r),
            R"({"error_code":200,"cluster_id":"c1","topic_name":"t","partition_id":0,"offset":7,)"
            R"("timestamp":"2023-03-09T14:07:23.592Z","value":{"type":"JSON","size":13}})");
  EXPECT_EQ(v3_error_report(bad_request("x")), R"({"error_code":400,"message":"Bad Request: x"})");
}

}  // namespace
}  // namespace tributary::restproxy
