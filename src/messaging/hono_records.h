// hono_records: Hono's Kafka record format for telemetry, events and command responses
// (spec/hono.md §1.1, §1.3): topic, key, the exact headers, the defaults merge and the TTL
// algorithm, shared by every protocol adapter. Pure functions; no registry or log access.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "messaging/downstream.h"

namespace tributary::messaging {

enum class hono_endpoint { telemetry, event, command_response };

// "hono.telemetry.<tenant>", "hono.event.<tenant>", "hono.command_response.<tenant>".
std::string hono_topic(hono_endpoint endpoint, const std::string& tenant_id);

// The tenant's `resource-limits` TTL caps in seconds; -1 = unlimited.
struct ttl_limits {
  std::int64_t max_ttl = -1;
  std::int64_t max_ttl_telemetry_qos0 = -1;
  std::int64_t max_ttl_telemetry_qos1 = -1;
  std::int64_t max_ttl_command_response = -1;

  static ttl_limits from_resource_limits(const boost::json::object& resource_limits);
};

struct hono_message {
  hono_endpoint endpoint = hono_endpoint::telemetry;
  std::string tenant_id;
  std::string device_id;  // the device the message is from (for gateways: the device acted for)
  int qos = 0;            // 0 or 1; events are always 1
  std::optional<std::string> content_type;  // from the message (property bag, HTTP header)
  std::optional<std::int64_t> ttl_seconds;  // hono-ttl from the device; used for events only
  std::optional<std::int64_t> ttd_seconds;  // effective ttd (HTTP, CoAP)
  std::string orig_adapter;                 // "hono-mqtt", "hono-http", ...
  std::string orig_address;                 // topic incl. property bag / request URI
  bool retain = false;                      // MQTT retain flag -> x-opt-retain
  std::optional<std::string> payload;
  std::vector<record_header> properties;    // set by the adapter; win over defaults
  std::int64_t creation_time_ms = 0;
};

// The effective TTL in seconds (-1 = none) of §1.3's algorithm.
std::int64_t effective_ttl(const hono_message& m, const boost::json::object& defaults, const ttl_limits& limits);

// The record for `m`. `defaults` are the merged tenant < device defaults of the registration
// assertion (pass an empty object when defaults are disabled).
// Takes `m` by value: callers that move it in hand over the payload without a copy.
outgoing_record to_record(hono_message m, const boost::json::object& defaults, const ttl_limits& limits);

}  // namespace tributary::messaging
