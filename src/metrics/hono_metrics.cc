#include "metrics/hono_metrics.h"

#include <unistd.h>

namespace tributary::metrics {
namespace {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

}  // namespace

adapter_metrics::adapter_metrics(registry& r, std::string component_name)
    : registry_(r), common_{{"component_name", std::move(component_name)}, {"component_type", "adapter"}, {"host", host_name()}} {}

labels adapter_metrics::with_common(labels l) const {
  labels out = common_;
  out.insert(out.end(), std::make_move_iterator(l.begin()), std::make_move_iterator(l.end()));
  return out;
}

void adapter_metrics::connection_attempt(const std::string& tenant, std::string_view outcome, const std::string& cipher_suite) {
  registry_
      .get_counter("hono_connections_attempts_total", "Connection attempts by outcome.",
                   with_common({{"tenant", tenant.empty() ? "unknown" : tenant}, {"outcome", std::string(outcome)},
                                {"cipher_suite", cipher_suite}}))
      .inc();
}

void adapter_metrics::authenticated_connections(const std::string& tenant, std::int64_t delta) {
  registry_.get_gauge("hono_connections_authenticated", "Connections of authenticated devices.", with_common({{"tenant", tenant}}))
      .add(delta);
}

void adapter_metrics::unauthenticated_connections(std::int64_t delta) {
  registry_.get_gauge("hono_connections_unauthenticated", "Connections of unauthenticated devices.", with_common({})).add(delta);
}

adapter_metrics::telemetry_instruments adapter_metrics::telemetry_instruments_for(const message_tags& t) {
  thread_local std::string key;
  key.assign(t.tenant).append(1, '\0').append(t.type).append(1, '\0').append(t.status).append(1, '\0').append(t.qos);
  key.append(1, '\0').append(t.ttd);
  {
    std::shared_lock lock(cache_mutex_);
    if (const auto it = telemetry_cache_.find(key); it != telemetry_cache_.end()) return it->second;
  }
  telemetry_instruments found{
      &registry_.get_summary("hono_telemetry_payload_bytes", "Payload sizes of telemetry and events.",
                             with_common({{"tenant", std::string(t.tenant)}, {"type", std::string(t.type)}, {"status", std::string(t.status)}})),
      &registry_.get_summary("hono_telemetry_processing_duration_seconds", "Time from receiving a message to its outcome.",
                             with_common({{"tenant", std::string(t.tenant)}, {"type", std::string(t.type)}, {"status", std::string(t.status)},
                                          {"qos", std::string(t.qos)}, {"ttd", std::string(t.ttd)}}))};
  std::unique_lock lock(cache_mutex_);
  telemetry_cache_.emplace(key, found);
  return found;
}

void adapter_metrics::telemetry(const message_tags& t, std::size_t payload_bytes, std::chrono::nanoseconds processing) {
  const auto instruments = telemetry_instruments_for(t);
  instruments.payload->observe(static_cast<double>(payload_bytes));
  instruments.duration->observe(std::chrono::duration<double>(processing).count());
}

}  // namespace tributary::metrics
