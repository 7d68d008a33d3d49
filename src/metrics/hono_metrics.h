// hono_metrics: the protocol adapters' metrics under Hono's names and tags (spec/hono.md §6.2), as
// Micrometer's Prometheus registry writes them (dots to underscores, counters with _total, sizes in
// bytes, durations in seconds), so dashboards built for Hono work unchanged. Shared by the MQTT and
// HTTP adapters; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "metrics/registry.h"

namespace tributary::metrics {

class adapter_metrics {
 public:
  // component_name: "hono-mqtt", "hono-http", ...
  adapter_metrics(registry& r, std::string component_name);

  // outcome: succeeded, unauthorized, unavailable, adapter-disabled, registration-assertion-failure,
  // data-volume-exceeded, connection-duration-exceeded,
  // tenant-connections-exceeded, adapter-connections-exceeded, unknown. tenant may be empty.
  void connection_attempt(const std::string& tenant, std::string_view outcome, const std::string& cipher_suite);
  void authenticated_connections(const std::string& tenant, std::int64_t delta);
  void unauthenticated_connections(std::int64_t delta);

  struct message_tags {
    std::string_view tenant;
    std::string_view type;    // telemetry, event
    std::string_view status;  // forwarded, unprocessable, undeliverable
    std::string_view qos;     // 0, 1, unknown
    std::string_view ttd = "none";
  };
  // Called for every message: the instruments of a tag combination are looked up once and cached.
  void telemetry(const message_tags& tags, std::size_t payload_bytes, std::chrono::nanoseconds processing);

 private:
  struct telemetry_instruments {
    summary* payload;
    summary* duration;
  };
  labels with_common(labels l) const;
  telemetry_instruments telemetry_instruments_for(const message_tags& t);

  // (tenant, type, status, qos, ttd) joined by '\0' -> instruments; instruments live as long as the
  // registry. Grows with the tag combinations in use, like the registry itself.
  std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, telemetry_instruments> telemetry_cache_;

  registry& registry_;
  labels common_;
};

}  // namespace tributary::metrics
