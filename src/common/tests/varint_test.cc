#include "common/varint.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace tributary {
namespace {

using namespace std::string_literals;

const std::uint8_t* bytes(const std::string& s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

TEST(Varint, ZigzagFixtures) {
  // Protobuf sint encoding: 0 -> 00, -1 -> 01, 1 -> 02, -2 -> 03, 63 -> 7e, -64 -> 7f, 64 -> 80 01.
  const std::pair<std::int64_t, std::string> cases[] = {
      {0, "\x00"s}, {-1, "\x01"s}, {1, "\x02"s}, {-2, "\x03"s}, {63, "\x7e"s}, {-64, "\x7f"s}, {64, "\x80\x01"s}};
  for (const auto& [value, encoded] : cases) {
    std::string out;
    append_varlong(out, value);
    EXPECT_EQ(out, encoded) << value;
    auto d = decode_varint(bytes(out), bytes(out) + out.size());
    ASSERT_TRUE(d) << value;
    EXPECT_EQ(d->value, value);
    EXPECT_EQ(d->size, out.size());
    EXPECT_EQ(varlong_size(value), out.size());
  }
}

TEST(Varint, RoundTripExtremes) {
  for (std::int64_t v : {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
                         std::int64_t{-1234567890123}, std::int64_t{0}}) {
    std::string out;
    append_varlong(out, v);
    auto d = decode_varlong(bytes(out), bytes(out) + out.size());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->value, v);
  }
  std::string out;
  append_varlong(out, std::numeric_limits<std::int32_t>::min());
  auto d = decode_varint(bytes(out), bytes(out) + out.size());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, std::numeric_limits<std::int32_t>::min());
}

TEST(Varint, RejectsTruncatedAndOverlong) {
  const std::string truncated = "\x80\x80";
  EXPECT_FALSE(decode_varint(bytes(truncated), bytes(truncated) + truncated.size()));
  const std::string overlong = "\xff\xff\xff\xff\xff\x01";  // six bytes for an int32
  EXPECT_FALSE(decode_varint(bytes(overlong), bytes(overlong) + overlong.size()));
  const std::string too_big = "\xff\xff\xff\xff\x7f";  // 35 bits
  EXPECT_FALSE(decode_varint(bytes(too_big), bytes(too_big) + too_big.size()));
  EXPECT_FALSE(decode_varint(bytes(truncated), bytes(truncated)));
}

TEST(Varint, Unsigned) {
  std::string out;
  append_uvarint(out, 300);
  EXPECT_EQ(out, "\xac\x02");
  auto d = decode_uvarint(bytes(out), bytes(out) + out.size());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, 300);
}

}  // namespace
}  // namespace tributary
