// error_topic: Hono's MQTT error topic (spec/hono.md §3.6): which subscription filters a device or
// gateway may use, the topic an error is published on, and its JSON payload. Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tributary::adapters::mqtt {

struct error_subscription {
  std::string endpoint_segment;  // "e" or "error", as the filter wrote it
  std::string tenant;            // as given in the filter (may be empty)
  std::string device;            // as given: empty, "+" (gateway: all devices) or a device id
};

// The subscription a filter stands for, or nullopt when it is not an error filter at all
// (exactly 4 segments "e|error/<tenant>/<device>/#"). The caller checks authorization.
std::optional<error_subscription> parse_error_filter(std::string_view filter);

// "${e|error}/${tenantOrEmpty}/${deviceOrEmpty}/${endpoint-type}/${correlation-id}/${status}".
// `message_device` is the device of the failed message; it is shown when it differs from the
// subscription's device, otherwise the subscription's device is shown if the filter named one.
std::string error_topic_name(const error_subscription& s, const std::string& message_device,
                             const std::string& auth_device, std::string_view endpoint_segment,
                             const std::string& correlation_id, int status);

// {"code":..,"message":"..","timestamp":"2020-12-24T18:00:00.123Z","correlation-id":".."}
std::string error_payload(int status, const std::string& message, const std::string& correlation_id,
                          std::chrono::system_clock::time_point now);

// The endpoint-type segment for a message's first topic segment: telemetry/t/event/e as they are,
// "command-response" for "command", "c-s" for "c", else "unknown".
std::string_view error_endpoint_type(std::string_view first_segment);

}  // namespace tributary::adapters::mqtt
