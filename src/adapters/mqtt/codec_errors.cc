// Names of the MQTT codec's error codes (codec.h), for logs and test output; the codes' meanings
// are documented at the enum, and mapping them to protocol answers is the adapter's.
#include "adapters/mqtt/codec.h"

namespace tributary::adapters::mqtt {

std::string_view to_string(codec_errc code) {
  switch (code) {
    case codec_errc::reserved_packet_type:
      return "reserved packet type";
    case codec_errc::invalid_header_flags:
      return "invalid header flags";
    case codec_errc::invalid_qos:
      return "invalid QoS";
    case codec_errc::dup_with_qos0:
      return "DUP with QoS 0";
    case codec_errc::remaining_length_too_long:
      return "remaining length too long";
    case codec_errc::invalid_remaining_length:
      return "invalid remaining length";
    case codec_errc::packet_too_large:
      return "packet too large";
    case codec_errc::truncated:
      return "truncated";
    case codec_errc::trailing_bytes:
      return "trailing bytes";
    case codec_errc::invalid_utf8:
      return "invalid UTF-8";
    case codec_errc::null_character:
      return "null character";
    case codec_errc::string_too_long:
      return "string too long";
    case codec_errc::invalid_protocol_name:
      return "invalid protocol name";
    case codec_errc::unacceptable_protocol_level:
      return "unacceptable protocol level";
    case codec_errc::reserved_connect_flag:
      return "reserved connect flag";
    case codec_errc::will_flags_without_will:
      return "will flags without will";
    case codec_errc::invalid_will_qos:
      return "invalid will QoS";
    case codec_errc::password_without_username:
      return "password without username";
    case codec_errc::empty_topic:
      return "empty topic";
    case codec_errc::wildcard_in_topic_name:
      return "wildcard in topic name";
    case codec_errc::invalid_topic_filter:
      return "invalid topic filter";
    case codec_errc::invalid_packet_id:
      return "invalid packet id";
    case codec_errc::no_topic_filters:
      return "no topic filters";
    case codec_errc::invalid_requested_qos:
      return "invalid requested QoS";
    case codec_errc::no_return_codes:
      return "no return codes";
    case codec_errc::invalid_suback_return_code:
      return "invalid SUBACK return code";
    case codec_errc::reserved_connack_flags:
      return "reserved CONNACK flags";
    case codec_errc::invalid_connack_return_code:
      return "invalid CONNACK return code";
    case codec_errc::session_present_with_refusal:
      return "session present with refusal";
  }
  return "unknown codec error";
}

}  // namespace tributary::adapters::mqtt
