#include "limits/resource_limits.h"

#include <gtest/gtest.h>

#include "registry/ids.h"

namespace tributary::limits {
namespace {

time_point at(const char* text) { return *registry::parse_rfc3339(text); }

registry::tenant_info tenant(std::int64_t max_bytes, std::int64_t max_minutes = -1, std::int64_t minimum = 0) {
  registry::tenant_info t;
  t.id = "t";
  t.data_volume.max = max_bytes;
  t.data_volume.effective_since = at("2020-01-01T00:00:00Z");
  t.connection_duration.max = max_minutes;
  t.minimum_message_size = minimum;
  return t;
}

TEST(ResourceLimits, CountedBytesRoundUpToTheMinimumMessageSize) {
  // spec/hono.md §6.1: minimum 4096: 1 KB -> 4 KB, 10 KB -> 12 KB.
  EXPECT_EQ(resource_limits::counted_bytes(tenant(-1, -1, 4096), 1024), 4096);
  EXPECT_EQ(resource_limits::counted_bytes(tenant(-1, -1, 4096), 10240), 12288);
  EXPECT_EQ(resource_limits::counted_bytes(tenant(-1, -1, 4096), 4096), 4096);
  EXPECT_EQ(resource_limits::counted_bytes(tenant(-1, -1, 0), 1000), 1000);
}

TEST(ResourceLimits, DataVolumeIsExceededWhenUsedPlusPayloadIsOverTheLimit) {
  usage_ledger ledger;
  resource_limits limits(ledger);
  const auto t = tenant(10);
  const auto now = at("2026-11-22T10:00:00Z");
  EXPECT_FALSE(limits.data_volume_exceeded(t, 10, now));
  EXPECT_TRUE(limits.data_volume_exceeded(t, 11, now));
  limits.record_data_volume(t, 5, now);
  EXPECT_FALSE(limits.data_volume_exceeded(t, 5, now));
  EXPECT_TRUE(limits.data_volume_exceeded(t, 6, now));
  limits.record_data_volume(t, 5, now);
  EXPECT_TRUE(limits.data_volume_exceeded(t, 1, now));  // a connecting device counts 1 byte
  // The next month starts again.
  EXPECT_FALSE(limits.data_volume_exceeded(t, 10, at("2026-12-01T00:00:00Z")));
  // Other tenants are not affected, nor is an unlimited tenant.
  auto other = tenant(10);
  other.id = "other";
  EXPECT_FALSE(limits.data_volume_exceeded(other, 10, now));
  EXPECT_FALSE(limits.data_volume_exceeded(tenant(-1), 1'000'000, now));
}

TEST(ResourceLimits, UsageWithoutALimitCountsForAMonthlyLimitSetLater) {
  usage_ledger ledger;
  resource_limits limits(ledger);
  const auto now = at("2026-11-22T10:00:00Z");
  limits.record_data_volume(tenant(-1), 8, now);
  EXPECT_TRUE(limits.data_volume_exceeded(tenant(10), 3, now));
}

TEST(ResourceLimits, MinimumMessageSizeAppliesToChecksAndUsage) {
  usage_ledger ledger;
  resource_limits limits(ledger);
  const auto t = tenant(8192, -1, 4096);
  const auto now = at("2026-11-22T10:00:00Z");
  limits.record_data_volume(t, 1, now);
  EXPECT_EQ(ledger.used(resource::data_volume, "t", at("2026-11-01T00:00:00Z")), 4096);
  EXPECT_FALSE(limits.data_volume_exceeded(t, 4096, now));
  EXPECT_TRUE(limits.data_volume_exceeded(t, 4097, now));
}

TEST(ResourceLimits, ConnectionDurationIsExceededWhenTheMinutesAreUsedUp) {
  usage_ledger ledger;
  resource_limits limits(ledger);
  const auto t = tenant(-1, 2);
  const auto now = at("2026-11-22T10:00:00Z");
  EXPECT_FALSE(limits.connection_duration_exceeded(t, now));
  limits.record_connection(t, now - std::chrono::seconds(119), now);
  EXPECT_FALSE(limits.connection_duration_exceeded(t, now));
  limits.record_connection(t, now - std::chrono::seconds(1), now);
  EXPECT_TRUE(limits.connection_duration_exceeded(t, now));
  EXPECT_FALSE(limits.connection_duration_exceeded(tenant(-1, -1), now));
}

TEST(ResourceLimits, AConnectionCountsOnlyWithinThePeriodItEndsIn) {
  usage_ledger ledger;
  resource_limits limits(ledger);
  const auto t = tenant(-1, 1);
  // Connected for two hours across midnight at the month's end: only the 30 s of December count.
  limits.record_connection(t, at("2026-11-30T22:00:30Z"), at("2026-12-01T00:00:30Z"));
  EXPECT_EQ(ledger.used(resource::connection_duration, "t", at("2026-12-01T00:00:00Z")), 30);
  EXPECT_FALSE(limits.connection_duration_exceeded(t, at("2026-12-01T00:01:00Z")));
}

}  // namespace
}  // namespace tributary::limits
