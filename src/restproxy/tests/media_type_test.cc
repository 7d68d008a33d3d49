#include "restproxy/media_type.h"

#include <gtest/gtest.h>

namespace tributary::restproxy {
namespace {

TEST(MediaType, ProduceFormatComesFromTheContentType) {
  EXPECT_EQ(produce_format("application/vnd.kafka.binary.v2+json"), embedded_format::binary);
  EXPECT_EQ(produce_format("Application/VND.Kafka.JSON.v2+json; charset=utf-8"), embedded_format::json);
  EXPECT_EQ(produce_format("application/vnd.kafka.avro.v2+json"), embedded_format::avro);
  EXPECT_EQ(produce_format("application/vnd.kafka.jsonschema.v2+json"), embedded_format::jsonschema);
  EXPECT_EQ(produce_format("application/vnd.kafka.protobuf.v2+json"), embedded_format::protobuf);
  EXPECT_EQ(produce_format("application/vnd.kafka.v2+json"), std::nullopt);
  EXPECT_EQ(produce_format("application/json"), std::nullopt);
  EXPECT_EQ(produce_format("application/octet-stream"), std::nullopt);
  EXPECT_EQ(produce_format(""), std::nullopt);
  EXPECT_EQ(produce_format("application/vnd.kafka.binary.v1+json"), std::nullopt);
}

TEST(MediaType, AcceptAdmitsByExactTypeWildcardsAndQuality) {
  EXPECT_TRUE(accepts("", "application/vnd.kafka.v2+json"));
  EXPECT_TRUE(accepts("*/*", "application/vnd.kafka.v2+json"));
  EXPECT_TRUE(accepts("application/*", "application/vnd.kafka.v2+json"));
  EXPECT_TRUE(accepts("text/html, application/vnd.kafka.v2+json; q=0.5", "application/vnd.kafka.v2+json"));
  EXPECT_FALSE(accepts("text/html", "application/vnd.kafka.v2+json"));
  EXPECT_FALSE(accepts("application/vnd.kafka.v2+json;q=0", "application/vnd.kafka.v2+json"));
  EXPECT_FALSE(accepts("*/*, application/json;q=0", "application/json"));  // the most specific range decides
  EXPECT_FALSE(accepts("application/json;q=abc", "application/json"));
  EXPECT_TRUE(accepts("APPLICATION/JSON", "application/json"));
}

TEST(MediaType, AcceptedFormatIsTheEmbeddedTypeNamed) {
  EXPECT_EQ(accepted_format("application/vnd.kafka.json.v2+json"), embedded_format::json);
  EXPECT_EQ(accepted_format("text/plain, application/vnd.kafka.binary.v2+json"), embedded_format::binary);
  EXPECT_EQ(accepted_format("application/vnd.kafka.v2+json"), std::nullopt);
  EXPECT_EQ(accepted_format("application/vnd.kafka.json.v2+json;q=0"), std::nullopt);
  EXPECT_EQ(accepted_format(""), std::nullopt);
}

TEST(MediaType, FormatNamesAreCaseInsensitive) {
  EXPECT_EQ(parse_format_name("BINARY"), embedded_format::binary);
  EXPECT_EQ(parse_format_name("Json"), embedded_format::json);
  EXPECT_EQ(parse_format_name("xml"), std::nullopt);
  EXPECT_EQ(format_media_type(embedded_format::json), "application/vnd.kafka.json.v2+json");
}

TEST(MediaType, ConsumerContentTypes) {
  EXPECT_TRUE(consumer_content_type_ok(""));
  EXPECT_TRUE(consumer_content_type_ok("application/vnd.kafka.v2+json"));
  EXPECT_TRUE(consumer_content_type_ok("application/json; charset=utf-8"));
  EXPECT_TRUE(consumer_content_type_ok("application/vnd.kafka.binary.v2+json"));
  EXPECT_FALSE(consumer_content_type_ok("text/plain"));
}

}  // namespace
}  // namespace tributary::restproxy
