#include "adapters/mqtt/topic_address.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/hex.h"

namespace tributary::adapters::mqtt {
namespace {

api_error malformed() { return {400, "malformed topic name"}; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::vector<std::string_view> topic_segments(std::string_view topic) {
  std::vector<std::string_view> segments;
  for (std::size_t pos = 0;;) {
    const auto slash = topic.find('/', pos);
    segments.push_back(topic.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) return segments;
    pos = slash + 1;
  }
}

const std::string* property_bag::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::optional<std::string> url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_digit_value(text[i + 1]);
      const int lo = hex_digit_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

result<topic_address, api_error> parse_topic(std::string_view topic) {
  if (topic.empty() || topic.front() == '/') return fail(malformed());
  topic_address a;
  std::string_view path = topic;
  if (const auto bag = topic.rfind("/?"); bag != std::string_view::npos) {
    path = topic.substr(0, bag);
    std::string_view query = topic.substr(bag + 2);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
      if (pair.empty()) continue;
      const auto eq = pair.find('=');
      auto key = url_decode(pair.substr(0, eq));
      auto value = url_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
      if (!key || !value || key->empty()) return fail(malformed());
      a.properties.entries.emplace_back(lower(std::move(*key)), std::move(*value));
    }
  }
  const auto segments = topic_segments(path);
  const std::string_view first = segments.front();
  if (first == "telemetry" || first == "t") a.endpoint = endpoint::telemetry;
  else if (first == "event" || first == "e") a.endpoint = endpoint::event;
  else if (first == "command" || first == "c") a.endpoint = endpoint::command_response;
  else a.known_endpoint = false;
  a.endpoint_segment = std::string(first);
  if (!a.known_endpoint) return a;
  if (a.endpoint == endpoint::command_response) {
    if (segments.size() != 6 || (segments[3] != "res" && segments[3] != "s") || segments[4].empty()) return fail(malformed());
    a.tenant = std::string(segments[1]);
    a.device = std::string(segments[2]);
    a.request_id = std::string(segments[4]);
    const std::string_view status = segments[5];
    const auto [end, ec] = std::from_chars(status.data(), status.data() + status.size(), a.status);
    // CommandResponse.isInvalidStatusCode: only 2xx and 4xx/5xx come from devices.
    if (ec != std::errc{} || end != status.data() + status.size() || !((a.status >= 200 && a.status < 300) || (a.status >= 400 && a.status < 600))) {
      return fail(api_error{400, "invalid status code"});
    }
    return a;
  }
  if (segments.size() > 3) return fail(malformed());
  if (segments.size() > 1) a.tenant = std::string(segments[1]);
  if (segments.size() > 2) a.device = std::string(segments[2]);
  return a;
}

result<void, api_error> validate_address(topic_address& a, const std::string& auth_tenant, const std::string& auth_device) {
  if (auth_tenant.empty()) {
    if (a.tenant.empty() || a.device.empty()) {
      return fail(api_error{400, "unauthenticated device must provide tenant and device ID"});
    }
    return {};
  }
  if (!a.tenant.empty() && a.device.empty()) return fail(api_error{400, "message address must not contain tenant ID only"});
  if (!a.tenant.empty() && a.tenant != auth_tenant) return fail(api_error{403, "can only publish for device of same tenant"});
  if (a.tenant.empty()) a.tenant = auth_tenant;
  if (a.device.empty()) a.device = auth_device;
  return {};
}

}  // namespace tributary::adapters::mqtt
