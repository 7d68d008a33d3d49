#include "limits/period.h"

namespace tributary::limits {
namespace {

using namespace std::chrono;

constexpr std::int64_t seconds_per_day = 86400;

}  // namespace

std::optional<period_window> window_at(const registry::period_limit& limit, time_point now) {
  if (limit.unlimited() || now < limit.effective_since) return std::nullopt;
  if (!limit.monthly) {
    const std::int64_t length = limit.no_of_days * seconds_per_day;
    const std::int64_t elapsed = (now - limit.effective_since).count();
    const time_point start = limit.effective_since + seconds(elapsed / length * length);
    return period_window{start, start + seconds(length), limit.max};
  }
  const year_month_day today{floor<days>(now)};
  const year_month month = today.year() / today.month();
  const time_point month_start{sys_days{month / 1}};
  const time_point month_end{sys_days{(month + months{1}) / 1}};
  if (limit.effective_since <= month_start) return period_window{month_start, month_end, limit.max};
  // The first month: limit × (days from effective-since to the month's end, both counted) / days in month.
  const year_month_day since{floor<days>(limit.effective_since)};
  const auto days_in_month = static_cast<std::int64_t>(unsigned((month / last).day()));
  const std::int64_t counted = days_in_month - static_cast<std::int64_t>(unsigned(since.day())) + 1;
  const auto prorated = static_cast<std::int64_t>(static_cast<__int128>(limit.max) * counted / days_in_month);
  return period_window{limit.effective_since, month_end, prorated};
}

}  // namespace tributary::limits
