// The MQTT fixed header (§2.2): decode_fixed_header and encode_fixed_header from codec.h, and the
// checks both share (packet type, flags per Table 2.2, remaining-length encoding, fixed body sizes).
// Nothing here looks past the fixed header; the bodies are decoder.cc's and encoder.cc's.
#include <string>

#include "adapters/mqtt/codec.h"

namespace tributary::adapters::mqtt {

namespace {

failure<codec_error> header_error(codec_errc code, std::string what) {
  return fail(codec_error{code, "fixed header: " + std::move(what)});
}

std::string hex_nibble(unsigned v) {
  const char digits[] = "0123456789ABCDEF";
  return std::string("0x") + digits[v & 0xF];
}

// The body size of packets that have only fixed fields (§3.2-§3.14), or -1 for variable ones.
long fixed_body_size(packet_type type) {
  switch (type) {
    case packet_type::connack:
    case packet_type::puback:
    case packet_type::pubrec:
    case packet_type::pubrel:
    case packet_type::pubcomp:
    case packet_type::unsuback:
      return 2;
    case packet_type::pingreq:
    case packet_type::pingresp:
    case packet_type::disconnect:
      return 0;
    default:
      return -1;
  }
}

// Type and flags, the first byte: checkable before the remaining length has arrived.
codec_result<packet_type> check_first_byte(unsigned type_bits, unsigned flags) {
  if (type_bits == 0 || type_bits == 15) {
    return header_error(codec_errc::reserved_packet_type,
                        "packet type " + std::to_string(type_bits) + " is reserved (§2.2.1)");
  }
  const auto type = static_cast<packet_type>(type_bits);
  if (type == packet_type::publish) {
    const unsigned qos_bits = (flags >> 1) & 0x3;
    if (qos_bits == 3) return header_error(codec_errc::invalid_qos, "PUBLISH with QoS 3 [MQTT-3.3.1-4]");
    if (qos_bits == 0 && (flags & 0x8) != 0) {
      return header_error(codec_errc::dup_with_qos0, "PUBLISH with DUP set and QoS 0 [MQTT-3.3.1-2]");
    }
    return type;
  }
  // PUBREL, SUBSCRIBE and UNSUBSCRIBE carry 0b0010 [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1].
  const bool reserved_one =
      type == packet_type::pubrel || type == packet_type::subscribe || type == packet_type::unsubscribe;
  const unsigned expected = reserved_one ? 0x2 : 0x0;
  if (flags != expected) {
    return header_error(codec_errc::invalid_header_flags, "flags " + hex_nibble(flags) + " of " +
                                                              std::string(to_string(type)) + " must be " +
                                                              hex_nibble(expected) + " [MQTT-2.2.2-1] [MQTT-2.2.2-2]");
  }
  return type;
}

codec_result<void> check_remaining_length(packet_type type, std::uint32_t remaining_length) {
  const long expected = fixed_body_size(type);
  if (expected >= 0 && remaining_length != static_cast<std::uint32_t>(expected)) {
    return header_error(codec_errc::invalid_remaining_length, std::string(to_string(type)) + " has remaining length " +
                                                                  std::to_string(remaining_length) + ", it must be " +
                                                                  std::to_string(expected));
  }
  return {};
}

}  // namespace

codec_result<std::optional<fixed_header>> decode_fixed_header(std::span<const std::uint8_t> bytes,
                                                              const decode_limits& limits) {
  if (bytes.empty()) return std::optional<fixed_header>();
  auto type = check_first_byte(bytes[0] >> 4, bytes[0] & 0x0F);
  if (!type) return fail(type.error());

  // §2.2.3: 7 bits a byte, least significant first, at most four bytes. The 3.1.1 text does not ask
  // for the shortest form, so 0x80 0x00 (zero in two bytes) is accepted.
  std::uint32_t remaining_length = 0;
  std::size_t header_size = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (bytes.size() < 2 + i) return std::optional<fixed_header>();
    const std::uint8_t b = bytes[1 + i];
    remaining_length |= static_cast<std::uint32_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      header_size = 2 + i;
      break;
    }
  }
  if (header_size == 0) {
    return header_error(codec_errc::remaining_length_too_long,
                        "the 4th remaining-length byte has its continuation bit set; the remaining length "
                        "takes at most 4 bytes (§2.2.3)");
  }
  if (auto size_ok = check_remaining_length(*type, remaining_length); !size_ok) return fail(size_ok.error());
  const fixed_header header{*type, static_cast<std::uint8_t>(bytes[0] & 0x0F), remaining_length, header_size};
  if (header.packet_size() > limits.max_packet_bytes) {
    return header_error(codec_errc::packet_too_large,
                        std::string(to_string(*type)) + " of " + std::to_string(header.packet_size()) +
                            " bytes exceeds the limit of " + std::to_string(limits.max_packet_bytes) + " bytes");
  }
  return std::optional<fixed_header>(header);
}

codec_result<void> encode_fixed_header(const fixed_header& header, bytes& out) {
  const auto type_bits = static_cast<unsigned>(header.type);
  if (type_bits > 15) {
    return header_error(codec_errc::reserved_packet_type, "type " + std::to_string(type_bits) + " does not fit 4 bits");
  }
  if (header.flags > 0x0F) {
    return header_error(codec_errc::invalid_header_flags,
                        "flags " + std::to_string(header.flags) + " do not fit 4 bits");
  }
  auto type = check_first_byte(type_bits, header.flags);
  if (!type) return fail(type.error());
  if (auto size_ok = check_remaining_length(header.type, header.remaining_length); !size_ok) {
    return fail(size_ok.error());
  }
  if (header.remaining_length > max_remaining_length) {
    return header_error(codec_errc::packet_too_large, "remaining length " + std::to_string(header.remaining_length) +
                                                          " exceeds " + std::to_string(max_remaining_length) +
                                                          " (§2.2.3)");
  }
  out.push_back(static_cast<std::uint8_t>(type_bits << 4 | header.flags));
  std::uint32_t v = header.remaining_length;
  do {
    std::uint8_t b = v & 0x7F;
    v >>= 7;
    if (v != 0) b |= 0x80;
    out.push_back(b);
  } while (v != 0);
  return {};
}

}  // namespace tributary::adapters::mqtt
