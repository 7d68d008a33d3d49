#include "restproxy/produce_request.h"

#include <gtest/gtest.h>

namespace tributary::restproxy {
namespace {

TEST(ProduceRequest, BinaryRecordsAreBase64Decoded) {
  auto r = parse_produce_request(
      R"({"records":[{"key":"a2V5","value":"Y29uZmx1ZW50"},{"value":"a2Fma2E=","partition":1},{"key":null,"value":null}]})",
      embedded_format::binary);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].key, "key");
  EXPECT_EQ((*r)[0].value, "confluent");
  EXPECT_EQ((*r)[0].partition, std::nullopt);
  EXPECT_EQ((*r)[1].key, std::nullopt);
  EXPECT_EQ((*r)[1].value, "kafka");
  EXPECT_EQ((*r)[1].partition, 1);
  EXPECT_EQ((*r)[2].key, std::nullopt);
  EXPECT_EQ((*r)[2].value, std::nullopt);
}

TEST(ProduceRequest, Base64PaddingIsOptionalAsInJava) {
  auto r = parse_produce_request(R"({"records":[{"value":"a2Fma2E"}]})", embedded_format::binary);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].value, "kafka");
}

TEST(ProduceRequest, BadBase64IsA400NamingTheData) {
  auto r = parse_produce_request(R"({"records":[{"value":"not base64!"}]})", embedded_format::binary);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400u);
  EXPECT_EQ(r.error().error_code, 400);
  EXPECT_EQ(r.error().message, R"(Bad Request: data="not base64!" is not a valid base64 string.)");
  auto n = parse_produce_request(R"({"records":[{"value":1}]})", embedded_format::binary);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message, "Bad Request: data=1 is not a base64 string.");
}

TEST(ProduceRequest, JsonRecordsAreSerializedCompactly) {
  auto r = parse_produce_request(
      R"({"records":[{"key":{"id": 1},"value":{"foo" : [1, "bar\n\u00e9", -2.5, 21.5, 1e3, true, null]}},{"value":"text"}]})",
      embedded_format::json);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].key, R"({"id":1})");
  EXPECT_EQ((*r)[0].value, "{\"foo\":[1,\"bar\\n\u00e9\",-2.5,21.5,1000.0,true,null]}");
  EXPECT_EQ((*r)[1].value, R"("text")");
}

TEST(ProduceRequest, HeadersAreTributarysExtension) {
  auto r = parse_produce_request(R"({"records":[{"value":"eA==","headers":[{"name":"a","value":"MQ=="},{"name":"b","value":null},{"name":"c"}]}]})",
                                 embedded_format::binary);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::vector<log::header> expected{{"a", "1"}, {"b", std::nullopt}, {"c", std::nullopt}};
  EXPECT_EQ((*r)[0].headers, expected);
  auto bad = parse_produce_request(R"({"records":[{"value":"eA==","headers":[{"value":"MQ=="}]}]})", embedded_format::binary);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status, 400u);
}

TEST(ProduceRequest, MissingOrEmptyRecordsAre422) {
  for (const char* body : {R"({})", R"({"records":[]})", R"({"records":null})"}) {
    auto r = parse_produce_request(body, embedded_format::binary);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 422u) << body;
    EXPECT_EQ(r.error().message, "records may not be empty");
  }
}

TEST(ProduceRequest, MalformedJsonAndShapesAre400) {
  for (const char* body : {"", "{", "[1]", R"({"records":{}})", R"({"records":[1]})", R"({"records":[{"partition":-1}]})",
                           R"({"records":[{"partition":"x"}]})", R"({"records":[{"partition":1.5}]})"}) {
    auto r = parse_produce_request(body, embedded_format::json);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 400u) << body;
    EXPECT_EQ(r.error().error_code, 400) << body;
  }
}

TEST(ProduceRequest, ResponseWritesNullsOut) {
  const std::vector<produce_outcome> outcomes{{0, 0, std::nullopt, std::nullopt},
                                              {std::nullopt, std::nullopt, 50003, "Kafka error: overloaded"}};
  EXPECT_EQ(produce_response_json(outcomes),
            R"({"offsets":[{"partition":0,"offset":0,"error_code":null,"error":null},)"
            R"({"partition":null,"offset":null,"error_code":50003,"error":"Kafka error: overloaded"}],)"
            R"("key_schema_id":null,"value_schema_id":null})");
}

}  // namespace
}  // namespace tributary::restproxy

namespace tributary::restproxy {
namespace {

TEST(ProduceRequest, StreamingAndDocumentParsesAgree) {
  for (const char* body : {
           R"({"records":[{"key":"a2V5","value":"Y29uZmx1ZW50","partition":1,"headers":[{"name":"h","value":"MQ=="},{"name":"n","value":null}]}]})",
           R"({"value_schema":"x","extra":{"a":[1,{"b":2}]},"records":[{"value":"eA","unknown":[1,2],"key":null,"partition":null,"headers":null}]})",
           R"({"records":[{"value":"a2Fma2E="}],"records_too":5})",
           R"({"records":[{"value":"bad base64!"}]})",
           R"({"records":[{"value":1}]})",
           R"({"records":[{"partition":-1}]})",
           R"({"records":[]})",
           R"({"records":[{"headers":[{"value":"eA=="}]}]})",
           R"({"records":[null]})",
           R"([1,2])",
       }) {
    const auto streaming = parse_produce_request(body, embedded_format::binary);
    const auto document = parse_produce_request(body, embedded_format::binary, false);
    ASSERT_EQ(streaming.ok(), document.ok()) << body;
    if (!streaming.ok()) {
      EXPECT_EQ(streaming.error().message, document.error().message) << body;
      continue;
    }
    ASSERT_EQ(streaming->size(), document->size()) << body;
    for (std::size_t i = 0; i < streaming->size(); ++i) {
      EXPECT_EQ((*streaming)[i].key, (*document)[i].key) << body;
      EXPECT_EQ((*streaming)[i].value, (*document)[i].value) << body;
      EXPECT_EQ((*streaming)[i].partition, (*document)[i].partition) << body;
      EXPECT_EQ((*streaming)[i].headers, (*document)[i].headers) << body;
    }
  }
}

}  // namespace
}  // namespace tributary::restproxy

#include "restproxy/binary_body.h"

namespace tributary::restproxy {
namespace {

TEST(BinaryBody, PlainBodiesTakeTheStreamingPath) {
  auto fast = parse_binary_body_fast(R"({"records":[{"key":"a2V5","value":"Y29uZmx1ZW50"},{"value":null,"partition":2}]})");
  ASSERT_TRUE(fast.has_value());
  ASSERT_EQ(fast->size(), 2u);
  EXPECT_EQ((*fast)[0].key, "key");
  EXPECT_EQ((*fast)[1].partition, 2);
  EXPECT_TRUE(parse_binary_body_fast(R"({"key_schema":"s","records":[{"value":"eA==","x":{"y":[]}}]})").has_value());
  // What the document parser must word: not taken here.
  EXPECT_FALSE(parse_binary_body_fast(R"({"records":[{"value":"bad!"}]})").has_value());
  EXPECT_FALSE(parse_binary_body_fast(R"({"records":[]})").has_value());
  EXPECT_FALSE(parse_binary_body_fast(R"({"records":[{"value":"eA=="}]} trailing)").has_value());
}

}  // namespace
}  // namespace tributary::restproxy
