#include "registry/notifications.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "common/rfc3339.h"

namespace tributary::registry {
namespace {

const char* change_name(change_type c) {
  switch (c) {
    case change_type::created: return "CREATE";
    case change_type::updated: return "UPDATE";
    case change_type::deleted: return "DELETE";
  }
  return "UPDATE";
}

}  // namespace

notification to_notification(const change_event& e, bool invalidate_cache_on_update, std::chrono::system_clock::time_point now) {
  boost::json::object o;
  o["source"] = "device-registry";
  o["creation-time"] = rfc3339_millis(now);
  o["tenant-id"] = e.tenant_id;
  notification n;
  switch (e.kind) {
    case change_kind::tenant:
      o["type"] = "tenant-change-v1";
      o["change"] = change_name(e.change);
      o["enabled"] = e.enabled;
      o["invalidate-cache-on-update"] = invalidate_cache_on_update;
      n.topic = "hono.notification.registry-tenant";
      break;
    case change_kind::device:
      o["type"] = "device-change-v1";
      o["change"] = change_name(e.change);
      o["device-id"] = e.device_id;
      o["enabled"] = e.enabled;
      n.topic = "hono.notification.registry-device";
      break;
    case change_kind::credentials:
      o["type"] = "credentials-change-v1";
      o["device-id"] = e.device_id;
      n.topic = "hono.notification.registry-device";
      break;
    case change_kind::all_devices_of_tenant:
      o["type"] = "all-devices-of-tenant-deleted-v1";
      n.topic = "hono.notification.registry-device";
      break;
  }
  n.json = boost::json::serialize(o);
  return n;
}

}  // namespace tributary::registry
