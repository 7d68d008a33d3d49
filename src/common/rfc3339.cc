#include "common/rfc3339.h"

#include <cstdio>

namespace tributary {
namespace {

// The date of `day` and the time of day, with milliseconds when asked.
std::string format(std::chrono::sys_days day, std::chrono::milliseconds since_midnight, bool with_millis) {
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{since_midnight};
  char text[40];
  const int n = std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                              static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                              static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                              static_cast<int>(hms.seconds().count()));
  std::string out(text, static_cast<std::size_t>(n));
  if (with_millis) {
    std::snprintf(text, sizeof text, ".%03d", static_cast<int>(hms.subseconds().count()));
    out += text;
  }
  out += 'Z';
  return out;
}

}  // namespace

std::string rfc3339_seconds(std::chrono::sys_seconds t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  return format(day, t - day, false);
}

std::string rfc3339_millis(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(ms);
  return format(day, ms - day, true);
}

}  // namespace tributary
