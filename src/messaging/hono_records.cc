#include "messaging/hono_records.h"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace tributary::messaging {
namespace {

using boost::json::object;
using boost::json::value;

constexpr const char* octet_stream = "application/octet-stream";

std::optional<std::int64_t> seconds(const object& o, std::string_view key) {
  const value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return std::nullopt;
}

std::int64_t limit(const object& o, std::string_view key) { return seconds(o, key).value_or(-1); }

// Both set: the smaller; one set: that one; none: -1.
std::int64_t capped(std::int64_t wanted, std::int64_t max) {
  if (wanted < 0) return max < 0 ? -1 : max;
  return max < 0 ? wanted : std::min(wanted, max);
}

// A header value: strings as they are, anything else as JSON (spec/hono.md "JSON-encoded").
std::string header_value(const value& v) { return v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v); }

bool consumed_default(std::string_view key) {
  return key == "ttl" || key == "ttl-telemetry-qos0" || key == "ttl-telemetry-qos1" || key == "ttl-command-response" ||
         key == "content-type";
}

}  // namespace

std::string hono_topic(hono_endpoint endpoint, const std::string& tenant_id) {
  switch (endpoint) {
    case hono_endpoint::telemetry: return "hono.telemetry." + tenant_id;
    case hono_endpoint::event: return "hono.event." + tenant_id;
    case hono_endpoint::command_response: return "hono.command_response." + tenant_id;
  }
  return {};
}

ttl_limits ttl_limits::from_resource_limits(const object& r) {
  return {limit(r, "max-ttl"), limit(r, "max-ttl-telemetry-qos0"), limit(r, "max-ttl-telemetry-qos1"),
          limit(r, "max-ttl-command-response")};
}

std::int64_t effective_ttl(const hono_message& m, const object& defaults, const ttl_limits& limits) {
  const std::int64_t default_ttl = seconds(defaults, "ttl").value_or(-1);
  switch (m.endpoint) {
    case hono_endpoint::event: {
      const std::int64_t from_device = m.ttl_seconds && *m.ttl_seconds >= 0 ? *m.ttl_seconds : -1;
      return capped(from_device >= 0 ? from_device : default_ttl, limits.max_ttl);
    }
    case hono_endpoint::telemetry: {
      const bool qos1 = m.qos == 1;
      const std::int64_t by_qos = seconds(defaults, qos1 ? "ttl-telemetry-qos1" : "ttl-telemetry-qos0").value_or(-1);
      return capped(default_ttl >= 0 ? default_ttl : by_qos,
                    qos1 ? limits.max_ttl_telemetry_qos1 : limits.max_ttl_telemetry_qos0);
    }
    case hono_endpoint::command_response: {
      const std::int64_t by_type = seconds(defaults, "ttl-command-response").value_or(-1);
      return capped(default_ttl >= 0 ? default_ttl : by_type, limits.max_ttl_command_response);
    }
  }
  return -1;
}

outgoing_record to_record(hono_message m, const object& defaults, const ttl_limits& limits) {
  outgoing_record r;
  r.topic = hono_topic(m.endpoint, m.tenant_id);
  r.key = m.device_id;
  r.headers.reserve(8 + m.properties.size());
  r.timestamp_ms = m.creation_time_ms;
  auto set = [&r](std::string name, std::string v) {
    for (auto& h : r.headers) {
      if (h.name == name) {
        h.value = std::move(v);
        return;
      }
    }
    r.headers.push_back({std::move(name), std::move(v)});
  };
  std::optional<std::string> content_type = m.content_type;
  if (!content_type) {
    if (const value* d = defaults.if_contains("content-type"); d && d->is_string()) content_type = std::string(d->get_string());
  }
  if (!content_type && m.payload) content_type = octet_stream;
  if (content_type) set("content-type", *content_type);
  set("creation-time", std::to_string(m.creation_time_ms));
  set("device_id", m.device_id);
  set("qos", std::to_string(m.endpoint == hono_endpoint::event ? 1 : m.qos));
  if (const std::int64_t ttl = effective_ttl(m, defaults, limits); ttl >= 0) set("ttl", std::to_string(ttl * 1000));
  if (m.ttd_seconds) set("ttd", std::to_string(*m.ttd_seconds));
  set("orig_adapter", m.orig_adapter);
  set("orig_address", m.orig_address);
  if (m.retain) set("x-opt-retain", "true");
  // Defaults never override what the message or the adapter set.
  for (const auto& entry : defaults) {
    const std::string_view key = entry.key();  // not a structured binding: clang 14 cannot capture one
    if (consumed_default(key)) continue;
    const bool taken = std::any_of(r.headers.begin(), r.headers.end(), [&](const record_header& h) { return h.name == key; }) ||
                       std::any_of(m.properties.begin(), m.properties.end(), [&](const record_header& h) { return h.name == key; });
    if (!taken) r.headers.push_back({std::string(key), header_value(entry.value())});
  }
  for (const auto& p : m.properties) set(p.name, p.value);
  r.value = std::move(m.payload);
  return r;
}

}  // namespace tributary::messaging
