#include "registry/model.h"

#include "registry/ids.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace tributary::registry {
namespace {

device_info device(const std::string& id, const std::string& json = "{}") {
  return device_info::from({"t", id, "v", boost::json::parse(json).as_object(), "2026-01-01T00:00:00Z", {}});
}

TEST(MayActFor, GatewayListedInVia) {
  EXPECT_TRUE(may_act_for("gw-1", device("gw-1"), device("4712", R"({"via": ["gw-0", "gw-1"]})")));
}

TEST(MayActFor, GatewayNotListed) {
  EXPECT_FALSE(may_act_for("gw-2", device("gw-2"), device("4712", R"({"via": ["gw-1"]})")));
  EXPECT_FALSE(may_act_for("gw-2", device("gw-2"), device("4712")));
}

TEST(MayActFor, GatewayMemberOfAViaGroup) {
  const auto gw = device("gw-3", R"({"memberOf": ["group-a", "group-b"]})");
  EXPECT_TRUE(may_act_for("gw-3", gw, device("d", R"({"viaGroups": ["group-b"]})")));
  EXPECT_FALSE(may_act_for("gw-3", gw, device("d", R"({"viaGroups": ["group-c"]})")));
}

TEST(MayActFor, MembershipAloneAuthorisesNothing) {
  // memberOf on the device (not the gateway) and viaGroups on the gateway do not count.
  EXPECT_FALSE(may_act_for("gw", device("gw", R"({"viaGroups": ["g"]})"), device("d", R"({"memberOf": ["g"]})")));
}

TEST(DeviceInfo, PlainDevicesShareOneObjectPerEnabledFlag) {
  EXPECT_TRUE(device("a").is_plain());
  EXPECT_TRUE(device("a", R"({"enabled": false, "ext": {"x": 1}})").is_plain());
  for (const auto* json : {R"({"via": ["gw"]})", R"({"viaGroups": ["g"]})", R"({"memberOf": ["g"]})",
                           R"({"defaults": {"content-type": "text/plain"}})"}) {
    EXPECT_FALSE(device("a", json).is_plain()) << json;
  }
  EXPECT_TRUE(device_info::plain(true)->enabled);
  EXPECT_TRUE(device_info::plain(true)->is_plain());
  EXPECT_FALSE(device_info::plain(false)->enabled);
  EXPECT_TRUE(device_info::plain(false)->is_plain());
  EXPECT_EQ(device_info::plain(true), device_info::plain(true));
}

tenant_info tenant(const std::string& json) {
  return tenant_info::from({"t", "v", boost::json::parse(json).as_object(), {}, {}, {}});
}

TEST(TenantInfo, AllAdaptersEnabledWithoutAList) {
  const auto t = tenant("{}");
  EXPECT_TRUE(t.adapter_enabled("hono-mqtt"));
  EXPECT_TRUE(t.device_authentication_required("hono-http"));
}

TEST(TenantInfo, UnlistedAdaptersAreDisabledWhenAListExists) {
  const auto t = tenant(R"({"adapters": [{"type": "hono-http", "enabled": true, "device-authentication-required": false},
                                         {"type": "hono-mqtt"}]})");
  EXPECT_TRUE(t.adapter_enabled("hono-http"));
  EXPECT_FALSE(t.device_authentication_required("hono-http"));
  EXPECT_FALSE(t.adapter_enabled("hono-mqtt"));  // listed, enabled defaults to false
  EXPECT_FALSE(t.adapter_enabled("hono-coap"));  // not listed
}

TEST(TenantInfo, LimitsAndDefaults) {
  const auto t = tenant(R"({"enabled": false, "defaults": {"ttl": 30},
                            "resource-limits": {"max-connections": 100, "max-ttl": 20}, "minimum-message-size": 4096})");
  EXPECT_FALSE(t.enabled);
  EXPECT_EQ(t.max_connections, 100);
  EXPECT_EQ(t.max_ttl, 20);
  EXPECT_EQ(t.minimum_message_size, 4096);
  EXPECT_EQ(t.defaults.at("ttl").as_int64(), 30);
  EXPECT_TRUE(t.data_volume.unlimited());
  EXPECT_TRUE(t.connection_duration.unlimited());
}

TEST(TenantInfo, PeriodLimits) {
  const auto t = tenant(R"({"resource-limits": {
      "data-volume": {"effective-since": "2020-01-01T00:00:00Z", "max-bytes": 1000, "period": {"mode": "days", "no-of-days": 7}},
      "connection-duration": {"max-minutes": 60}}})");
  EXPECT_EQ(t.data_volume.max, 1000);
  EXPECT_EQ(t.data_volume.effective_since, *parse_rfc3339("2020-01-01T00:00:00Z"));
  EXPECT_FALSE(t.data_volume.monthly);
  EXPECT_EQ(t.data_volume.no_of_days, 7);
  EXPECT_EQ(t.connection_duration.max, 60);
  EXPECT_TRUE(t.connection_duration.monthly);  // the default mode
  EXPECT_EQ(t.connection_duration.effective_since, seconds_time{});
}

TEST(SecretInfo, ValidityWindow) {
  const auto owner = credential_owner{
      "4711", {"hashed-password", "sensor1", boost::json::parse(R"({"secrets": [
          {"id": "a", "not-before": "2020-01-01T00:00:00Z", "not-after": "2021-01-01T00:00:00Z", "pwd-hash": "x", "hash-function": "sha-256"},
          {"id": "b", "enabled": false}]})").as_object()}};
  const auto c = credential_info::from(owner);
  ASSERT_EQ(c.secrets.size(), 2u);
  EXPECT_TRUE(c.secrets[0].valid_at(*parse_rfc3339("2020-06-01T00:00:00Z")));
  EXPECT_FALSE(c.secrets[0].valid_at(*parse_rfc3339("2021-06-01T00:00:00Z")));
  EXPECT_FALSE(c.secrets[0].valid_at(*parse_rfc3339("2019-06-01T00:00:00Z")));
  EXPECT_FALSE(c.secrets[1].valid_at(now_seconds()));
  ASSERT_TRUE(c.secrets[0].password.has_value());
  EXPECT_EQ(c.secrets[0].password->function, "sha-256");
}

}  // namespace
}  // namespace tributary::registry
