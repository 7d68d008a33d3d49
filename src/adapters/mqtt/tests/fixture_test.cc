// Every valid fixture (valid_packets.cc) decodes to its value and that value encodes to exactly the
// fixture's bytes; every packet type is covered.
#include <gtest/gtest.h>

#include <set>

#include "adapters/mqtt/codec.h"
#include "adapters/mqtt/tests/test_support.h"
#include "adapters/mqtt/tests/valid_packets.h"

namespace tributary::adapters::mqtt {
namespace {

using testing::from_hex;
using testing::to_hex;
using testing::valid_fixtures;

TEST(MqttFixtures, DecodeToTheirValue) {
  for (const auto& f : valid_fixtures()) {
    SCOPED_TRACE(f.name);
    const bytes wire = from_hex(f.hex);
    const auto r = decode(wire);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(r->has_value()) << "needs more bytes";
    EXPECT_EQ((*r)->size, wire.size());
    EXPECT_EQ(type_of((*r)->packet), type_of(f.expected));
    EXPECT_TRUE((*r)->packet == f.expected);
  }
}

TEST(MqttFixtures, EncodeToTheirBytes) {
  for (const auto& f : valid_fixtures()) {
    SCOPED_TRACE(f.name);
    bytes out;
    const auto r = encode(f.expected, out);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(to_hex(out), to_hex(from_hex(f.hex)));
  }
}

TEST(MqttFixtures, CoverEveryPacketType) {
  std::set<packet_type> seen;
  for (const auto& f : valid_fixtures()) seen.insert(type_of(f.expected));
  EXPECT_EQ(seen.size(), 14u);
}

TEST(MqttFixtures, FixedHeaderAgreesWithDecode) {
  for (const auto& f : valid_fixtures()) {
    SCOPED_TRACE(f.name);
    const bytes wire = from_hex(f.hex);
    const auto h = decode_fixed_header(wire);
    ASSERT_TRUE(h.ok()) << h.error().message;
    ASSERT_TRUE(h->has_value());
    EXPECT_EQ((*h)->type, type_of(f.expected));
    EXPECT_EQ((*h)->flags, wire[0] & 0x0F);
    EXPECT_EQ((*h)->header_size, 2u);
    EXPECT_EQ((*h)->packet_size(), wire.size());
  }
}

TEST(MqttFixtures, ConnectFieldsOfTheSpecExample) {
  const auto r =
      decode(from_hex("10 21 00 04 4D 51 54 54 04 CE 00 0A 00 01 61 00 03 77 2F 74 00 03 62 79 65 "
                      "00 04 75 73 65 72 00 02 00 FF"));
  ASSERT_TRUE(r.ok() && r->has_value());
  const auto& c = std::get<connect_packet>((*r)->packet);
  EXPECT_EQ(c.protocol_name, "MQTT");
  EXPECT_EQ(c.protocol_level, 4);
  EXPECT_TRUE(c.clean_session);
  EXPECT_EQ(c.keep_alive, 10);
  EXPECT_EQ(c.client_id, "a");
  ASSERT_TRUE(c.will.has_value());
  EXPECT_EQ(c.will->topic, "w/t");
  EXPECT_EQ(c.will->message, testing::to_bytes("bye"));
  EXPECT_EQ(c.will->qos, qos::at_least_once);
  EXPECT_FALSE(c.will->retain);
  EXPECT_EQ(c.username, "user");
  EXPECT_EQ(c.password, (bytes{0x00, 0xFF}));
}

TEST(MqttFixtures, TypeNames) {
  EXPECT_EQ(to_string(packet_type::connect), "CONNECT");
  EXPECT_EQ(to_string(packet_type::unsuback), "UNSUBACK");
  EXPECT_EQ(to_string(packet_type::disconnect), "DISCONNECT");
  EXPECT_EQ(to_string(static_cast<packet_type>(15)), "RESERVED");
  EXPECT_EQ(type_of(packet{pubrel_packet{1}}), packet_type::pubrel);
}

}  // namespace
}  // namespace tributary::adapters::mqtt
