#include "schema_registry/avro_codec.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace tributary::schema_registry {
namespace {

avro_schema schema(const char* text) {
  auto s = avro_schema::parse(text);
  EXPECT_TRUE(s.ok()) << text;
  return std::move(s.value());
}

constexpr const char* user = R"({"type":"record","name":"User","namespace":"demo","fields":[
  {"name":"name","type":"string"},
  {"name":"age","type":"int"},
  {"name":"email","type":["null","string"],"default":null},
  {"name":"tags","type":{"type":"array","items":"string"}},
  {"name":"suit","type":{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS"]}},
  {"name":"score","type":"double"},
  {"name":"raw","type":"bytes"}]})";

TEST(AvroCodec, BinaryBytesAreAvros) {
  // "a" -> length 1 zigzag (0x02) + 'a'; 1 -> zigzag 0x02; -1 -> 0x01.
  auto s = encode_avro(schema(R"("string")"), boost::json::parse(R"("a")"));
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(*s, std::string("\x02" "a"));
  EXPECT_EQ(*encode_avro(schema(R"("int")"), boost::json::parse("-1")), std::string("\x01"));
  EXPECT_EQ(*encode_avro(schema(R"(["null","int"])"), boost::json::parse(R"({"int": 1})")), std::string("\x02\x02"));
  EXPECT_EQ(*encode_avro(schema(R"(["null","int"])"), boost::json::parse("null")), std::string("\x00", 1));
}

TEST(AvroCodec, RecordsRoundTripThroughAvrosJsonEncoding) {
  const auto s = schema(user);
  const auto data = boost::json::parse(R"({"name":"Ann","age":42,"email":{"string":"a@b.c"},"tags":["x","y"],
      "suit":"HEARTS","score":1.5,"raw":"\u00ff\u0000A"})");
  auto binary = encode_avro(s, data);
  ASSERT_TRUE(binary.ok()) << binary.error();
  auto back = decode_avro(s, *binary);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(boost::json::parse(*back), data);
}

TEST(AvroCodec, DataThatDoesNotFitSaysWhere) {
  const auto s = schema(user);
  auto missing = encode_avro(s, boost::json::parse(R"({"name":"Ann"})"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "field age is missing");
  auto wrong = encode_avro(s, boost::json::parse(R"({"name":"Ann","age":"old","email":null,"tags":[],"suit":"SPADES","score":1,"raw":""})"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error(), R"(expected an int at age, got "old")");
  auto branch = encode_avro(schema(R"(["null","int"])"), boost::json::parse(R"({"string":"x"})"));
  ASSERT_FALSE(branch.ok());
  EXPECT_NE(branch.error().find("not a branch"), std::string::npos);
  EXPECT_FALSE(encode_avro(schema(user), boost::json::parse(R"({"name":"A","age":1,"email":null,"tags":[],"suit":"CLUBS","score":1,"raw":""})")).ok());
  EXPECT_FALSE(encode_avro(schema(R"("int")"), boost::json::parse("4294967296")).ok());
}

TEST(AvroCodec, BadBinaryIsRefused) {
  EXPECT_FALSE(decode_avro(schema(R"("string")"), std::string("\x10" "ab")).ok());  // length 8, 2 bytes there
  EXPECT_FALSE(decode_avro(schema(R"("int")"), std::string("\x02\x02")).ok());      // a byte left over
  EXPECT_FALSE(decode_avro(schema(user), "").ok());
}

TEST(AvroCodec, ConfluentFraming) {
  const auto framed_bytes = frame(258, "xy");
  EXPECT_EQ(framed_bytes, std::string("\x00\x00\x00\x01\x02xy", 7));
  auto f = unframe(framed_bytes);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->schema_id, 258);
  EXPECT_EQ(f->payload, "xy");
  EXPECT_FALSE(unframe(std::string("\x01\x00\x00\x00\x01", 5)).has_value());
  EXPECT_FALSE(unframe(std::string("\x00\x00\x00", 3)).has_value());
}

}  // namespace
}  // namespace tributary::schema_registry
