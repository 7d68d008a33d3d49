#include "common/rfc3339.h"

#include <gtest/gtest.h>

namespace tributary {
namespace {

using namespace std::chrono;

TEST(Rfc3339, Seconds) {
  EXPECT_EQ(rfc3339_seconds(sys_days{2026y / November / 22} + 3h + 4min + 5s), "2026-11-22T03:04:05Z");
  EXPECT_EQ(rfc3339_seconds(sys_seconds{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339_seconds(sys_days{9999y / December / 31} + 23h + 59min + 59s), "9999-12-31T23:59:59Z");
  EXPECT_EQ(rfc3339_seconds(sys_days{1969y / December / 31} + 23h), "1969-12-31T23:00:00Z");
}

TEST(Rfc3339, Millis) {
  const system_clock::time_point t = sys_days{2026y / November / 22} + 3h + 4min + 5s + 123ms + 999us;
  EXPECT_EQ(rfc3339_millis(t), "2026-11-22T03:04:05.123Z");
  EXPECT_EQ(rfc3339_millis(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_millis(sys_days{2024y / February / 29} + 7ms), "2024-02-29T00:00:00.007Z");
}

}  // namespace
}  // namespace tributary
