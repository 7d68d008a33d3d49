// MQTT 3.1.1 control packets as plain values: one struct per packet type and `packet`, the variant
// over all fourteen. Owns only the data model and must not know the wire format (codec.h) or any
// session rule; the adapter's handlers use these structs without touching bytes. Values are copied
// freely between threads; nothing here refers to a buffer or a socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tributary::adapters::mqtt {

// The control packet type, bits 7-4 of the first byte (MQTT 3.1.1 §2.2.1, Table 2.1). 0 and 15 are
// reserved and never produced by the decoder.
enum class packet_type : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
};

// "CONNECT", "PUBLISH", ...; "RESERVED" for 0, 15 and anything else outside the enum.
std::string_view to_string(packet_type type);

enum class qos : std::uint8_t {
  at_most_once = 0,
  at_least_once = 1,
  exactly_once = 2,
};

// CONNACK return codes (§3.2.2.3, Table 3.1); 6-255 are reserved.
enum class connect_return_code : std::uint8_t {
  accepted = 0x00,
  unacceptable_protocol_level = 0x01,
  identifier_rejected = 0x02,
  server_unavailable = 0x03,
  bad_username_or_password = 0x04,
  not_authorized = 0x05,
};

// SUBACK return codes (§3.9.3); all other values are reserved [MQTT-3.9.3-2].
enum class suback_return_code : std::uint8_t {
  granted_qos0 = 0x00,
  granted_qos1 = 0x01,
  granted_qos2 = 0x02,
  failure = 0x80,
};

using bytes = std::vector<std::uint8_t>;

// The only protocol name and level that decode accepts (§3.1.2.1, §3.1.2.2).
inline constexpr std::string_view protocol_name_mqtt = "MQTT";
inline constexpr std::uint8_t protocol_level_3_1_1 = 4;

struct will_message {
  std::string topic;  // a topic name: UTF-8, not empty, no wildcards
  bytes message;      // binary, at most 65535 bytes
  mqtt::qos qos = qos::at_most_once;
  bool retain = false;
  bool operator==(const will_message&) const = default;
};

// The connect flags byte (§3.1.2.3) is not stored: it follows from clean_session and which of
// will, username and password are present.
struct connect_packet {
  std::string protocol_name{protocol_name_mqtt};
  std::uint8_t protocol_level = protocol_level_3_1_1;
  bool clean_session = true;
  std::uint16_t keep_alive = 0;  // seconds; 0 turns keep-alive off
  std::string client_id;         // may be empty (only with clean_session, the session's check [MQTT-3.1.3-7])
  std::optional<will_message> will;
  std::optional<std::string> username;
  std::optional<bytes> password;  // binary; only with a username [MQTT-3.1.2-22]
  bool operator==(const connect_packet&) const = default;
};

struct connack_packet {
  bool session_present = false;  // must be false unless return_code is accepted [MQTT-3.2.2-4]
  connect_return_code return_code = connect_return_code::accepted;
  bool operator==(const connack_packet&) const = default;
};

struct publish_packet {
  bool dup = false;  // only with qos > 0 [MQTT-3.3.1-2]
  mqtt::qos qos = qos::at_most_once;
  bool retain = false;
  std::string topic;            // a topic name: UTF-8, not empty, no wildcards
  std::uint16_t packet_id = 0;  // non-zero with qos > 0, zero (absent on the wire) with qos 0
  bytes payload;
  bool operator==(const publish_packet&) const = default;
};

struct puback_packet {
  std::uint16_t packet_id = 0;
  bool operator==(const puback_packet&) const = default;
};

struct pubrec_packet {
  std::uint16_t packet_id = 0;
  bool operator==(const pubrec_packet&) const = default;
};

struct pubrel_packet {
  std::uint16_t packet_id = 0;
  bool operator==(const pubrel_packet&) const = default;
};

struct pubcomp_packet {
  std::uint16_t packet_id = 0;
  bool operator==(const pubcomp_packet&) const = default;
};

struct subscription {
  std::string filter;  // a topic filter: UTF-8, not empty, wildcards only as whole levels
  mqtt::qos requested_qos = qos::at_most_once;
  bool operator==(const subscription&) const = default;
};

struct subscribe_packet {
  std::uint16_t packet_id = 0;
  std::vector<subscription> subscriptions;  // at least one
  bool operator==(const subscribe_packet&) const = default;
};

struct suback_packet {
  std::uint16_t packet_id = 0;
  std::vector<suback_return_code> return_codes;  // one per subscription, at least one
  bool operator==(const suback_packet&) const = default;
};

struct unsubscribe_packet {
  std::uint16_t packet_id = 0;
  std::vector<std::string> filters;  // at least one
  bool operator==(const unsubscribe_packet&) const = default;
};

struct unsuback_packet {
  std::uint16_t packet_id = 0;
  bool operator==(const unsuback_packet&) const = default;
};

struct pingreq_packet {
  bool operator==(const pingreq_packet&) const = default;
};

struct pingresp_packet {
  bool operator==(const pingresp_packet&) const = default;
};

struct disconnect_packet {
  bool operator==(const disconnect_packet&) const = default;
};

// In packet_type order: index() + 1 is the packet's type (see type_of).
using packet = std::variant<connect_packet, connack_packet, publish_packet, puback_packet, pubrec_packet, pubrel_packet,
                            pubcomp_packet, subscribe_packet, suback_packet, unsubscribe_packet, unsuback_packet,
                            pingreq_packet, pingresp_packet, disconnect_packet>;

inline packet_type type_of(const packet& p) { return static_cast<packet_type>(p.index() + 1); }

}  // namespace tributary::adapters::mqtt
