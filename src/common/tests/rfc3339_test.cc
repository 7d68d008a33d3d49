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

TEST(Rfc3339, ParsesWhatItWritesAndOffsets) {
  const system_clock::time_point t = sys_days{2021y / February / 5} + 19h + 14min + 42s + 250ms;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  EXPECT_EQ(parse_rfc3339_millis(rfc3339_millis(t)), ms);
  EXPECT_EQ(parse_rfc3339_millis("2021-02-05T19:14:42.25Z"), ms);
  EXPECT_EQ(parse_rfc3339_millis("2021-02-05T19:14:42.250999z"), ms);
  EXPECT_EQ(parse_rfc3339_millis("2021-02-05T20:14:42.250+01:00"), ms);
  EXPECT_EQ(parse_rfc3339_millis("2021-02-05T18:44:42.250-00:30"), ms);
  EXPECT_EQ(parse_rfc3339_millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339_millis("1969-12-31T23:59:59Z"), -1000);
}

TEST(Rfc3339, RejectsWhatIsNotADateTime) {
  for (const char* bad : {"", "2021-02-05", "2021-02-05T19:14:42", "2021-02-30T00:00:00Z", "2021-13-01T00:00:00Z",
                          "2021-02-05T24:00:00Z", "2021-02-05T19:14:42.Z", "2021-02-05T19:14:42Zx",
                          "2021-02-05 19:14:42Z", "2021-02-05T19:14:42+0100", "20x1-02-05T19:14:42Z"}) {
    EXPECT_EQ(parse_rfc3339_millis(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace tributary
