#include "limits/period.h"

#include <gtest/gtest.h>

#include "registry/ids.h"

namespace tributary::limits {
namespace {

time_point at(const char* text) { return *registry::parse_rfc3339(text); }

registry::period_limit monthly(std::int64_t max, const char* since) {
  registry::period_limit l;
  l.max = max;
  l.effective_since = at(since);
  return l;
}

registry::period_limit days(std::int64_t max, const char* since, std::int64_t n) {
  auto l = monthly(max, since);
  l.monthly = false;
  l.no_of_days = n;
  return l;
}

TEST(Period, UnlimitedAndNotYetEffectiveLimitsHaveNoWindow) {
  EXPECT_FALSE(window_at(registry::period_limit{}, at("2026-11-22T00:00:00Z")));
  EXPECT_FALSE(window_at(monthly(10, "2026-12-01T00:00:00Z"), at("2026-11-30T23:59:59Z")));
  EXPECT_TRUE(window_at(monthly(10, "2026-12-01T00:00:00Z"), at("2026-12-01T00:00:00Z")));
}

TEST(Period, MonthlyIsTheCalendarMonthInUtc) {
  const auto w = window_at(monthly(1000, "2020-01-15T10:00:00Z"), at("2026-02-14T12:00:00Z"));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->start, at("2026-02-01T00:00:00Z"));
  EXPECT_EQ(w->end, at("2026-03-01T00:00:00Z"));
  EXPECT_EQ(w->limit, 1000);
  const auto december = window_at(monthly(1000, "2020-01-01T00:00:00Z"), at("2026-12-31T23:59:59Z"));
  EXPECT_EQ(december->end, at("2027-01-01T00:00:00Z"));
}

TEST(Period, FirstMonthIsProrated) {
  // spec/hono.md §6.1: 50 000 minutes effective 10 July -> 50 000 × 22 / 31.
  const auto w = window_at(monthly(50000, "2026-07-10T00:00:00Z"), at("2026-07-20T00:00:00Z"));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->start, at("2026-07-10T00:00:00Z"));
  EXPECT_EQ(w->end, at("2026-08-01T00:00:00Z"));
  EXPECT_EQ(w->limit, 50000 * 22 / 31);
  // The month after is whole again.
  EXPECT_EQ(window_at(monthly(50000, "2026-07-10T00:00:00Z"), at("2026-08-02T00:00:00Z"))->limit, 50000);
  // From the first of a month nothing is prorated; a leap February has 29 days.
  EXPECT_EQ(window_at(monthly(31, "2026-07-01T00:00:00Z"), at("2026-07-02T00:00:00Z"))->limit, 31);
  EXPECT_EQ(window_at(monthly(29, "2028-02-29T00:00:00Z"), at("2028-02-29T10:00:00Z"))->limit, 1);
}

TEST(Period, ProratingHugeLimitsDoesNotOverflow) {
  const std::int64_t huge = std::numeric_limits<std::int64_t>::max();
  const auto w = window_at(monthly(huge, "2026-07-10T00:00:00Z"), at("2026-07-20T00:00:00Z"));
  EXPECT_GT(w->limit, huge / 31 * 21);
  EXPECT_LT(w->limit, huge);
}

TEST(Period, DaysAreWindowsFromEffectiveSince) {
  const auto l = days(100, "2020-01-01T00:00:00Z", 7);
  auto w = window_at(l, at("2020-01-01T00:00:00Z"));
  EXPECT_EQ(w->start, at("2020-01-01T00:00:00Z"));
  EXPECT_EQ(w->end, at("2020-01-08T00:00:00Z"));
  w = window_at(l, at("2020-01-07T23:59:59Z"));
  EXPECT_EQ(w->start, at("2020-01-01T00:00:00Z"));
  w = window_at(l, at("2020-01-08T00:00:00Z"));
  EXPECT_EQ(w->start, at("2020-01-08T00:00:00Z"));
  EXPECT_EQ(w->limit, 100);
  w = window_at(l, at("2026-11-22T05:00:00Z"));
  EXPECT_LE(w->start, at("2026-11-22T05:00:00Z"));
  EXPECT_GT(w->end, at("2026-11-22T05:00:00Z"));
  EXPECT_EQ((w->start - l.effective_since).count() % (7 * 86400), 0);
}

}  // namespace
}  // namespace tributary::limits
