#include "cli/record_text.h"

namespace tributary::cli {

namespace {

std::string text_or_hex(const std::string& value) {
  bool text = true;
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      text = false;
      break;
    }
  }
  if (text) return value;
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "0x";
  out.reserve(2 + value.size() * 2);
  for (unsigned char c : value) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

}  // namespace

std::string payload_text(const std::optional<std::string>& value) {
  if (!value || value->empty()) return "<empty>";
  return text_or_hex(*value);
}

std::string properties_text(const kafka::client::record& r) {
  std::string out = "{";
  for (const auto& h : r.headers) {
    if (out.size() > 1) out += ", ";
    out += h.name;
    out += '=';
    out += h.value ? text_or_hex(*h.value) : "null";
  }
  out += '}';
  return out;
}

std::string received_message_text(const kafka::client::record& r) {
  std::string type = r.topic;
  if (r.topic.starts_with("hono.telemetry.")) type = "telemetry";
  else if (r.topic.starts_with("hono.event.")) type = "event";
  const auto* device = r.header_value("device_id");
  const auto* content_type = r.header_value("content-type");
  return "received " + type + " message [device: " + (device ? *device : r.key.value_or("")) +
         ", content-type: " + (content_type ? *content_type : "") + "]: " + payload_text(r.value) +
         "\n... with properties: " + properties_text(r);
}

}  // namespace tributary::cli
