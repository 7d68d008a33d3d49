#include "commands/request_id.h"

#include "common/hex.h"

namespace tributary::commands {
namespace {

constexpr int kafka_messaging_type = 1;  // bits 1-2 of the flag digit: amqp 0, kafka 1, pubsub 2

failure<request_id_error> invalid(std::string message) { return fail(request_id_error{request_id_errc::invalid, std::move(message)}); }

}  // namespace

result<std::string, request_id_error> encode_request_id(std::string_view correlation_id) {
  if (correlation_id.empty()) return invalid("empty correlation id");
  if (correlation_id.size() > 255) return invalid("correlation id longer than 255 bytes");
  static constexpr char hex[] = "0123456789abcdef";
  std::string id;
  id.reserve(3 + correlation_id.size());
  id += static_cast<char>('0' + (kafka_messaging_type << 1));
  id += hex[correlation_id.size() >> 4];
  id += hex[correlation_id.size() & 0xf];
  id += correlation_id;
  return id;
}

result<std::string, request_id_error> decode_request_id(std::string_view request_id) {
  if (request_id.size() < 4) return invalid("request id too short");
  const int flags = hex_digit_value(request_id[0]);
  if (flags < 0 || flags > 7 || ((flags >> 1) & 3) != kafka_messaging_type) return invalid("request id of another messaging type");
  const int high = hex_digit_value(request_id[1]), low = hex_digit_value(request_id[2]);
  if (high < 0 || low < 0) return invalid("request id without a correlation id length");
  const std::size_t length = static_cast<std::size_t>(high * 16 + low);
  if (length == 0 || request_id.size() < 3 + length) return invalid("request id shorter than its correlation id length");
  return std::string(request_id.substr(3, length));
}

}  // namespace tributary::commands
