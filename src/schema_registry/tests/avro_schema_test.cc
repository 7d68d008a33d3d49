#include "schema_registry/avro_schema.h"

#include <gtest/gtest.h>

namespace tributary::schema_registry {
namespace {

avro_schema parse(const char* text) {
  auto s = avro_schema::parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << (s.ok() ? "" : s.error());
  return std::move(s.value());
}

constexpr const char* v1 = R"({"type":"record","name":"User","fields":[{"name":"name","type":"string"}]})";
constexpr const char* v2_with_default =
    R"({"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]})";

TEST(AvroSchema, ParsesAndRefuses) {
  EXPECT_TRUE(avro_schema::parse(R"("string")").ok());
  EXPECT_TRUE(avro_schema::parse(v1).ok());
  for (const char* bad : {"", "{", R"({"type":"nothing"})", R"({"type":"record","name":"X"})", "42"}) {
    auto s = avro_schema::parse(bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_FALSE(s.error().empty());
    }
  }
}

TEST(AvroSchema, EqualityIgnoresFormatting) {
  EXPECT_TRUE(parse(v1) == parse(R"({ "type" : "record", "name" : "User",
                                     "fields" : [ { "name" : "name", "type" : "string" } ] })"));
  EXPECT_FALSE(parse(v1) == parse(v2_with_default));
  EXPECT_EQ(parse(R"("string")").canonical(), R"({"type":"string"})");
}


}  // namespace
}  // namespace tributary::schema_registry
