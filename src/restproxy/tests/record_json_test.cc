#include "restproxy/record_json.h"

#include <gtest/gtest.h>

namespace tributary::restproxy {
namespace {

consumed_record make(std::optional<std::string> key, std::optional<std::string> value, std::vector<log::header> headers = {}) {
  consumed_record r{"test", 1, {}};
  r.record.offset = 100;
  r.record.key = std::move(key);
  r.record.value = std::move(value);
  r.record.headers = std::move(headers);
  return r;
}

TEST(RecordJson, BinaryIsBase64WithNulls) {
  auto out = records_json({make("key", "confluent"), make(std::nullopt, std::nullopt)}, embedded_format::binary);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, R"([{"topic":"test","key":"a2V5","value":"Y29uZmx1ZW50","partition":1,"offset":100},)"
                  R"({"topic":"test","key":null,"value":null,"partition":1,"offset":100}])");
}

TEST(RecordJson, JsonIsParsed) {
  auto out = records_json({make(R"("k")", R"({"foo":"bar"})")}, embedded_format::json);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, R"([{"topic":"test","key":"k","value":{"foo":"bar"},"partition":1,"offset":100}])");
}

TEST(RecordJson, BytesThatAreNotJsonFailTheRead) {
  auto out = records_json({make(std::nullopt, "not json")}, embedded_format::json);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().status, 408u);
  EXPECT_EQ(out.error().error_code, 40801);
}

TEST(RecordJson, HeadersOnlyWhenTheRecordHasThem) {
  auto out = records_json({make(std::nullopt, "x", {{"h", "1"}, {"n", std::nullopt}})}, embedded_format::binary);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, R"([{"topic":"test","key":null,"value":"eA==","partition":1,"offset":100,)"
                  R"("headers":[{"name":"h","value":"MQ=="},{"name":"n","value":null}]}])");
}

TEST(RecordJson, AvroJsonGoesInAsItIs) {
  auto out = records_json({make(R"({"suit":"spades"})", R"({"n":1.5})")}, embedded_format::avro);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, R"([{"topic":"test","key":{"suit":"spades"},"value":{"n":1.5},"partition":1,"offset":100}])");
}

TEST(RecordJson, EmptyIsAnEmptyArray) {
  auto out = records_json({}, embedded_format::binary);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "[]");
}

}  // namespace
}  // namespace tributary::restproxy
