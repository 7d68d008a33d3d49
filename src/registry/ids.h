// ids: the identifier and timestamp rules of the registry (spec/hono.md §0, §4): tenant, device and
// username patterns, generated UUIDs for ids and versions, RFC 3339 times. Pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tributary::registry {

bool valid_tenant_id(std::string_view id);    // ^[a-zA-Z0-9-_\.]+$
bool valid_device_id(std::string_view id);    // ^[a-zA-Z0-9-_\.:=]+$
bool valid_username(std::string_view id);     // hashed-password auth-id: ^[a-zA-Z0-9-_=\.]+$
bool valid_alias(std::string_view alias);     // lower-case LDH: ^[a-z0-9-]+$
bool valid_type_name(std::string_view type);  // credential type: ^[a-z0-9-]+$

// A random (version 4) UUID, lower-case.
std::string new_uuid();

// Times in whole seconds: the full range of RFC 3339 years (0000-9999, e.g. a not-after of
// "9999-12-31T23:59:59Z" meaning "never") fits, which nanosecond system_clock time points do not.
using seconds_time = std::chrono::sys_seconds;

// "2026-11-22T03:04:05Z" (UTC, second precision, as Hono writes device status times).
std::string to_rfc3339(seconds_time t);
std::string to_rfc3339(std::chrono::system_clock::time_point t);
// Parses RFC 3339 date-times ("2020-01-01T00:00:00Z", fractions dropped, "+01:00" offsets).
std::optional<seconds_time> parse_rfc3339(std::string_view text);
seconds_time now_seconds();

}  // namespace tributary::registry
