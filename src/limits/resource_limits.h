// resource_limits: the tenant limit checks the protocol adapters make (spec/hono.md §6.1) and the
// usage they report back: data volume (payload bytes, rounded up to the tenant's
// minimum-message-size, of every message forwarded or found unprocessable) and connection duration
// (seconds devices of the tenant were connected, counted at disconnect as Hono's timer does).
// Connection counts are the adapters' own (they hold the connections). Thread-safe; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>

#include "limits/period.h"
#include "limits/usage_ledger.h"
#include "registry/model.h"

namespace tributary::limits {

time_point now();

class resource_limits {
 public:
  explicit resource_limits(usage_ledger& ledger) : ledger_(ledger) {}

  // The size a payload counts for: rounded up to a multiple of minimum-message-size when that is > 0.
  static std::int64_t counted_bytes(const registry::tenant_info& t, std::size_t payload_bytes);

  // Exceeded if the bytes used in the current period plus this payload exceed the period's limit.
  // An adapter checks every upload, and a connecting device with a payload of 1 byte.
  bool data_volume_exceeded(const registry::tenant_info& t, std::size_t payload_bytes, time_point at = now()) const;
  void record_data_volume(const registry::tenant_info& t, std::size_t payload_bytes, time_point at = now());

  // Exceeded if the minutes connected in the current period reach the limit (checked on connect).
  bool connection_duration_exceeded(const registry::tenant_info& t, time_point at = now()) const;
  // A closed connection: the part of [connected, disconnected) within the current period.
  void record_connection(const registry::tenant_info& t, time_point connected, time_point disconnected);

 private:
  usage_ledger& ledger_;
};

}  // namespace tributary::limits
