#include "registry/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace tributary::registry {
namespace {

TEST(Ids, TenantPattern) {
  EXPECT_TRUE(valid_tenant_id("DEFAULT_TENANT"));
  EXPECT_TRUE(valid_tenant_id("a.b-c_1"));
  EXPECT_FALSE(valid_tenant_id(""));
  EXPECT_FALSE(valid_tenant_id("bad!id"));
  EXPECT_FALSE(valid_tenant_id("a:b"));
}

TEST(Ids, DevicePatternAllowsColonAndEquals) {
  EXPECT_TRUE(valid_device_id("urn:dev=1"));
  EXPECT_FALSE(valid_device_id("a/b"));
  EXPECT_FALSE(valid_device_id("a b"));
}

TEST(Ids, UsernameAndAliasAndType) {
  EXPECT_TRUE(valid_username("sensor1"));
  EXPECT_FALSE(valid_username("#illegal"));
  EXPECT_TRUE(valid_alias("my-tenant-1"));
  EXPECT_FALSE(valid_alias("My-Tenant"));
  EXPECT_TRUE(valid_type_name("hashed-password"));
  EXPECT_FALSE(valid_type_name("Hashed"));
}

TEST(Ids, UuidsAreVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto u = new_uuid();
    ASSERT_EQ(u.size(), 36u);
    EXPECT_EQ(u[14], '4');
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos);
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Rfc3339, ParsesZuluOffsetsAndFractions) {
  const auto z = parse_rfc3339("2020-01-01T00:00:00Z");
  ASSERT_TRUE(z);
  EXPECT_EQ(to_rfc3339(*z), "2020-01-01T00:00:00Z");
  EXPECT_EQ(to_rfc3339(*parse_rfc3339("2020-01-01T01:30:00+01:30")), "2020-01-01T00:00:00Z");
  EXPECT_EQ(to_rfc3339(*parse_rfc3339("2019-12-31T23:00:00.123-01:00")), "2020-01-01T00:00:00Z");
}

TEST(Rfc3339, FarFutureAndPastFit) {
  // A nanosecond system_clock overflows after 2262; "never expires" is commonly written as 9999.
  const auto never = parse_rfc3339("9999-12-31T23:59:59Z");
  ASSERT_TRUE(never);
  EXPECT_EQ(to_rfc3339(*never), "9999-12-31T23:59:59Z");
  EXPECT_LT(now_seconds(), *never);
  EXPECT_EQ(to_rfc3339(*parse_rfc3339("0001-01-01T00:00:00Z")), "0001-01-01T00:00:00Z");
}

TEST(Rfc3339, RejectsMalformed) {
  for (const char* bad : {"", "2020-01-01", "2020-13-01T00:00:00Z", "2020-02-30T00:00:00Z", "2020-01-01T00:00:00",
                          "2020-01-01T24:00:00Z", "2020-01-01T00:00:00Zjunk", "2020-01-01T00:00:00.Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace tributary::registry
