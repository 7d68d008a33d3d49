#include "registry/notifications.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace tributary::registry {
namespace {

const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1608832800123));

TEST(Notifications, TenantChange) {
  const auto n = to_notification({change_kind::tenant, change_type::updated, "t1", "", false, {}}, true, at);
  EXPECT_EQ(n.topic, "hono.notification.registry-tenant");
  EXPECT_EQ(boost::json::parse(n.json), boost::json::parse(R"({"source": "device-registry",
      "creation-time": "2020-12-24T18:00:00.123Z", "tenant-id": "t1", "type": "tenant-change-v1", "change": "UPDATE",
      "enabled": false, "invalidate-cache-on-update": true})"));
}

TEST(Notifications, DeviceCredentialsAndAllDevices) {
  auto n = to_notification({change_kind::device, change_type::created, "t1", "d1", true, {}}, false, at);
  EXPECT_EQ(n.topic, "hono.notification.registry-device");
  auto v = boost::json::parse(n.json);
  EXPECT_EQ(v.at("type"), "device-change-v1");
  EXPECT_EQ(v.at("change"), "CREATE");
  EXPECT_EQ(v.at("device-id"), "d1");
  EXPECT_EQ(v.at("enabled"), true);
  v = boost::json::parse(to_notification({change_kind::credentials, change_type::updated, "t1", "d1", true, {}}, false, at).json);
  EXPECT_EQ(v.at("type"), "credentials-change-v1");
  EXPECT_EQ(v.at("device-id"), "d1");
  v = boost::json::parse(to_notification({change_kind::all_devices_of_tenant, change_type::deleted, "t1", "", false, {}}, false, at).json);
  EXPECT_EQ(v.at("type"), "all-devices-of-tenant-deleted-v1");
  EXPECT_EQ(v.at("tenant-id"), "t1");
}

}  // namespace
}  // namespace tributary::registry
