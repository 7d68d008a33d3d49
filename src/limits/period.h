// period: the accounting periods of a tenant's period limits (spec/hono.md §6.1): calendar months
// (UTC; the first one, when effective-since falls in it, starts there with a prorated limit) or
// windows of no-of-days days counted from effective-since. Pure functions of a limit and a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "registry/model.h"

namespace tributary::limits {

using time_point = std::chrono::sys_seconds;

struct period_window {
  time_point start, end;  // [start, end)
  std::int64_t limit;     // the limit within this window (prorated for a first partial month)
};

// The window `now` falls in; nullopt while the limit does not apply: unlimited, or before its
// effective-since.
std::optional<period_window> window_at(const registry::period_limit& limit, time_point now);

}  // namespace tributary::limits
