// topic_address: what a device's PUBLISH topic means under Hono's MQTT API (spec/hono.md §3.3,
// §3.4, §3.5): endpoint (telemetry, event, command response), the optional tenant and device
// segments, a command response's request id and status, and the property bag after the last "/?",
// URL-decoded. Pure; the session applies the authentication-dependent rules (validate_address).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace tributary::adapters::mqtt {

enum class endpoint { telemetry, event, command_response };

// An MQTT error of Hono's API: the status code the error topic shows (400, 403, 404, ...).
struct api_error {
  int status;
  std::string message;
  bool terminal = false;  // the connection must close whatever on-error says (spec/hono.md §3.7)
};

struct property_bag {
  std::vector<std::pair<std::string, std::string>> entries;  // keys lower-cased, values URL-decoded
  const std::string* find(std::string_view key) const;
};

struct topic_address {
  bool known_endpoint = true;  // false: the first segment is none of Hono's (the caller answers 404)
  mqtt::endpoint endpoint = endpoint::telemetry;
  std::string endpoint_segment;  // as written: "telemetry", "t", "event", "e", "command" or "c"
  std::string tenant;            // empty when not given
  std::string device;            // empty when not given
  std::string request_id;        // command responses: as the device wrote it (not yet decoded)
  int status = 0;                // command responses: 200-299 or 400-599
  property_bag properties;
};

// 400 "malformed topic name" for an empty topic, one starting with '/', a bad property bag or too
// many segments; for a command response (`${command|c}/${tenant}/${device}/${res|s}/${req-id}/${status}`)
// also for other than 6 segments or an empty request id, and 400 "invalid status code" for a status
// that is not an integer in 200-299 or 400-599. An unknown first segment still parses (known_endpoint false), so that the property
// bag (on-error, correlation-id) applies to the 404 the caller answers.
result<topic_address, api_error> parse_topic(std::string_view topic);

// The '/'-separated levels of a topic name or filter, empty ones included ("c///q/#" has five).
std::vector<std::string_view> topic_segments(std::string_view topic);

// URL decoding of a property bag key or value ("%2F" -> "/", "+" -> " "); nullopt when malformed.
std::optional<std::string> url_decode(std::string_view text);

// The rules of spec/hono.md §3.3 ("validateAddress"), filling in tenant and device from the
// authenticated identity. `auth_tenant`/`auth_device` are empty for unauthenticated devices.
result<void, api_error> validate_address(topic_address& a, const std::string& auth_tenant, const std::string& auth_device);

}  // namespace tributary::adapters::mqtt
