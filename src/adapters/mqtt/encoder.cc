// The MQTT 3.1.1 packet encoder (codec.h `encode`): checks a packet against the rules the decoder
// enforces and works out its body size (plan_*), then appends the fixed header and the body in one
// pass. Nothing is appended unless the whole packet can be written. No state between calls; must not
// relax a rule the decoder enforces (CONNECT's protocol name and level excepted, see codec.h).
#include <cstddef>
#include <string>
#include <type_traits>
#include <variant>

#include "adapters/mqtt/codec.h"
#include "adapters/mqtt/string_rules.h"
#include "common/big_endian.h"

namespace tributary::adapters::mqtt {

namespace {

constexpr std::size_t max_field_length = 0xFFFF;  // two-byte length prefix (§1.5.3)

template <typename T, std::size_t I = 0>
constexpr packet_type type_for() {
  if constexpr (std::is_same_v<T, std::variant_alternative_t<I, packet>>) {
    return static_cast<packet_type>(I + 1);
  } else {
    return type_for<T, I + 1>();
  }
}

struct body_plan {
  std::uint8_t flags = 0;
  std::size_t size = 0;
};

failure<codec_error> encode_error(packet_type type, const char* field, codec_errc code, std::string what) {
  return fail(codec_error{code, "encode " + std::string(to_string(type)) + " " + field + ": " + std::move(what)});
}

enum class string_kind { any, utf8, topic_name, topic_filter };

// Adds the field's encoded size (length prefix included) to plan.size after checking it.
codec_result<void> plan_string(packet_type type, const char* field, std::string_view s, string_kind kind,
                               body_plan& plan) {
  if (s.size() > max_field_length) {
    return encode_error(type, field, codec_errc::string_too_long,
                        std::to_string(s.size()) + " bytes, at most 65535 fit the length prefix (§1.5.3)");
  }
  std::optional<string_problem> problem;
  switch (kind) {
    case string_kind::any:
      break;
    case string_kind::utf8:
      problem = check_utf8_string(s);
      break;
    case string_kind::topic_name:
      problem = check_topic_name(s);
      break;
    case string_kind::topic_filter:
      problem = check_topic_filter(s);
      break;
  }
  if (problem) {
    return encode_error(type, field, problem->code,
                        "at byte " + std::to_string(problem->offset) + " of the string: " + problem->what);
  }
  plan.size += 2 + s.size();
  return {};
}

codec_result<void> plan_binary(packet_type type, const char* field, const bytes& b, body_plan& plan) {
  if (b.size() > max_field_length) {
    return encode_error(type, field, codec_errc::string_too_long,
                        std::to_string(b.size()) + " bytes, at most 65535 fit the length prefix (§1.5.3)");
  }
  plan.size += 2 + b.size();
  return {};
}

codec_result<void> plan_packet_id(packet_type type, std::uint16_t id, body_plan& plan) {
  if (id == 0) {
    return encode_error(type, "packet identifier", codec_errc::invalid_packet_id,
                        "0 is not a valid packet identifier [MQTT-2.3.1-1]");
  }
  plan.size += 2;
  return {};
}

#define TRY(expr)                                       \
  do {                                                  \
    auto try_result_ = (expr);                          \
    if (!try_result_) return fail(try_result_.error()); \
  } while (false)

codec_result<body_plan> plan_body(const connect_packet& p) {
  constexpr auto t = packet_type::connect;
  body_plan plan;
  TRY(plan_string(t, "protocol name", p.protocol_name, string_kind::any, plan));
  plan.size += 1 + 1 + 2;  // level, flags, keep alive
  TRY(plan_string(t, "client identifier", p.client_id, string_kind::utf8, plan));
  if (p.will) {
    if (static_cast<unsigned>(p.will->qos) > 2) {
      return encode_error(t, "will QoS", codec_errc::invalid_will_qos, "QoS above 2 [MQTT-3.1.2-14]");
    }
    TRY(plan_string(t, "will topic", p.will->topic, string_kind::topic_name, plan));
    TRY(plan_binary(t, "will message", p.will->message, plan));
  }
  if (p.username) TRY(plan_string(t, "user name", *p.username, string_kind::utf8, plan));
  if (p.password) {
    if (!p.username) {
      return encode_error(t, "password", codec_errc::password_without_username,
                          "a password needs a user name [MQTT-3.1.2-22]");
    }
    TRY(plan_binary(t, "password", *p.password, plan));
  }
  return plan;
}

codec_result<body_plan> plan_body(const connack_packet& p) {
  const auto code = static_cast<unsigned>(p.return_code);
  if (code > 5) {
    return encode_error(packet_type::connack, "return code", codec_errc::invalid_connack_return_code,
                        std::to_string(code) + " is reserved (§3.2.2.3, Table 3.1)");
  }
  if (p.session_present && code != 0) {
    return encode_error(packet_type::connack, "acknowledge flags", codec_errc::session_present_with_refusal,
                        "session present with return code " + std::to_string(code) + " [MQTT-3.2.2-4]");
  }
  return body_plan{0, 2};
}

codec_result<body_plan> plan_body(const publish_packet& p) {
  constexpr auto t = packet_type::publish;
  const auto level = static_cast<unsigned>(p.qos);
  if (level > 2)
    return encode_error(t, "QoS", codec_errc::invalid_qos, "QoS " + std::to_string(level) + " [MQTT-3.3.1-4]");
  if (p.dup && level == 0)
    return encode_error(t, "DUP", codec_errc::dup_with_qos0, "DUP set with QoS 0 [MQTT-3.3.1-2]");
  body_plan plan;
  plan.flags = static_cast<std::uint8_t>((p.dup ? 0x8 : 0) | level << 1 | (p.retain ? 0x1 : 0));
  TRY(plan_string(t, "topic name", p.topic, string_kind::topic_name, plan));
  if (level > 0) {
    TRY(plan_packet_id(t, p.packet_id, plan));
  } else if (p.packet_id != 0) {
    return encode_error(t, "packet identifier", codec_errc::invalid_packet_id,
                        "a QoS 0 PUBLISH has no packet identifier [MQTT-2.3.1-5]");
  }
  plan.size += p.payload.size();
  return plan;
}

template <typename Ack>
codec_result<body_plan> plan_ack(const Ack& p) {
  constexpr auto t = type_for<Ack>();
  body_plan plan;
  plan.flags = t == packet_type::pubrel ? 0x2 : 0x0;  // [MQTT-3.6.1-1]
  TRY(plan_packet_id(t, p.packet_id, plan));
  return plan;
}

codec_result<body_plan> plan_body(const puback_packet& p) { return plan_ack(p); }
codec_result<body_plan> plan_body(const pubrec_packet& p) { return plan_ack(p); }
codec_result<body_plan> plan_body(const pubrel_packet& p) { return plan_ack(p); }
codec_result<body_plan> plan_body(const pubcomp_packet& p) { return plan_ack(p); }
codec_result<body_plan> plan_body(const unsuback_packet& p) { return plan_ack(p); }

codec_result<body_plan> plan_body(const subscribe_packet& p) {
  constexpr auto t = packet_type::subscribe;
  body_plan plan{0x2, 0};  // [MQTT-3.8.1-1]
  TRY(plan_packet_id(t, p.packet_id, plan));
  if (p.subscriptions.empty()) {
    return encode_error(t, "payload", codec_errc::no_topic_filters, "no topic filter [MQTT-3.8.3-3]");
  }
  for (const auto& s : p.subscriptions) {
    TRY(plan_string(t, "topic filter", s.filter, string_kind::topic_filter, plan));
    if (static_cast<unsigned>(s.requested_qos) > 2) {
      return encode_error(t, "requested QoS", codec_errc::invalid_requested_qos,
                          "QoS " + std::to_string(static_cast<unsigned>(s.requested_qos)) + " [MQTT-3-8.3-4]");
    }
    plan.size += 1;
  }
  return plan;
}

codec_result<body_plan> plan_body(const suback_packet& p) {
  constexpr auto t = packet_type::suback;
  body_plan plan;
  TRY(plan_packet_id(t, p.packet_id, plan));
  if (p.return_codes.empty()) return encode_error(t, "payload", codec_errc::no_return_codes, "no return code (§3.9.3)");
  for (const auto code : p.return_codes) {
    const auto value = static_cast<unsigned>(code);
    if (value > 2 && value != 0x80) {
      return encode_error(t, "return code", codec_errc::invalid_suback_return_code,
                          std::to_string(value) + " is reserved [MQTT-3.9.3-2]");
    }
  }
  plan.size += p.return_codes.size();
  return plan;
}

codec_result<body_plan> plan_body(const unsubscribe_packet& p) {
  constexpr auto t = packet_type::unsubscribe;
  body_plan plan{0x2, 0};  // [MQTT-3.10.1-1]
  TRY(plan_packet_id(t, p.packet_id, plan));
  if (p.filters.empty())
    return encode_error(t, "payload", codec_errc::no_topic_filters, "no topic filter [MQTT-3.10.3-2]");
  for (const auto& filter : p.filters) TRY(plan_string(t, "topic filter", filter, string_kind::topic_filter, plan));
  return plan;
}

codec_result<body_plan> plan_body(const pingreq_packet&) { return body_plan{}; }
codec_result<body_plan> plan_body(const pingresp_packet&) { return body_plan{}; }
codec_result<body_plan> plan_body(const disconnect_packet&) { return body_plan{}; }

#undef TRY

// Appends fields whose sizes plan_body has already checked.
class body_writer {
 public:
  explicit body_writer(bytes& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    std::uint8_t be[2];
    write_be(be, v);
    out_.insert(out_.end(), be, be + 2);
  }
  void string(std::string_view s) {
    u16(static_cast<std::uint16_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void binary(const bytes& b) {
    u16(static_cast<std::uint16_t>(b.size()));
    raw(b);
  }
  void raw(const bytes& b) { out_.insert(out_.end(), b.begin(), b.end()); }

 private:
  bytes& out_;
};

void write_body(const connect_packet& p, body_writer& w) {
  w.string(p.protocol_name);
  w.u8(p.protocol_level);
  std::uint8_t flags = p.clean_session ? 0x02 : 0x00;
  if (p.will) {
    flags |= static_cast<std::uint8_t>(0x04 | static_cast<unsigned>(p.will->qos) << 3 | (p.will->retain ? 0x20 : 0));
  }
  if (p.password) flags |= 0x40;
  if (p.username) flags |= 0x80;
  w.u8(flags);
  w.u16(p.keep_alive);
  w.string(p.client_id);
  if (p.will) {
    w.string(p.will->topic);
    w.binary(p.will->message);
  }
  if (p.username) w.string(*p.username);
  if (p.password) w.binary(*p.password);
}

void write_body(const connack_packet& p, body_writer& w) {
  w.u8(p.session_present ? 0x01 : 0x00);
  w.u8(static_cast<std::uint8_t>(p.return_code));
}

void write_body(const publish_packet& p, body_writer& w) {
  w.string(p.topic);
  if (p.qos != qos::at_most_once) w.u16(p.packet_id);
  w.raw(p.payload);
}

void write_body(const puback_packet& p, body_writer& w) { w.u16(p.packet_id); }
void write_body(const pubrec_packet& p, body_writer& w) { w.u16(p.packet_id); }
void write_body(const pubrel_packet& p, body_writer& w) { w.u16(p.packet_id); }
void write_body(const pubcomp_packet& p, body_writer& w) { w.u16(p.packet_id); }
void write_body(const unsuback_packet& p, body_writer& w) { w.u16(p.packet_id); }

void write_body(const subscribe_packet& p, body_writer& w) {
  w.u16(p.packet_id);
  for (const auto& s : p.subscriptions) {
    w.string(s.filter);
    w.u8(static_cast<std::uint8_t>(s.requested_qos));
  }
}

void write_body(const suback_packet& p, body_writer& w) {
  w.u16(p.packet_id);
  for (const auto code : p.return_codes) w.u8(static_cast<std::uint8_t>(code));
}

void write_body(const unsubscribe_packet& p, body_writer& w) {
  w.u16(p.packet_id);
  for (const auto& filter : p.filters) w.string(filter);
}

void write_body(const pingreq_packet&, body_writer&) {}
void write_body(const pingresp_packet&, body_writer&) {}
void write_body(const disconnect_packet&, body_writer&) {}

template <typename T>
codec_result<void> encode_packet(const T& p, bytes& out) {
  constexpr auto t = type_for<T>();
  const auto plan = plan_body(p);
  if (!plan) return fail(plan.error());
  if (plan->size > max_remaining_length) {
    return encode_error(t, "body", codec_errc::packet_too_large,
                        std::to_string(plan->size) + " bytes exceed the largest remaining length, " +
                            std::to_string(max_remaining_length) + " (§2.2.3)");
  }
  const fixed_header header{t, plan->flags, static_cast<std::uint32_t>(plan->size), 0};
  if (auto written = encode_fixed_header(header, out); !written) return written;
  out.reserve(out.size() + plan->size);
  body_writer w(out);
  write_body(p, w);
  return {};
}

}  // namespace

codec_result<void> encode(const packet& p, bytes& out) {
  return std::visit([&out](const auto& alternative) { return encode_packet(alternative, out); }, p);
}

codec_result<void> encode(const connect_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const connack_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const publish_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const puback_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const pubrec_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const pubrel_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const pubcomp_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const subscribe_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const suback_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const unsubscribe_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const unsuback_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const pingreq_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const pingresp_packet& p, bytes& out) { return encode_packet(p, out); }
codec_result<void> encode(const disconnect_packet& p, bytes& out) { return encode_packet(p, out); }

}  // namespace tributary::adapters::mqtt
