// Unit tests of the wire primitives: encodings from Kafka's protocol guide and KIP-482, bounds and
// length checks, first-failure recording.
#include "kafka/protocol/wire.h"

#include <gtest/gtest.h>

#include <limits>

#include "kafka/protocol/tests/test_support.h"

namespace tributary::kafka::protocol {
namespace {

using testing::as_span;
using testing::hex;
using testing::unhex;

TEST(Wire, FixedWidthIntegersAreBigEndian) {
  std::string out;
  writer w(out);
  w.int8(-2);
  w.int16(0x0102);
  w.uint16(0xfffe);
  w.int32(-2);
  w.uint32(0x80000001u);
  w.int64(0x0102030405060708);
  w.float64(1.5);
  w.boolean(true);
  EXPECT_EQ(hex(out), "fe" "0102" "fffe" "fffffffe" "80000001" "0102030405060708" "3ff8000000000000" "01");

  reader r(as_span(out));
  EXPECT_EQ(r.int8(), -2);
  EXPECT_EQ(r.int16(), 0x0102);
  EXPECT_EQ(r.uint16(), 0xfffe);
  EXPECT_EQ(r.int32(), -2);
  EXPECT_EQ(r.uint32(), 0x80000001u);
  EXPECT_EQ(r.int64(), 0x0102030405060708);
  EXPECT_EQ(r.float64(), 1.5);
  EXPECT_TRUE(r.boolean());
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(Wire, BoolIsTrueForAnyNonZeroByte) {
  const std::string in = unhex("00 01 7f");
  reader r(as_span(in));
  EXPECT_FALSE(r.boolean());
  EXPECT_TRUE(r.boolean());
  EXPECT_TRUE(r.boolean());
}

TEST(Wire, Uuid) {
  uuid u{};
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = static_cast<std::uint8_t>(i * 17);
  std::string out;
  writer(out).uuid(u);
  EXPECT_EQ(hex(out), "00112233445566778899aabbccddeeff");
  reader r(as_span(out));
  EXPECT_EQ(r.uuid(), u);
}

TEST(Wire, UnsignedVarint) {
  const std::pair<std::uint32_t, const char*> cases[] = {
      {0, "00"}, {1, "01"}, {127, "7f"}, {128, "8001"}, {300, "ac02"}, {0xffffffffu, "ffffffff0f"}};
  for (const auto& [value, encoded] : cases) {
    std::string out;
    writer(out).uvarint(value);
    EXPECT_EQ(hex(out), encoded);
    reader r(as_span(out));
    EXPECT_EQ(r.uvarint(), value);
    EXPECT_TRUE(r.at_end());
  }
}

TEST(Wire, UnsignedVarintRejectsTruncatedOverlongAndTooLarge) {
  {
    const std::string in = unhex("8080");
    reader r(as_span(in));
    r.uvarint();
    EXPECT_EQ(r.error_code(), decode_errc::truncated);
  }
  {
    const std::string in = unhex("8080808080 00");  // six bytes
    reader r(as_span(in));
    r.uvarint();
    EXPECT_EQ(r.error_code(), decode_errc::invalid_varint);
  }
  {
    const std::string in = unhex("ffffffff1f");  // 2^33 - 1
    reader r(as_span(in));
    r.uvarint();
    EXPECT_EQ(r.error_code(), decode_errc::invalid_varint);
  }
}

TEST(Wire, ZigzagVarintAndVarlong) {
  std::string out;
  writer w(out);
  w.varint(-1);
  w.varint(std::numeric_limits<std::int32_t>::min());
  w.varlong(std::numeric_limits<std::int64_t>::max());
  reader r(as_span(out));
  EXPECT_EQ(r.varint(), -1);
  EXPECT_EQ(r.varint(), std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(r.varlong(), std::numeric_limits<std::int64_t>::max());
  EXPECT_TRUE(r.ok() && r.at_end());
  EXPECT_EQ(hex(out.substr(0, 1)), "01");
}

TEST(Wire, Strings) {
  std::string out;
  writer w(out);
  w.string("ab", false);
  w.string("ab", true);
  w.nullable_string(std::nullopt, false);
  w.nullable_string(std::nullopt, true);
  w.nullable_string(std::string(), true);
  EXPECT_EQ(hex(out), "00026162" "036162" "ffff" "00" "01");
  reader r(as_span(out));
  EXPECT_EQ(r.string(false), "ab");
  EXPECT_EQ(r.string(true), "ab");
  EXPECT_EQ(r.nullable_string(false), std::nullopt);
  EXPECT_EQ(r.nullable_string(true), std::nullopt);
  EXPECT_EQ(r.nullable_string(true), std::string());
  EXPECT_TRUE(r.ok() && r.at_end());
}

TEST(Wire, NullWhereNotAllowedIsAnError) {
  const std::string in = unhex("ffff");
  reader r(as_span(in));
  r.field("test.name");
  EXPECT_EQ(r.string(false), "");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error_code(), decode_errc::invalid_length);
  EXPECT_EQ(r.error_position(), 0u);
  EXPECT_EQ(r.error_field(), "test.name");
}

TEST(Wire, NegativeLengthsOtherThanMinusOneAreErrors) {
  for (const char* in_hex : {"fffe", "8000"}) {
    const std::string in = unhex(in_hex);
    reader r(as_span(in));
    EXPECT_EQ(r.nullable_string(false), std::nullopt);
    EXPECT_EQ(r.error_code(), decode_errc::invalid_length) << in_hex;
  }
  const std::string in = unhex("fffffffe");
  reader r(as_span(in));
  EXPECT_EQ(r.nullable_bytes(false), std::nullopt);
  EXPECT_EQ(r.error_code(), decode_errc::invalid_length);
}

TEST(Wire, LengthBeyondTheInputFailsBeforeAllocating) {
  const std::string in = unhex("7fffffff 00");  // BYTES claiming 2 GiB
  reader r(as_span(in));
  EXPECT_EQ(r.bytes(false), "");
  EXPECT_EQ(r.error_code(), decode_errc::invalid_length);
  EXPECT_EQ(r.error_position(), 0u);  // the failure points at the length prefix
  EXPECT_EQ(r.error_detail(), "length 2147483647 but 1 bytes remain");
}

TEST(Wire, Bytes) {
  std::string out;
  writer w(out);
  w.bytes(std::string("\0\1", 2), false);
  w.bytes(std::string("\0\1", 2), true);
  w.nullable_bytes(std::nullopt, false);
  w.nullable_bytes(std::nullopt, true);
  EXPECT_EQ(hex(out), "000000020001" "030001" "ffffffff" "00");
  reader r(as_span(out));
  EXPECT_EQ(r.bytes(false), std::string("\0\1", 2));
  EXPECT_EQ(r.bytes(true), std::string("\0\1", 2));
  EXPECT_EQ(r.nullable_bytes(false), std::nullopt);
  EXPECT_EQ(r.nullable_bytes(true), std::nullopt);
  EXPECT_TRUE(r.ok() && r.at_end());
}

TEST(Wire, ArrayLengths) {
  std::string out;
  writer w(out);
  w.array_length(2, false);
  w.array_length(2, true);
  w.null_array(false);
  w.null_array(true);
  w.raw(std::string(8, '\0'));
  EXPECT_EQ(hex(out.substr(0, 10)), "00000002" "03" "ffffffff" "00");
  reader r(as_span(out));
  EXPECT_EQ(r.array_length(false, false, 1), 2);
  EXPECT_EQ(r.array_length(true, false, 1), 2);
  EXPECT_EQ(r.array_length(false, true, 1), -1);
  EXPECT_EQ(r.array_length(true, true, 1), -1);
  EXPECT_TRUE(r.ok());
}

TEST(Wire, ArrayCountIsCheckedAgainstTheRemainingBytes) {
  {
    const std::string in = unhex("7fffffff");  // 4 bytes claiming 2^31-1 elements
    reader r(as_span(in));
    EXPECT_EQ(r.array_length(false, false, 1), 0);
    EXPECT_EQ(r.error_code(), decode_errc::invalid_length);
  }
  {
    const std::string in = unhex("00000002 0000000000000000");  // two int64 need 16 bytes
    reader r(as_span(in));
    EXPECT_EQ(r.array_length(false, false, 8), 0);
    EXPECT_FALSE(r.ok());
  }
  {
    const std::string in = unhex("00000002 0000000000000000");
    reader r(as_span(in));
    EXPECT_EQ(r.array_length(false, false, 4), 2);
  }
  {
    const std::string in = unhex("ffffffff0f");  // compact: 2^32-2 elements
    reader r(as_span(in));
    EXPECT_EQ(r.array_length(true, true, 1), 0);
    EXPECT_EQ(r.error_code(), decode_errc::invalid_length);
  }
  {
    const std::string in = unhex("fffffffe");
    reader r(as_span(in));
    EXPECT_EQ(r.array_length(false, true, 1), 0);
    EXPECT_EQ(r.error_code(), decode_errc::invalid_length);
  }
  {
    const std::string in = unhex("ffffffff");
    reader r(as_span(in));
    EXPECT_EQ(r.array_length(false, false, 1), 0);
    EXPECT_EQ(r.error_code(), decode_errc::invalid_length);
  }
}

TEST(Wire, FirstFailureIsKeptAndLaterReadsDoNotMove) {
  const std::string in = unhex("0001 02");
  reader r(as_span(in));
  r.field("a");
  EXPECT_EQ(r.int16(), 1);
  r.field("b");
  EXPECT_EQ(r.int32(), 0);
  r.field("c");
  EXPECT_EQ(r.int8(), 0);
  EXPECT_EQ(r.error_code(), decode_errc::truncated);
  EXPECT_EQ(r.error_position(), 2u);
  EXPECT_EQ(r.error_field(), "b");
  EXPECT_EQ(r.position(), 2u);
  const decode_error e = r.error("TestMessage", 3);
  EXPECT_EQ(e.code, decode_errc::truncated);
  EXPECT_EQ(e.message, "TestMessage v3: truncated at byte 2 in b: need 4 bytes, 1 remain");
}

TEST(Wire, TaggedFieldHeaders) {
  // Two tagged fields: tag 0 of 1 byte, tag 5 of 2 bytes.
  const std::string in = unhex("02 00 01 aa 05 02 bbcc");
  reader r(as_span(in));
  ASSERT_EQ(r.tagged_field_count(), 2u);
  std::int64_t previous = -1;
  reader::tag_header h{};
  ASSERT_TRUE(r.next_tag(h, previous));
  EXPECT_EQ(h.tag, 0u);
  EXPECT_EQ(h.size, 1u);
  reader sub = r.sub(h.size);
  EXPECT_EQ(static_cast<std::uint8_t>(sub.int8()), 0xaa);
  r.finish_sub(sub);
  ASSERT_TRUE(r.next_tag(h, previous));
  EXPECT_EQ(h.tag, 5u);
  r.skip(h.size);
  EXPECT_TRUE(r.ok() && r.at_end());
}

TEST(Wire, TaggedFieldsMustBeStrictlyIncreasing) {
  const std::string in = unhex("02 05 00 05 00");
  reader r(as_span(in));
  ASSERT_EQ(r.tagged_field_count(), 2u);
  std::int64_t previous = -1;
  reader::tag_header h{};
  ASSERT_TRUE(r.next_tag(h, previous));
  EXPECT_FALSE(r.next_tag(h, previous));
  EXPECT_EQ(r.error_code(), decode_errc::invalid_tagged_fields);
}

TEST(Wire, TaggedFieldSizeBeyondInputAndLeftoverBytes) {
  {
    const std::string in = unhex("01 00 05 aa");
    reader r(as_span(in));
    ASSERT_EQ(r.tagged_field_count(), 1u);
    std::int64_t previous = -1;
    reader::tag_header h{};
    EXPECT_FALSE(r.next_tag(h, previous));
    EXPECT_EQ(r.error_code(), decode_errc::invalid_length);
  }
  {
    const std::string in = unhex("01 00 02 aabb");
    reader r(as_span(in));
    ASSERT_EQ(r.tagged_field_count(), 1u);
    std::int64_t previous = -1;
    reader::tag_header h{};
    ASSERT_TRUE(r.next_tag(h, previous));
    reader sub = r.sub(h.size);
    sub.int8();
    r.finish_sub(sub);
    EXPECT_EQ(r.error_code(), decode_errc::invalid_tagged_fields);
  }
  {
    const std::string in = unhex("7f");  // 127 tagged fields in no bytes
    reader r(as_span(in));
    EXPECT_EQ(r.tagged_field_count(), 0u);
    EXPECT_EQ(r.error_code(), decode_errc::invalid_length);
  }
}

TEST(Wire, SubReaderFailureKeepsAbsolutePosition) {
  const std::string in = unhex("01 00 02 aa");
  reader r(as_span(in));
  r.skip(1);
  reader sub = r.sub(3);
  sub.int16();
  sub.int16();
  r.finish_sub(sub);
  EXPECT_EQ(r.error_code(), decode_errc::truncated);
  EXPECT_EQ(r.error_position(), 3u);
}

TEST(Wire, WriterRejectsStringsTooLongForTheirPrefix) {
  std::string out;
  writer w(out);
  w.string(std::string(40000, 'x'), false);
  EXPECT_FALSE(w.ok());
  EXPECT_NE(w.error().find("int16"), std::string::npos);
  std::string out2;
  writer w2(out2);
  w2.string(std::string(40000, 'x'), true);
  EXPECT_TRUE(w2.ok());
}

TEST(Wire, WriterTaggedFieldAdoptsTheValueFailure) {
  std::string value;
  writer vw(value);
  vw.fail("inner");
  std::string out;
  writer w(out);
  w.tagged_field(3, vw);
  EXPECT_EQ(w.error(), "inner");
}

}  // namespace
}  // namespace tributary::kafka::protocol
