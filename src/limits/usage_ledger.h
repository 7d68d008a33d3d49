// usage_ledger: how much of each period-limited resource every tenant used in its current
// accounting period: payload bytes (data-volume) and connected seconds (connection-duration).
// Tributary's own counters stand in for Hono's Prometheus queries (spec/hono.md §6.1). One entry
// per (tenant, resource) holding the start of the window it counts; thread-safe (striped locks).
// Persisted by snapshot/restore so that a restart does not hand tenants a fresh quota; knows
// nothing about files or limits.
#pragma once

#include <boost/json/value.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "limits/period.h"

namespace tributary::limits {

enum class resource { data_volume, connection_duration };

class usage_ledger {
 public:
  // Adds `amount` to the tenant's usage in the window starting at `window_start`. A later window
  // than the one counted so far starts again from zero; an earlier one is already over (ignored).
  void add(resource r, std::string_view tenant, time_point window_start, std::int64_t amount);
  // The usage in the window starting at `window_start` (0 if the ledger counts another window).
  std::int64_t used(resource r, std::string_view tenant, time_point window_start) const;

  // Every entry as JSON ({"version": 1, "usage": [{"tenant", "resource", "window-start", "amount"}]}),
  // and back. restore() rejects a document it does not understand and then changes nothing.
  boost::json::value snapshot() const;
  bool restore(const boost::json::value& doc);
  // Grows with every change: a writer saves only when it moved.
  std::uint64_t changes() const { return changes_.load(std::memory_order_relaxed); }

 private:
  struct entry {
    time_point window_start{};
    std::int64_t amount = 0;
  };
  struct stripe {
    mutable std::mutex mutex;
    std::unordered_map<std::string, entry> entries;  // key: resource char + tenant
  };
  static std::string key(resource r, std::string_view tenant);
  stripe& stripe_for(const std::string& key) const;

  mutable std::array<stripe, 16> stripes_;
  std::atomic<std::uint64_t> changes_{0};
};

}  // namespace tributary::limits
