// The MQTT 3.1.1 wire codec, sans I/O: decode_fixed_header and decode turn received bytes into
// packets.h values ("need more", one packet and its size, or an error), encode appends a packet's
// bytes. Pure functions over caller-owned buffers, callable from any thread; they never throw or
// assert on malformed input and allocate only for bytes already received. Sessions, CONNECT-first
// ordering [MQTT-3.1.0-1], keep-alive and CONNACK answers belong to the adapter, not here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "adapters/mqtt/packets.h"
#include "common/result.h"

namespace tributary::adapters::mqtt {

// Why bytes are not a valid packet (decode) or a packet cannot be written (encode). Every value but
// unacceptable_protocol_level means "malformed": close the connection without an answer.
enum class codec_errc {
  reserved_packet_type = 1,     // packet type 0 or 15 (§2.2.1, Table 2.1)
  invalid_header_flags,         // fixed-header flags other than Table 2.2 prescribes [MQTT-2.2.2-1/2]
  invalid_qos,                  // PUBLISH with both QoS bits set [MQTT-3.3.1-4]
  dup_with_qos0,                // PUBLISH with DUP set and QoS 0 [MQTT-3.3.1-2]
  remaining_length_too_long,    // continuation bit on the 4th remaining-length byte (§2.2.3)
  invalid_remaining_length,     // a fixed-size packet (CONNACK, PUBACK, ..., PINGREQ) of another size
  packet_too_large,             // above decode_limits::max_packet_bytes; encode: above max_remaining_length
  truncated,                    // a field runs past the end of the packet (e.g. a flagged field is absent)
  trailing_bytes,               // bytes after the last field the packet can hold
  invalid_utf8,                 // ill-formed UTF-8: overlong, surrogate, > U+10FFFF, cut short [MQTT-1.5.3-1]
  null_character,               // U+0000 in a UTF-8 string [MQTT-1.5.3-2]
  string_too_long,              // encode only: a string or binary field over 65535 bytes (§1.5.3)
  invalid_protocol_name,        // CONNECT protocol name other than "MQTT" [MQTT-3.1.2-1]
  unacceptable_protocol_level,  // CONNECT protocol level other than 4: answer CONNACK 0x01 [MQTT-3.1.2-2]
  reserved_connect_flag,        // CONNECT flags bit 0 set [MQTT-3.1.2-3]
  will_flags_without_will,      // will QoS or will retain set without the will flag [MQTT-3.1.2-13/15]
  invalid_will_qos,             // will QoS 3 [MQTT-3.1.2-14]
  password_without_username,    // password flag without user name flag [MQTT-3.1.2-22]
  empty_topic,                  // a topic name or filter of zero length [MQTT-4.7.3-1]
  wildcard_in_topic_name,       // '+' or '#' in a topic name [MQTT-3.3.2-2], [MQTT-4.7.1-1]
  invalid_topic_filter,         // '#' not last or not alone in its level, '+' not alone [MQTT-4.7.1-2/3]
  invalid_packet_id,            // packet id 0 where one is required [MQTT-2.3.1-1]; encode: one on QoS 0 [MQTT-2.3.1-5]
  no_topic_filters,             // SUBSCRIBE or UNSUBSCRIBE without a filter [MQTT-3.8.3-3], [MQTT-3.10.3-2]
  invalid_requested_qos,        // SUBSCRIBE requested QoS byte with reserved bits set or QoS 3 [MQTT-3-8.3-4]
  no_return_codes,              // SUBACK without a return code (§3.9.3)
  invalid_suback_return_code,   // SUBACK return code not 0x00, 0x01, 0x02 or 0x80 [MQTT-3.9.3-2]
  reserved_connack_flags,       // CONNACK acknowledge flags bits 7-1 set (§3.2.2.1)
  invalid_connack_return_code,  // CONNACK return code 6-255 (§3.2.2.3, Table 3.1)
  session_present_with_refusal,  // CONNACK session present with a non-zero return code [MQTT-3.2.2-4]
  // Keep session_present_with_refusal last (codec_errc_count) and the values dense from 1.
};
inline constexpr int codec_errc_count = static_cast<int>(codec_errc::session_present_with_refusal);
std::string_view to_string(codec_errc code);

// code + "<PACKET> <field> at byte <n>: <what> [clause]", n counted from the packet's first byte.
using codec_error = coded_error<codec_errc>;

template <typename T>
using codec_result = result<T, codec_error>;

inline constexpr std::uint32_t max_remaining_length = 268'435'455;  // 0xFF 0xFF 0xFF 0x7F (§2.2.3)
inline constexpr std::size_t max_fixed_header_size = 5;
inline constexpr std::size_t max_packet_size = max_fixed_header_size + max_remaining_length;

struct decode_limits {
  // The whole packet, fixed header included. Checked as soon as the remaining length is known, so
  // an oversized packet is refused before its body is awaited or anything is allocated for it.
  std::size_t max_packet_bytes = max_packet_size;
};

struct fixed_header {
  packet_type type = packet_type::connect;
  std::uint8_t flags = 0;              // bits 3-0 of the first byte (for PUBLISH: DUP, QoS, RETAIN)
  std::uint32_t remaining_length = 0;  // variable header + payload
  std::size_t header_size = 0;         // 2-5: the first byte and 1-4 remaining-length bytes
  std::size_t packet_size() const { return header_size + remaining_length; }
  bool operator==(const fixed_header&) const = default;
};

// The fixed header at the start of `bytes`, or nullopt when more bytes are needed to finish it.
// Everything the header alone can show is checked: the type, its flags, the remaining length's
// encoding (non-minimal encodings are accepted, as 3.1.1 does not forbid them), the exact sizes of
// fixed-size packets and `limits`. A session reads this first to refuse a packet before its body.
codec_result<std::optional<fixed_header>> decode_fixed_header(std::span<const std::uint8_t> bytes,
                                                              const decode_limits& limits = {});

struct decoded_packet {
  mqtt::packet packet;
  std::size_t size = 0;  // bytes consumed from the front of the input: the whole packet
};

// The packet at the start of `bytes` (more may follow; only the first is read), or nullopt when
// `bytes` holds less than the whole packet (nothing consumed; retry with more). An error is final:
// the stream cannot be resynchronised, close the connection.
codec_result<std::optional<decoded_packet>> decode(std::span<const std::uint8_t> bytes,
                                                   const decode_limits& limits = {});

// Appends the packet's bytes to `out`, or fails and leaves `out` as it was. Checks the rules decode
// checks, so whatever encodes also decodes to an equal packet; the one exception is CONNECT's
// protocol name and level, written as given so a test client can provoke CONNACK 0x01.
codec_result<void> encode(const packet& p, bytes& out);
codec_result<void> encode(const connect_packet& p, bytes& out);
codec_result<void> encode(const connack_packet& p, bytes& out);
codec_result<void> encode(const publish_packet& p, bytes& out);
codec_result<void> encode(const puback_packet& p, bytes& out);
codec_result<void> encode(const pubrec_packet& p, bytes& out);
codec_result<void> encode(const pubrel_packet& p, bytes& out);
codec_result<void> encode(const pubcomp_packet& p, bytes& out);
codec_result<void> encode(const subscribe_packet& p, bytes& out);
codec_result<void> encode(const suback_packet& p, bytes& out);
codec_result<void> encode(const unsubscribe_packet& p, bytes& out);
codec_result<void> encode(const unsuback_packet& p, bytes& out);
codec_result<void> encode(const pingreq_packet& p, bytes& out);
codec_result<void> encode(const pingresp_packet& p, bytes& out);
codec_result<void> encode(const disconnect_packet& p, bytes& out);

// Appends a fixed header (minimal remaining-length encoding), for a writer that sends the body from
// elsewhere (e.g. a PUBLISH payload by scatter I/O). Refuses what decode_fixed_header would refuse,
// except the size limit; header_size is ignored.
codec_result<void> encode_fixed_header(const fixed_header& header, bytes& out);

}  // namespace tributary::adapters::mqtt
