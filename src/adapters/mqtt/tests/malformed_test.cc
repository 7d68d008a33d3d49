// Malformed packets as data: one row per way a packet can break MQTT 3.1.1, named after what it
// breaks, with the error code decode must report and a piece of its message (usually the clause).
// Every codec_errc that decoding can produce has at least one row; each row is also fed byte by
// byte, where every prefix must ask for more bytes or fail the same way.
#include <gtest/gtest.h>

#include <set>

#include "adapters/mqtt/codec.h"
#include "adapters/mqtt/tests/test_support.h"

namespace tributary::adapters::mqtt {
namespace {

using testing::from_hex;

struct malformed {
  const char* name;
  const char* hex;
  codec_errc code;
  const char* message_part;
  std::size_t max_packet_bytes = max_packet_size;
};

const malformed kMalformed[] = {
    {"type_0_reserved", "00 00", codec_errc::reserved_packet_type, "packet type 0 is reserved"},
    {"type_15_reserved", "F0 00", codec_errc::reserved_packet_type, "packet type 15 is reserved"},

    {"connect_flags_1", "11 0C 00 04 4D 51 54 54 04 02 00 3C 00 00", codec_errc::invalid_header_flags,
     "flags 0x1 of CONNECT must be 0x0 [MQTT-2.2.2-1]"},
    {"puback_flags_2", "42 02 00 0A", codec_errc::invalid_header_flags, "of PUBACK must be 0x0"},
    {"pubrel_flags_0", "60 02 00 0A", codec_errc::invalid_header_flags, "flags 0x0 of PUBREL must be 0x2"},
    {"subscribe_flags_0", "80 0E 00 0A 00 03 61 2F 62 01 00 03 63 2F 64 02", codec_errc::invalid_header_flags,
     "of SUBSCRIBE must be 0x2"},
    {"unsubscribe_flags_3", "A3 0C 00 0A 00 03 61 2F 62 00 03 63 2F 64", codec_errc::invalid_header_flags,
     "of UNSUBSCRIBE must be 0x2"},
    {"pingreq_flags_8", "C8 00", codec_errc::invalid_header_flags, "of PINGREQ"},
    {"disconnect_flags_1", "E1 00", codec_errc::invalid_header_flags, "of DISCONNECT"},

    {"publish_qos_3", "36 05 00 03 61 2F 62", codec_errc::invalid_qos, "[MQTT-3.3.1-4]"},
    {"publish_dup_with_qos_0", "38 05 00 03 61 2F 62", codec_errc::dup_with_qos0, "[MQTT-3.3.1-2]"},

    {"remaining_length_5th_byte", "30 80 80 80 80 01", codec_errc::remaining_length_too_long, "at most 4 bytes"},
    {"remaining_length_ff_ff_ff_ff", "30 FF FF FF FF 7F", codec_errc::remaining_length_too_long, "(§2.2.3)"},

    {"puback_length_3", "40 03 00 0A 00", codec_errc::invalid_remaining_length,
     "PUBACK has remaining length 3, it must be 2"},
    {"connack_length_1", "20 01 00", codec_errc::invalid_remaining_length, "CONNACK has remaining length 1"},
    {"unsuback_length_0", "B0 00", codec_errc::invalid_remaining_length, "UNSUBACK has remaining length 0"},
    {"pingreq_length_1", "C0 01 00", codec_errc::invalid_remaining_length, "it must be 0"},
    {"disconnect_length_2", "E0 02 00 00", codec_errc::invalid_remaining_length, "DISCONNECT"},

    {"publish_over_limit", "30 0A 00 03 61 2F 62 68 65 6C 6C 6F", codec_errc::packet_too_large,
     "PUBLISH of 12 bytes exceeds the limit of 11 bytes", 11},

    {"connect_protocol_name_cut", "10 05 00 04 4D 51 54", codec_errc::truncated,
     "CONNECT protocol name at byte 4: needs 4 bytes, the packet has 3 left"},
    {"connect_will_flag_without_will_topic", "10 0D 00 04 4D 51 54 54 04 06 00 3C 00 01 61", codec_errc::truncated,
     "CONNECT will topic at byte 15"},
    {"connect_username_flag_without_user_name", "10 0D 00 04 4D 51 54 54 04 82 00 3C 00 01 61", codec_errc::truncated,
     "CONNECT user name"},
    {"publish_empty_body", "30 00", codec_errc::truncated, "PUBLISH topic name at byte 2"},
    {"publish_topic_length_past_end", "30 03 00 05 61", codec_errc::truncated, "needs 5 bytes"},
    {"publish_qos1_without_packet_id", "32 05 00 03 61 2F 62", codec_errc::truncated, "packet identifier"},
    {"subscribe_filter_without_qos", "82 07 00 0A 00 03 61 2F 62", codec_errc::truncated, "requested QoS"},

    {"connect_byte_after_client_id", "10 0E 00 04 4D 51 54 54 04 02 00 3C 00 01 61 FF", codec_errc::trailing_bytes,
     "1 byte after the last field the connect flags announce"},
    {"connect_user_name_without_flag", "10 13 00 04 4D 51 54 54 04 02 00 3C 00 01 61 00 04 75 73 65 72",
     codec_errc::trailing_bytes, "[MQTT-3.1.2-18]"},

    {"client_id_overlong_nul", "10 0E 00 04 4D 51 54 54 04 02 00 3C 00 02 C0 80", codec_errc::invalid_utf8,
     "CONNECT client identifier at byte 14: overlong encoding"},
    {"topic_surrogate_d800", "30 05 00 03 ED A0 80", codec_errc::invalid_utf8,
     "PUBLISH topic name at byte 4: UTF-16 surrogate U+D800"},
    {"topic_above_10ffff", "30 06 00 04 F4 90 80 80", codec_errc::invalid_utf8, "beyond U+10FFFF [MQTT-1.5.3-1]"},
    {"topic_sequence_cut", "30 04 00 02 61 E2", codec_errc::invalid_utf8, "cut short"},
    {"filter_lone_continuation", "82 06 00 01 00 01 80 00", codec_errc::invalid_utf8, "continuation byte 0x80"},

    {"topic_nul", "30 05 00 03 61 00 62", codec_errc::null_character, "at byte 5: U+0000 in a string [MQTT-1.5.3-2]"},
    {"client_id_nul", "10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 00", codec_errc::null_character, "client identifier"},

    {"protocol_name_mqisdp", "10 0F 00 06 4D 51 49 73 64 70 03 02 00 3C 00 01 61", codec_errc::invalid_protocol_name,
     "\"MQIsdp\" is not \"MQTT\" [MQTT-3.1.2-1]"},
    {"protocol_name_lowercase", "10 0D 00 04 6D 71 74 74 04 02 00 3C 00 01 61", codec_errc::invalid_protocol_name,
     "\"mqtt\""},

    {"protocol_level_3", "10 0D 00 04 4D 51 54 54 03 02 00 3C 00 01 61", codec_errc::unacceptable_protocol_level,
     "level 3 is not 4 (MQTT 3.1.1); answer CONNACK 0x01 [MQTT-3.1.2-2]"},
    {"protocol_level_5", "10 0E 00 04 4D 51 54 54 05 02 00 3C 00 00 01 61", codec_errc::unacceptable_protocol_level,
     "level 5"},

    {"connect_reserved_flag", "10 0D 00 04 4D 51 54 54 04 03 00 3C 00 01 61", codec_errc::reserved_connect_flag,
     "CONNECT connect flags at byte 9: reserved bit 0 is set [MQTT-3.1.2-3]"},
    {"will_qos_without_will", "10 0D 00 04 4D 51 54 54 04 0A 00 3C 00 01 61", codec_errc::will_flags_without_will,
     "[MQTT-3.1.2-13]"},
    {"will_retain_without_will", "10 0D 00 04 4D 51 54 54 04 22 00 3C 00 01 61", codec_errc::will_flags_without_will,
     "[MQTT-3.1.2-15]"},
    {"will_qos_3", "10 0D 00 04 4D 51 54 54 04 1E 00 3C 00 01 61", codec_errc::invalid_will_qos, "[MQTT-3.1.2-14]"},
    {"password_without_username", "10 0D 00 04 4D 51 54 54 04 42 00 3C 00 01 61", codec_errc::password_without_username,
     "[MQTT-3.1.2-22]"},

    {"publish_empty_topic", "30 02 00 00", codec_errc::empty_topic, "empty topic name [MQTT-4.7.3-1]"},
    {"subscribe_empty_filter", "82 05 00 0A 00 00 00", codec_errc::empty_topic, "empty topic filter"},
    {"will_empty_topic", "10 11 00 04 4D 51 54 54 04 06 00 3C 00 01 61 00 00 00 00", codec_errc::empty_topic,
     "CONNECT will topic"},

    {"publish_topic_plus", "30 05 00 03 61 2F 2B", codec_errc::wildcard_in_topic_name,
     "at byte 6: wildcard '+' in a topic name [MQTT-3.3.2-2]"},
    {"publish_topic_hash", "30 03 00 01 23", codec_errc::wildcard_in_topic_name, "wildcard '#'"},
    {"will_topic_hash", "10 15 00 04 4D 51 54 54 04 06 00 3C 00 01 61 00 03 61 2F 23 00 01 78",
     codec_errc::wildcard_in_topic_name, "CONNECT will topic"},

    {"filter_hash_not_alone", "82 12 00 01 00 0D 73 70 6F 72 74 2F 74 65 6E 6E 69 73 23 00",
     codec_errc::invalid_topic_filter, "[MQTT-4.7.1-2]"},
    {"filter_hash_not_last", "82 1B 00 01 00 16 73 70 6F 72 74 2F 74 65 6E 6E 69 73 2F 23 2F 72 61 6E 6B 69 6E 67 00",
     codec_errc::invalid_topic_filter, "'#' must be the last character"},
    {"filter_plus_not_alone", "82 0B 00 01 00 06 73 70 6F 72 74 2B 00", codec_errc::invalid_topic_filter,
     "[MQTT-4.7.1-3]"},
    {"unsubscribe_filter_plus_not_alone", "A2 08 00 01 00 04 61 2F 2B 62", codec_errc::invalid_topic_filter,
     "UNSUBSCRIBE topic filter at byte 8"},

    {"publish_qos1_packet_id_0", "32 07 00 03 61 2F 62 00 00", codec_errc::invalid_packet_id, "[MQTT-2.3.1-1]"},
    {"puback_packet_id_0", "40 02 00 00", codec_errc::invalid_packet_id, "PUBACK packet identifier at byte 2"},
    {"pubrel_packet_id_0", "62 02 00 00", codec_errc::invalid_packet_id, "PUBREL"},
    {"subscribe_packet_id_0", "82 08 00 00 00 03 61 2F 62 00", codec_errc::invalid_packet_id, "SUBSCRIBE"},
    {"suback_packet_id_0", "90 03 00 00 00", codec_errc::invalid_packet_id, "SUBACK"},
    {"unsubscribe_packet_id_0", "A2 07 00 00 00 03 61 2F 62", codec_errc::invalid_packet_id, "UNSUBSCRIBE"},

    {"subscribe_without_filters", "82 02 00 0A", codec_errc::no_topic_filters, "[MQTT-3.8.3-3]"},
    {"unsubscribe_without_filters", "A2 02 00 0A", codec_errc::no_topic_filters, "[MQTT-3.10.3-2]"},

    {"requested_qos_3", "82 08 00 0A 00 03 61 2F 62 03", codec_errc::invalid_requested_qos,
     "requested QoS at byte 9: byte 3"},
    {"requested_qos_reserved_bit_2", "82 08 00 0A 00 03 61 2F 62 04", codec_errc::invalid_requested_qos,
     "[MQTT-3-8.3-4]"},
    {"requested_qos_reserved_bit_7", "82 08 00 0A 00 03 61 2F 62 81", codec_errc::invalid_requested_qos, "byte 129"},

    {"suback_without_return_codes", "90 02 00 0A", codec_errc::no_return_codes, "no return code"},
    {"suback_return_code_3", "90 03 00 0A 03", codec_errc::invalid_suback_return_code, "3 is reserved [MQTT-3.9.3-2]"},
    {"suback_return_code_0x81", "90 03 00 0A 81", codec_errc::invalid_suback_return_code, "129 is reserved"},

    {"connack_reserved_flags", "20 02 02 00", codec_errc::reserved_connack_flags, "reserved bits 7-1"},
    {"connack_return_code_6", "20 02 00 06", codec_errc::invalid_connack_return_code, "6 is reserved"},
    {"connack_session_present_with_refusal", "20 02 01 05", codec_errc::session_present_with_refusal, "[MQTT-3.2.2-4]"},
};

decode_limits limits_of(const malformed& m) { return decode_limits{m.max_packet_bytes}; }

TEST(MqttMalformed, EachRowFailsWithItsCodeAndMessage) {
  for (const auto& m : kMalformed) {
    SCOPED_TRACE(m.name);
    const auto r = decode(from_hex(m.hex), limits_of(m));
    ASSERT_FALSE(r.ok()) << "decoded";
    EXPECT_EQ(to_string(r.error().code), to_string(m.code));
    EXPECT_NE(r.error().message.find(m.message_part), std::string::npos) << r.error().message;
  }
}

TEST(MqttMalformed, EveryDecodeErrorCodeHasARow) {
  std::set<codec_errc> seen;
  for (const auto& m : kMalformed) seen.insert(m.code);
  for (int i = 1; i <= codec_errc_count; ++i) {
    const auto code = static_cast<codec_errc>(i);
    if (code == codec_errc::string_too_long) continue;  // encode only: decoded lengths fit by construction
    EXPECT_TRUE(seen.count(code)) << "no malformed fixture for " << to_string(code);
  }
}

TEST(MqttMalformed, EveryCodeHasAName) {
  std::set<std::string_view> names;
  for (int i = 1; i <= codec_errc_count; ++i) names.insert(to_string(static_cast<codec_errc>(i)));
  EXPECT_EQ(names.size(), static_cast<std::size_t>(codec_errc_count));
  EXPECT_EQ(names.count("unknown codec error"), 0u);
}

// A session sees bytes as they arrive: no prefix may decode, or fail differently.
TEST(MqttMalformed, EveryPrefixNeedsMoreOrFailsTheSameWay) {
  for (const auto& m : kMalformed) {
    SCOPED_TRACE(m.name);
    const bytes wire = from_hex(m.hex);
    for (std::size_t n = 0; n <= wire.size(); ++n) {
      const auto r = decode(std::span(wire).first(n), limits_of(m));
      if (r.ok()) {
        EXPECT_FALSE(r->has_value()) << "a " << n << "-byte prefix decoded";
        EXPECT_LT(n, wire.size());
      } else {
        EXPECT_EQ(r.error().code, m.code) << n << "-byte prefix: " << r.error().message;
      }
    }
  }
}

TEST(MqttMalformed, BytesAfterTheBadPacketChangeNothing) {
  for (const auto& m : kMalformed) {
    SCOPED_TRACE(m.name);
    bytes wire = from_hex(m.hex);
    wire.insert(wire.end(), {0xC0, 0x00});  // a PINGREQ behind it
    const auto r = decode(wire, limits_of(m));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, m.code);
  }
}

TEST(MqttMalformed, ErrorsShowAsSoonAsTheFirstByte) {
  for (const char* hex : {"00", "F0", "36", "38", "41", "60", "80", "A0", "C1", "E8", "1F"}) {
    SCOPED_TRACE(hex);
    const auto header = decode_fixed_header(from_hex(hex));
    EXPECT_FALSE(header.ok());
    const auto r = decode(from_hex(hex));
    EXPECT_FALSE(r.ok());
  }
}

TEST(MqttMalformed, UnacceptableProtocolLevelIsTheOnlyCodeThatIsNotMalformed) {
  // What the session needs for CONNACK 0x01: the code, after a CONNECT whose name was "MQTT".
  const auto r = decode(from_hex("10 0D 00 04 4D 51 54 54 03 02 00 3C 00 01 61"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, codec_errc::unacceptable_protocol_level);
  EXPECT_EQ(r.error().message,
            "CONNECT protocol level at byte 8: level 3 is not 4 (MQTT 3.1.1); answer CONNACK 0x01 [MQTT-3.1.2-2]");
}

}  // namespace
}  // namespace tributary::adapters::mqtt
