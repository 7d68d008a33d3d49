// The incremental path a session uses: partial packets ask for more and consume nothing, a stream
// split anywhere yields the same packets, several packets share a buffer, the remaining-length
// boundaries of §2.2.3, and max_packet_bytes refusing a packet before its body has arrived.
#include <gtest/gtest.h>

#include "adapters/mqtt/codec.h"
#include "adapters/mqtt/tests/test_support.h"
#include "adapters/mqtt/tests/valid_packets.h"

namespace tributary::adapters::mqtt {
namespace {

using testing::drain;
using testing::from_hex;
using testing::to_hex;
using testing::valid_fixtures;

bytes all_fixtures_in_one_stream() {
  bytes stream;
  for (const auto& f : valid_fixtures()) {
    const bytes b = from_hex(f.hex);
    stream.insert(stream.end(), b.begin(), b.end());
  }
  return stream;
}

std::vector<packet> expected_packets() {
  std::vector<packet> out;
  for (const auto& f : valid_fixtures()) out.push_back(f.expected);
  return out;
}

TEST(MqttIncremental, EveryStrictPrefixNeedsMore) {
  for (const auto& f : valid_fixtures()) {
    SCOPED_TRACE(f.name);
    const bytes wire = from_hex(f.hex);
    for (std::size_t n = 0; n < wire.size(); ++n) {
      const auto r = decode(std::span(wire).first(n));
      ASSERT_TRUE(r.ok()) << n << " bytes: " << r.error().message;
      EXPECT_FALSE(r->has_value()) << n << " bytes decoded";
    }
  }
}

TEST(MqttIncremental, SeveralPacketsInOneBuffer) {
  bytes buffer = all_fixtures_in_one_stream();
  std::vector<packet> got;
  codec_error error;
  ASSERT_TRUE(drain(buffer, got, &error)) << error.message;
  EXPECT_TRUE(buffer.empty());
  EXPECT_TRUE(got == expected_packets());
}

TEST(MqttIncremental, DecodeReadsOnlyTheFirstPacket) {
  const bytes buffer = from_hex("40 02 00 0A C0 00 E0 00");
  const auto r = decode(buffer);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->size, 4u);
  EXPECT_TRUE((*r)->packet == packet{puback_packet{10}});
}

// The stream arrives in two reads split at byte k, for every k.
TEST(MqttIncremental, SplitAtEveryByteBoundary) {
  const bytes stream = all_fixtures_in_one_stream();
  const auto expected = expected_packets();
  for (std::size_t k = 0; k <= stream.size(); ++k) {
    bytes buffer(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(k));
    std::vector<packet> got;
    ASSERT_TRUE(drain(buffer, got)) << "split at " << k;
    buffer.insert(buffer.end(), stream.begin() + static_cast<std::ptrdiff_t>(k), stream.end());
    ASSERT_TRUE(drain(buffer, got)) << "split at " << k;
    EXPECT_TRUE(buffer.empty()) << "split at " << k;
    EXPECT_TRUE(got == expected) << "split at " << k;
  }
}

TEST(MqttIncremental, OneByteAtATime) {
  const bytes stream = all_fixtures_in_one_stream();
  bytes buffer;
  std::vector<packet> got;
  for (const auto b : stream) {
    buffer.push_back(b);
    ASSERT_TRUE(drain(buffer, got));
  }
  EXPECT_TRUE(buffer.empty());
  EXPECT_TRUE(got == expected_packets());
}

TEST(MqttIncremental, AnErrorAfterGoodPacketsStopsThere) {
  bytes buffer = from_hex("C0 00 40 02 00 0A 30 03 00 01 23 C0 00");
  std::vector<packet> got;
  codec_error error;
  EXPECT_FALSE(drain(buffer, got, &error));
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(error.code, codec_errc::wildcard_in_topic_name);
}

// §2.2.3, Table 2.4: the first and last value of each remaining-length size.
struct length_case {
  std::uint32_t value;
  const char* encoded;
};
const length_case kLengths[] = {
    {0, "00"},
    {127, "7F"},
    {128, "80 01"},
    {16'383, "FF 7F"},
    {16'384, "80 80 01"},
    {2'097'151, "FF FF 7F"},
    {2'097'152, "80 80 80 01"},
    {268'435'455, "FF FF FF 7F"},
};

TEST(MqttRemainingLength, FixedHeaderDecodesTheBoundaries) {
  for (const auto& c : kLengths) {
    SCOPED_TRACE(c.value);
    const bytes header = from_hex(std::string("30 ") + c.encoded);
    const auto h = decode_fixed_header(header);
    ASSERT_TRUE(h.ok()) << h.error().message;
    ASSERT_TRUE(h->has_value());
    EXPECT_EQ((*h)->type, packet_type::publish);
    EXPECT_EQ((*h)->remaining_length, c.value);
    EXPECT_EQ((*h)->header_size, header.size());
    EXPECT_EQ((*h)->packet_size(), header.size() + c.value);
    // Without its last byte the length is unfinished: need more, not an error.
    const auto partial = decode_fixed_header(std::span(header).first(header.size() - 1));
    ASSERT_TRUE(partial.ok());
    EXPECT_FALSE(partial->has_value());
  }
}

TEST(MqttRemainingLength, EncodeFixedHeaderWritesTheBoundaries) {
  for (const auto& c : kLengths) {
    SCOPED_TRACE(c.value);
    bytes out;
    ASSERT_TRUE(encode_fixed_header({packet_type::publish, 0, c.value, 0}, out).ok());
    EXPECT_EQ(to_hex(out), "30 " + std::string(c.encoded));
  }
  bytes out{0xAA};
  const auto r = encode_fixed_header({packet_type::publish, 0, max_remaining_length + 1, 0}, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, codec_errc::packet_too_large);
  EXPECT_EQ(out, bytes{0xAA});
}

// Whole PUBLISH packets whose remaining length sits on each boundary up to 2 MiB round-trip, and the
// body's size alone decides the header's.
TEST(MqttRemainingLength, PublishOnEachBoundaryRoundTrips) {
  for (const auto& c : kLengths) {
    if (c.value < 5 || c.value > 2'097'152) continue;
    SCOPED_TRACE(c.value);
    publish_packet p;
    p.topic = "a/b";
    p.payload.assign(c.value - 5, 0x5A);
    bytes wire;
    ASSERT_TRUE(encode(p, wire).ok());
    EXPECT_EQ(to_hex(std::span(wire).subspan(1, wire.size() - c.value - 1)), c.encoded);
    const auto r = decode(wire);
    ASSERT_TRUE(r.ok() && r->has_value());
    EXPECT_EQ((*r)->size, wire.size());
    EXPECT_TRUE((*r)->packet == packet{p});
  }
}

TEST(MqttRemainingLength, AHugeLengthWithoutItsBodyAllocatesNothingAndWaits) {
  const auto r = decode(from_hex("30 FF FF FF 7F 00 03 61 2F 62"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(MqttRemainingLength, FiveBytesAreMalformed) {
  for (const char* hex : {"30 80 80 80 80 01", "30 FF FF FF FF 7F", "C0 80 80 80 80"}) {
    SCOPED_TRACE(hex);
    const auto r = decode_fixed_header(from_hex(hex));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, codec_errc::remaining_length_too_long);
  }
  // Four bytes with continuation bits are not yet an error: the fourth decides.
  const auto r = decode_fixed_header(from_hex("30 80 80 80"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(MqttRemainingLength, NonMinimalEncodingIsAccepted) {
  const auto r = decode(from_hex("C0 80 80 00"));
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->size, 4u);
  EXPECT_TRUE((*r)->packet == packet{pingreq_packet{}});
  const auto puback = decode(from_hex("40 82 00 00 0A"));
  ASSERT_TRUE(puback.ok() && puback->has_value());
  EXPECT_TRUE((*puback)->packet == packet{puback_packet{10}});
}

// Hono's 2048-byte limit: the packet is refused from its fixed header, before the body arrives.
TEST(MqttLimits, OversizedPacketIsRefusedFromItsHeaderAlone) {
  const decode_limits limits{2048};
  // Remaining length 2046 in two bytes: 2049 bytes in all.
  const bytes header = from_hex("30 FE 0F");
  const auto h = decode_fixed_header(header, limits);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, codec_errc::packet_too_large);
  EXPECT_EQ(h.error().message, "fixed header: PUBLISH of 2049 bytes exceeds the limit of 2048 bytes");
  const auto r = decode(header, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, codec_errc::packet_too_large);
}

TEST(MqttLimits, APacketOfExactlyTheLimitDecodes) {
  publish_packet p;
  p.topic = "t";
  p.payload.assign(2048 - 3 - 3, 0x01);  // fixed header 3 bytes, topic 3 bytes
  bytes wire;
  ASSERT_TRUE(encode(p, wire).ok());
  ASSERT_EQ(wire.size(), 2048u);
  const auto ok = decode(wire, decode_limits{2048});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(ok->has_value());
  const auto over = decode(wire, decode_limits{2047});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, codec_errc::packet_too_large);
}

TEST(MqttLimits, AnUnfinishedLengthIsNotJudgedYet) {
  // 0x80 could still end as a small non-minimal length; the limit applies once the length is known.
  const auto r = decode_fixed_header(from_hex("30 80"), decode_limits{4});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(MqttLimits, TheLimitAppliesToEveryType) {
  const auto r = decode(from_hex("40 02 00 0A"), decode_limits{3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, codec_errc::packet_too_large);
}

}  // namespace
}  // namespace tributary::adapters::mqtt
