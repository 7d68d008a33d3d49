#include "limits/resource_limits.h"

#include <algorithm>
#include <ctime>

namespace tributary::limits {

// Whole seconds: the kernel's coarse clock is precise enough and cheaper (checked on every message).
time_point now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return time_point(std::chrono::seconds(ts.tv_sec));
}

std::int64_t resource_limits::counted_bytes(const registry::tenant_info& t, std::size_t payload_bytes) {
  const auto size = static_cast<std::int64_t>(payload_bytes);
  const std::int64_t minimum = t.minimum_message_size;
  if (minimum <= 0) return size;
  return (size + minimum - 1) / minimum * minimum;
}

bool resource_limits::data_volume_exceeded(const registry::tenant_info& t, std::size_t payload_bytes, time_point at) const {
  const auto window = window_at(t.data_volume, at);
  if (!window) return false;
  const std::int64_t used = ledger_.used(resource::data_volume, t.id, window->start);
  return used + counted_bytes(t, payload_bytes) > window->limit;
}

void resource_limits::record_data_volume(const registry::tenant_info& t, std::size_t payload_bytes, time_point at) {
  // Counted per calendar month while the tenant has no limit, so that a monthly limit set later
  // sees what the month used so far.
  registry::period_limit counting = t.data_volume;
  if (counting.unlimited()) counting.max = 0;
  if (const auto window = window_at(counting, at)) {
    ledger_.add(resource::data_volume, t.id, window->start, counted_bytes(t, payload_bytes));
  }
}

bool resource_limits::connection_duration_exceeded(const registry::tenant_info& t, time_point at) const {
  const auto window = window_at(t.connection_duration, at);
  if (!window) return false;
  return ledger_.used(resource::connection_duration, t.id, window->start) >= window->limit * 60;
}

void resource_limits::record_connection(const registry::tenant_info& t, time_point connected, time_point disconnected) {
  registry::period_limit counting = t.connection_duration;
  if (counting.unlimited()) counting.max = 0;
  if (const auto window = window_at(counting, disconnected)) {
    const auto from = std::max(connected, window->start);
    if (disconnected > from) ledger_.add(resource::connection_duration, t.id, window->start, (disconnected - from).count());
  }
}

}  // namespace tributary::limits
