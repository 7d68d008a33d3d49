// encode: appends, refuses what decode would refuse (leaving the buffer as it was), the per-type
// overloads agree with the variant, and what encodes decodes to an equal packet.
#include <gtest/gtest.h>

#include "adapters/mqtt/codec.h"
#include "adapters/mqtt/tests/test_support.h"
#include "adapters/mqtt/tests/valid_packets.h"

namespace tributary::adapters::mqtt {
namespace {

using testing::from_hex;
using testing::to_bytes;
using testing::to_hex;

// Encodes after some existing bytes; on failure checks they are untouched and returns the code.
template <typename P>
std::optional<codec_errc> encode_error(const P& p) {
  bytes out{0xAB, 0xCD};
  const auto r = encode(p, out);
  if (r.ok()) return std::nullopt;
  EXPECT_EQ(out, (bytes{0xAB, 0xCD})) << "a failed encode changed the buffer";
  EXPECT_FALSE(r.error().message.empty());
  return r.error().code;
}

TEST(MqttEncoder, AppendsToTheBuffer) {
  bytes out;
  ASSERT_TRUE(encode(connack_packet{false, connect_return_code::accepted}, out).ok());
  ASSERT_TRUE(encode(puback_packet{7}, out).ok());
  ASSERT_TRUE(encode(pingresp_packet{}, out).ok());
  EXPECT_EQ(to_hex(out), "20 02 00 00 40 02 00 07 D0 00");
}

TEST(MqttEncoder, OverloadsAgreeWithTheVariant) {
  for (const auto& f : testing::valid_fixtures()) {
    SCOPED_TRACE(f.name);
    bytes via_variant;
    bytes via_overload;
    ASSERT_TRUE(encode(f.expected, via_variant).ok());
    ASSERT_TRUE(std::visit([&](const auto& p) { return encode(p, via_overload).ok(); }, f.expected));
    EXPECT_EQ(via_variant, via_overload);
  }
}

TEST(MqttEncoder, RoundTripsBuiltPackets) {
  connect_packet c;
  c.clean_session = false;
  c.client_id = "gw-1";
  c.keep_alive = 0xFFFF;
  c.username = "";
  c.password = bytes{};
  c.will = will_message{"w", bytes(300, 0x00), qos::at_most_once, true};
  publish_packet big{false, qos::at_least_once, true, "telemetry", 42, bytes(70'000, 0x7E)};
  subscribe_packet s{65535, {}};
  for (int i = 0; i < 100; ++i) s.subscriptions.push_back({"c/" + std::to_string(i) + "/+/#", static_cast<qos>(i % 3)});
  unsubscribe_packet u{3, {"#", "+", "a/+/b"}};
  for (const packet& p : {packet{c}, packet{big}, packet{s}, packet{u}}) {
    SCOPED_TRACE(to_string(type_of(p)));
    bytes wire;
    ASSERT_TRUE(encode(p, wire).ok());
    const auto r = decode(wire);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->size, wire.size());
    EXPECT_TRUE((*r)->packet == p);
  }
}

TEST(MqttEncoder, RefusesWhatDecodeRefuses) {
  const std::string too_long(65'536, 'a');
  publish_packet pub{false, qos::at_most_once, false, "a/b", 0, {}};

  auto p = pub;
  p.topic = too_long;
  EXPECT_EQ(encode_error(p), codec_errc::string_too_long);
  p = pub;
  p.topic = std::string(65'535, 'a');
  EXPECT_EQ(encode_error(p), std::nullopt);  // the longest topic fits
  p = pub;
  p.topic = "a/+";
  EXPECT_EQ(encode_error(p), codec_errc::wildcard_in_topic_name);
  p = pub;
  p.topic = "";
  EXPECT_EQ(encode_error(p), codec_errc::empty_topic);
  p = pub;
  p.topic = "a\xED\xA0\x80";
  EXPECT_EQ(encode_error(p), codec_errc::invalid_utf8);
  p = pub;
  p.qos = static_cast<qos>(3);
  EXPECT_EQ(encode_error(p), codec_errc::invalid_qos);
  p = pub;
  p.dup = true;
  EXPECT_EQ(encode_error(p), codec_errc::dup_with_qos0);
  p = pub;
  p.packet_id = 5;
  EXPECT_EQ(encode_error(p), codec_errc::invalid_packet_id);  // [MQTT-2.3.1-5]
  p = pub;
  p.qos = qos::at_least_once;
  EXPECT_EQ(encode_error(p), codec_errc::invalid_packet_id);  // [MQTT-2.3.1-1]

  connect_packet c;
  c.client_id = std::string("a\0", 2);
  EXPECT_EQ(encode_error(c), codec_errc::null_character);
  c = connect_packet{};
  c.password = bytes{1};
  EXPECT_EQ(encode_error(c), codec_errc::password_without_username);
  c = connect_packet{};
  c.username = "u";
  c.password = bytes(65'536, 0);
  EXPECT_EQ(encode_error(c), codec_errc::string_too_long);
  c = connect_packet{};
  c.will = will_message{"w", {}, static_cast<qos>(3), false};
  EXPECT_EQ(encode_error(c), codec_errc::invalid_will_qos);
  c = connect_packet{};
  c.will = will_message{"w/#", {}, qos::at_most_once, false};
  EXPECT_EQ(encode_error(c), codec_errc::wildcard_in_topic_name);
  c = connect_packet{};
  c.will = will_message{"w", bytes(65'536, 0), qos::at_most_once, false};
  EXPECT_EQ(encode_error(c), codec_errc::string_too_long);

  EXPECT_EQ(encode_error(connack_packet{false, static_cast<connect_return_code>(6)}),
            codec_errc::invalid_connack_return_code);
  EXPECT_EQ(encode_error(connack_packet{true, connect_return_code::not_authorized}),
            codec_errc::session_present_with_refusal);

  EXPECT_EQ(encode_error(puback_packet{0}), codec_errc::invalid_packet_id);
  EXPECT_EQ(encode_error(pubrec_packet{0}), codec_errc::invalid_packet_id);
  EXPECT_EQ(encode_error(pubrel_packet{0}), codec_errc::invalid_packet_id);
  EXPECT_EQ(encode_error(pubcomp_packet{0}), codec_errc::invalid_packet_id);
  EXPECT_EQ(encode_error(unsuback_packet{0}), codec_errc::invalid_packet_id);

  EXPECT_EQ(encode_error(subscribe_packet{1, {}}), codec_errc::no_topic_filters);
  EXPECT_EQ(encode_error(subscribe_packet{0, {{"a", qos::at_most_once}}}), codec_errc::invalid_packet_id);
  EXPECT_EQ(encode_error(subscribe_packet{1, {{"a#", qos::at_most_once}}}), codec_errc::invalid_topic_filter);
  EXPECT_EQ(encode_error(subscribe_packet{1, {{"a", static_cast<qos>(3)}}}), codec_errc::invalid_requested_qos);
  EXPECT_EQ(encode_error(suback_packet{1, {}}), codec_errc::no_return_codes);
  EXPECT_EQ(encode_error(suback_packet{1, {static_cast<suback_return_code>(3)}}),
            codec_errc::invalid_suback_return_code);
  EXPECT_EQ(encode_error(unsubscribe_packet{1, {}}), codec_errc::no_topic_filters);
  EXPECT_EQ(encode_error(unsubscribe_packet{1, {"a/b", ""}}), codec_errc::empty_topic);
}

TEST(MqttEncoder, ErrorMessagesNameThePacketAndField) {
  bytes out;
  const auto r = encode(publish_packet{false, qos::at_most_once, false, "a/#", 0, {}}, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "encode PUBLISH topic name: at byte 2 of the string: wildcard '#' in a topic name [MQTT-3.3.2-2] "
            "[MQTT-4.7.1-1]");
}

// A test client may send another protocol level on purpose; the server side then answers 0x01.
TEST(MqttEncoder, ConnectWritesAnyProtocolLevel) {
  connect_packet c;
  c.protocol_level = 3;
  c.client_id = "a";
  c.keep_alive = 60;
  bytes wire;
  ASSERT_TRUE(encode(c, wire).ok());
  EXPECT_EQ(to_hex(wire), "10 0D 00 04 4D 51 54 54 03 02 00 3C 00 01 61");
  const auto r = decode(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, codec_errc::unacceptable_protocol_level);
}

TEST(MqttEncoder, FixedHeaderRefusesWhatDecodeRefuses) {
  bytes out;
  EXPECT_EQ(encode_fixed_header({packet_type::puback, 0, 3, 0}, out).error().code,
            codec_errc::invalid_remaining_length);
  EXPECT_EQ(encode_fixed_header({packet_type::pubrel, 0, 2, 0}, out).error().code, codec_errc::invalid_header_flags);
  EXPECT_EQ(encode_fixed_header({packet_type::publish, 0x6, 2, 0}, out).error().code, codec_errc::invalid_qos);
  EXPECT_EQ(encode_fixed_header({static_cast<packet_type>(0), 0, 0, 0}, out).error().code,
            codec_errc::reserved_packet_type);
  EXPECT_EQ(encode_fixed_header({packet_type::publish, 0x10, 0, 0}, out).error().code,
            codec_errc::invalid_header_flags);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(encode_fixed_header({packet_type::publish, 0xB, 300, 0}, out).ok());
  EXPECT_EQ(to_hex(out), "3B AC 02");
}

}  // namespace
}  // namespace tributary::adapters::mqtt
