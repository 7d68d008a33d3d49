// command_topic: Hono's MQTT command topics (spec/hono.md §3.5): which subscription filters ask for
// commands, and the topic a command is published on for a subscription. Command response topics
// are device PUBLISH topics and parse with topic_address. Pure; the session checks authorization.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tributary::adapters::mqtt {

struct command_subscription {
  std::string endpoint_segment;  // "command" or "c", as the filter wrote it
  std::string req_segment;       // "req" or "q", as the filter wrote it
  std::string tenant;            // as given (may be empty)
  std::string device;            // as given: empty, "+" (gateway: all its devices) or a device id
};

// The subscription a filter stands for: exactly 5 segments `${command|c}/${tenant}/${device}/${req|q}/#`
// with no wildcard as tenant. nullopt when it is not a valid command filter (SUBACK 0x80).
std::optional<command_subscription> parse_command_filter(std::string_view filter);

// `${endpoint}/${tenantOrEmpty}/${deviceOrEmpty}/${req}/${requestIdOrEmpty}/${name}`: the tenant
// segment as the filter had it; the device segment is the command's device when it is for a device
// behind the subscribing gateway (`target_device` != `subscriber`), else the filter's device id if
// it named one. `request_id` is empty for one-way commands.
std::string command_topic_name(const command_subscription& s, const std::string& target_device, const std::string& subscriber,
                               const std::string& request_id, const std::string& command_name);

}  // namespace tributary::adapters::mqtt
