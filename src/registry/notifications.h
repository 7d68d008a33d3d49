// notifications: Hono's registry notifications (spec/hono.md §1.8) for a change event: the Kafka
// topic (hono.notification.registry-tenant / registry-device) and the JSON value, so that Hono
// components and applications listening there learn what changed. Pure; sending is the server's.
#pragma once

#include <chrono>
#include <string>

#include "registry/change_events.h"

namespace tributary::registry {

struct notification {
  std::string topic;
  std::string json;
};

// `invalidate_cache_on_update`: the tenant's ext.invalidate-cache-on-update (tenant changes only).
notification to_notification(const change_event& e, bool invalidate_cache_on_update,
                             std::chrono::system_clock::time_point now);

}  // namespace tributary::registry
