// The MQTT 3.1.1 packet decoder (codec.h `decode`): waits for the whole packet announced by the
// fixed header, then reads its variable header and payload with a bounded body_reader. Every length
// prefix is checked against the bytes that remain before anything is copied. Owns no state between
// calls; the fixed header itself is fixed_header.cc's, the string rules string_rules.cc's.
#include <cctype>
#include <string>
#include <utility>

#include "adapters/mqtt/codec.h"
#include "adapters/mqtt/string_rules.h"
#include "common/big_endian.h"

namespace tributary::adapters::mqtt {

namespace {

enum class string_kind { protocol_name, utf8, topic_name, topic_filter };

// Reads the fields of one packet body. The first failure is kept (with the packet type, the field
// and its offset from the packet's first byte); every read after it returns false.
class body_reader {
 public:
  body_reader(std::span<const std::uint8_t> body, const fixed_header& header) : body_(body), header_(header) {}

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return body_.size() - pos_; }
  bool at_end() const { return pos_ == body_.size(); }

  bool u8(std::uint8_t& out, const char* field) {
    if (!need(1, field)) return false;
    out = body_[pos_++];
    return true;
  }

  bool u16(std::uint16_t& out, const char* field) {
    if (!need(2, field)) return false;
    out = read_be<std::uint16_t>(body_.data() + pos_);
    pos_ += 2;
    return true;
  }

  // A non-zero packet identifier [MQTT-2.3.1-1].
  bool packet_id(std::uint16_t& out) {
    const std::size_t at = pos_;
    if (!u16(out, "packet identifier")) return false;
    if (out == 0)
      return fail_at(at, codec_errc::invalid_packet_id, "packet identifier",
                     "0 is not a valid packet identifier [MQTT-2.3.1-1]");
    return true;
  }

  // Two-byte length, then that many bytes (§1.5.3 strings, §3.1.3.3/§3.1.3.5 binary fields).
  bool binary(bytes& out, const char* field) {
    std::span<const std::uint8_t> data;
    if (!length_prefixed(data, field)) return false;
    out.assign(data.begin(), data.end());
    return true;
  }

  bool string(std::string& out, const char* field, string_kind kind) {
    const std::size_t at = pos_ + 2;
    std::span<const std::uint8_t> data;
    if (!length_prefixed(data, field)) return false;
    const std::string_view view(reinterpret_cast<const char*>(data.data()), data.size());
    std::optional<string_problem> problem;
    switch (kind) {
      case string_kind::protocol_name:
        break;
      case string_kind::utf8:
        problem = check_utf8_string(view);
        break;
      case string_kind::topic_name:
        problem = check_topic_name(view);
        break;
      case string_kind::topic_filter:
        problem = check_topic_filter(view);
        break;
    }
    if (problem) return fail_at(at + problem->offset, problem->code, field, std::move(problem->what));
    out.assign(view);
    return true;
  }

  void rest(bytes& out) {
    out.assign(body_.begin() + static_cast<std::ptrdiff_t>(pos_), body_.end());
    pos_ = body_.size();
  }

  // No bytes may follow the last field.
  bool finish(const char* after_what) {
    if (at_end()) return true;
    return fail_at(pos_, codec_errc::trailing_bytes, "end of packet",
                   std::to_string(remaining()) + (remaining() == 1 ? " byte after " : " bytes after ") + after_what);
  }

  // Fails at the offset of the field about to be read.
  bool fail_here(codec_errc code, const char* field, std::string what) {
    return fail_at(pos_, code, field, std::move(what));
  }

  bool fail_at(std::size_t body_offset, codec_errc code, const char* field, std::string what) {
    if (error_) return false;
    error_ = codec_error{code, std::string(to_string(header_.type)) + " " + field + " at byte " +
                                   std::to_string(header_.header_size + body_offset) + ": " + std::move(what)};
    return false;
  }

  codec_error take_error() { return std::move(*error_); }

 private:
  bool need(std::size_t n, const char* field) {
    if (error_) return false;
    if (remaining() < n) {
      return fail_here(codec_errc::truncated, field,
                       "needs " + std::to_string(n) + " bytes, the packet has " + std::to_string(remaining()) +
                           " left (remaining length " + std::to_string(header_.remaining_length) + ")");
    }
    return true;
  }

  bool length_prefixed(std::span<const std::uint8_t>& out, const char* field) {
    std::uint16_t length = 0;
    if (!u16(length, field)) return false;
    if (!need(length, field)) return false;
    out = body_.subspan(pos_, length);
    pos_ += length;
    return true;
  }

  std::span<const std::uint8_t> body_;
  const fixed_header& header_;
  std::size_t pos_ = 0;
  std::optional<codec_error> error_;
};

std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s.substr(0, 32)) {
    const auto b = static_cast<unsigned char>(c);
    if (std::isprint(b) && c != '"' && c != '\\') {
      out.push_back(c);
    } else {
      const char digits[] = "0123456789abcdef";
      out.append("\\x").push_back(digits[b >> 4]);
      out.push_back(digits[b & 0xF]);
    }
  }
  if (s.size() > 32) out.append("...");
  return out;
}

bool read_connect(body_reader& r, connect_packet& p) {
  if (!r.string(p.protocol_name, "protocol name", string_kind::protocol_name)) return false;
  if (p.protocol_name != protocol_name_mqtt) {
    return r.fail_at(0, codec_errc::invalid_protocol_name, "protocol name",
                     "\"" + printable(p.protocol_name) + "\" is not \"MQTT\" [MQTT-3.1.2-1]");
  }
  if (!r.u8(p.protocol_level, "protocol level")) return false;
  if (p.protocol_level != protocol_level_3_1_1) {
    return r.fail_at(
        6, codec_errc::unacceptable_protocol_level, "protocol level",
        "level " + std::to_string(p.protocol_level) + " is not 4 (MQTT 3.1.1); answer CONNACK 0x01 [MQTT-3.1.2-2]");
  }
  std::uint8_t flags = 0;
  if (!r.u8(flags, "connect flags")) return false;
  if ((flags & 0x01) != 0)
    return r.fail_at(7, codec_errc::reserved_connect_flag, "connect flags", "reserved bit 0 is set [MQTT-3.1.2-3]");
  p.clean_session = (flags & 0x02) != 0;
  const bool will_flag = (flags & 0x04) != 0;
  const unsigned will_qos = (flags >> 3) & 0x3;
  const bool will_retain = (flags & 0x20) != 0;
  const bool password_flag = (flags & 0x40) != 0;
  const bool username_flag = (flags & 0x80) != 0;
  if (!will_flag && will_qos != 0) {
    return r.fail_at(7, codec_errc::will_flags_without_will, "connect flags",
                     "will QoS " + std::to_string(will_qos) + " without the will flag [MQTT-3.1.2-13]");
  }
  if (!will_flag && will_retain) {
    return r.fail_at(7, codec_errc::will_flags_without_will, "connect flags",
                     "will retain without the will flag [MQTT-3.1.2-15]");
  }
  if (will_flag && will_qos == 3)
    return r.fail_at(7, codec_errc::invalid_will_qos, "connect flags", "will QoS 3 [MQTT-3.1.2-14]");
  if (password_flag && !username_flag) {
    return r.fail_at(7, codec_errc::password_without_username, "connect flags",
                     "password flag without the user name flag [MQTT-3.1.2-22]");
  }
  if (!r.u16(p.keep_alive, "keep alive")) return false;

  // The payload's fields in the order of [MQTT-3.1.3-1], each present exactly when its flag says so.
  if (!r.string(p.client_id, "client identifier", string_kind::utf8)) return false;  // [MQTT-3.1.3-3] [MQTT-3.1.3-4]
  if (will_flag) {
    will_message will;
    will.qos = static_cast<qos>(will_qos);
    will.retain = will_retain;
    if (!r.string(will.topic, "will topic", string_kind::topic_name)) return false;  // [MQTT-3.1.3-10]
    if (!r.binary(will.message, "will message")) return false;
    p.will = std::move(will);
  }
  if (username_flag) {
    p.username.emplace();
    if (!r.string(*p.username, "user name", string_kind::utf8)) return false;  // [MQTT-3.1.3-11]
  }
  if (password_flag) {
    p.password.emplace();
    if (!r.binary(*p.password, "password")) return false;
  }
  return r.finish("the last field the connect flags announce [MQTT-3.1.2-11] [MQTT-3.1.2-18] [MQTT-3.1.2-20]");
}

bool read_connack(body_reader& r, connack_packet& p) {
  std::uint8_t flags = 0;
  std::uint8_t code = 0;
  if (!r.u8(flags, "acknowledge flags")) return false;
  if ((flags & 0xFE) != 0) {
    return r.fail_at(0, codec_errc::reserved_connack_flags, "acknowledge flags",
                     "reserved bits 7-1 are set (§3.2.2.1)");
  }
  if (!r.u8(code, "return code")) return false;
  if (code > 5) {
    return r.fail_at(1, codec_errc::invalid_connack_return_code, "return code",
                     std::to_string(code) + " is reserved (§3.2.2.3, Table 3.1)");
  }
  p.session_present = flags != 0;
  p.return_code = static_cast<connect_return_code>(code);
  if (p.session_present && code != 0) {
    return r.fail_at(0, codec_errc::session_present_with_refusal, "acknowledge flags",
                     "session present with return code " + std::to_string(code) + " [MQTT-3.2.2-4]");
  }
  return r.finish("the return code");
}

bool read_publish(body_reader& r, std::uint8_t flags, publish_packet& p) {
  p.dup = (flags & 0x8) != 0;
  p.qos = static_cast<qos>((flags >> 1) & 0x3);
  p.retain = (flags & 0x1) != 0;
  if (!r.string(p.topic, "topic name", string_kind::topic_name)) return false;  // [MQTT-3.3.2-1] [MQTT-3.3.2-2]
  if (p.qos != qos::at_most_once && !r.packet_id(p.packet_id)) return false;    // [MQTT-2.3.1-5]
  r.rest(p.payload);
  return true;
}

bool read_subscribe(body_reader& r, subscribe_packet& p) {
  if (!r.packet_id(p.packet_id)) return false;
  if (r.at_end()) return r.fail_here(codec_errc::no_topic_filters, "payload", "no topic filter [MQTT-3.8.3-3]");
  while (!r.at_end()) {
    subscription s;
    if (!r.string(s.filter, "topic filter", string_kind::topic_filter)) return false;  // [MQTT-3.8.3-1]
    const std::size_t at = r.position();
    std::uint8_t requested = 0;
    if (!r.u8(requested, "requested QoS")) return false;
    if ((requested & 0xFC) != 0 || requested == 3) {
      return r.fail_at(
          at, codec_errc::invalid_requested_qos, "requested QoS",
          "byte " + std::to_string(requested) + ": reserved bits must be 0 and QoS at most 2 [MQTT-3-8.3-4]");
    }
    s.requested_qos = static_cast<qos>(requested);
    p.subscriptions.push_back(std::move(s));
  }
  return true;
}

bool read_suback(body_reader& r, suback_packet& p) {
  if (!r.packet_id(p.packet_id)) return false;
  if (r.at_end()) return r.fail_here(codec_errc::no_return_codes, "payload", "no return code (§3.9.3)");
  while (!r.at_end()) {
    const std::size_t at = r.position();
    std::uint8_t code = 0;
    if (!r.u8(code, "return code")) return false;
    if (code > 2 && code != 0x80) {
      return r.fail_at(at, codec_errc::invalid_suback_return_code, "return code",
                       std::to_string(code) + " is reserved [MQTT-3.9.3-2]");
    }
    p.return_codes.push_back(static_cast<suback_return_code>(code));
  }
  return true;
}

bool read_unsubscribe(body_reader& r, unsubscribe_packet& p) {
  if (!r.packet_id(p.packet_id)) return false;
  if (r.at_end()) return r.fail_here(codec_errc::no_topic_filters, "payload", "no topic filter [MQTT-3.10.3-2]");
  while (!r.at_end()) {
    std::string filter;
    if (!r.string(filter, "topic filter", string_kind::topic_filter)) return false;  // [MQTT-3.10.3-1]
    p.filters.push_back(std::move(filter));
  }
  return true;
}

// PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: a packet identifier and nothing else (the fixed header
// check made the body exactly 2 bytes).
template <typename Ack>
bool read_ack(body_reader& r, Ack& p) {
  return r.packet_id(p.packet_id);
}

bool read_body(body_reader& r, const fixed_header& h, packet& out) {
  switch (h.type) {
    case packet_type::connect:
      return read_connect(r, out.emplace<connect_packet>());
    case packet_type::connack:
      return read_connack(r, out.emplace<connack_packet>());
    case packet_type::publish:
      return read_publish(r, h.flags, out.emplace<publish_packet>());
    case packet_type::puback:
      return read_ack(r, out.emplace<puback_packet>());
    case packet_type::pubrec:
      return read_ack(r, out.emplace<pubrec_packet>());
    case packet_type::pubrel:
      return read_ack(r, out.emplace<pubrel_packet>());
    case packet_type::pubcomp:
      return read_ack(r, out.emplace<pubcomp_packet>());
    case packet_type::subscribe:
      return read_subscribe(r, out.emplace<subscribe_packet>());
    case packet_type::suback:
      return read_suback(r, out.emplace<suback_packet>());
    case packet_type::unsubscribe:
      return read_unsubscribe(r, out.emplace<unsubscribe_packet>());
    case packet_type::unsuback:
      return read_ack(r, out.emplace<unsuback_packet>());
    case packet_type::pingreq:
      out.emplace<pingreq_packet>();
      return true;
    case packet_type::pingresp:
      out.emplace<pingresp_packet>();
      return true;
    case packet_type::disconnect:
      out.emplace<disconnect_packet>();
      return true;
  }
  return r.fail_here(codec_errc::reserved_packet_type, "type", "unknown packet type");
}

}  // namespace

codec_result<std::optional<decoded_packet>> decode(std::span<const std::uint8_t> bytes, const decode_limits& limits) {
  auto header = decode_fixed_header(bytes, limits);
  if (!header) return fail(header.error());
  if (!header->has_value()) return std::optional<decoded_packet>();
  const fixed_header& h = **header;
  if (bytes.size() < h.packet_size()) return std::optional<decoded_packet>();

  body_reader r(bytes.subspan(h.header_size, h.remaining_length), h);
  decoded_packet out{pingreq_packet{}, h.packet_size()};
  if (!read_body(r, h, out.packet)) return fail(r.take_error());
  return std::optional<decoded_packet>(std::move(out));
}

}  // namespace tributary::adapters::mqtt
