// rfc3339: UTC timestamps as RFC 3339 text, the way Hono writes them: whole seconds
// ("2026-11-22T03:04:05Z", registry status times) or milliseconds ("2026-11-22T03:04:05.123Z",
// notifications and error messages). Years 0000-9999. Pure functions.
#pragma once

#include <chrono>
#include <string>

namespace tributary {

std::string rfc3339_seconds(std::chrono::sys_seconds t);
std::string rfc3339_millis(std::chrono::system_clock::time_point t);

}  // namespace tributary
