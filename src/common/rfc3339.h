// rfc3339: UTC timestamps as RFC 3339 text, the way Hono writes them: whole seconds
// ("2026-11-22T03:04:05Z", registry status times) or milliseconds ("2026-11-22T03:04:05.123Z",
// notifications and error messages), and parsed back from any RFC 3339 date-time. Years 0000-9999.
// Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tributary {

std::string rfc3339_seconds(std::chrono::sys_seconds t);
std::string rfc3339_millis(std::chrono::system_clock::time_point t);
// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" ('T'/'Z' in either case) to milliseconds since
// the epoch (fraction truncated to milliseconds); nullopt for anything else or an invalid date.
std::optional<std::int64_t> parse_rfc3339_millis(std::string_view text);

}  // namespace tributary
