// command: a command record of `hono.command.<tenant>` (spec/hono.md §1.7) checked and read into a
// `command`, and the error responses Hono writes to `hono.command_response.<tenant>` when a command
// cannot be delivered. Pure functions over records: no log, registry or socket access. The router
// and the adapters both check commands with parse_command (Hono validates at both).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "log/record_batch.h"
#include "messaging/downstream.h"

namespace tributary::commands {

inline constexpr const char* delivery_failure_content_type = "application/vnd.eclipse-hono-delivery-failure-notification+json";
inline constexpr const char* failure_metadata_prefix = "delivery-failure-notification-metadata";

struct command {
  std::string tenant_id;
  std::string device_id;  // the record key, equal to the device_id header
  std::string name;       // subject
  std::optional<std::string> content_type;
  std::optional<std::string> correlation_id;  // request/response commands only
  std::optional<std::string> payload;
  std::vector<messaging::record_header> failure_metadata;  // copied into error responses

  bool one_way() const { return !correlation_id; }
};

// Why a command record is not delivered. A `malformed` command is answered with 400 when
// `respond` (a request/response command with a correlation id); `dropped` ones never are.
enum class command_errc { dropped, malformed };
struct command_rejection {
  command_errc code;
  std::string message;
  bool respond = false;
  command partial;  // what could be read: enough for the error response when `respond`
};

// Reads a record of hono.command.<tenant_id>. No device_id header, or one that differs from the
// key: dropped. No subject, a request/response command (`response-required` true) without a
// correlation id, or a correlation id longer than a request id can carry (255 bytes): malformed.
result<command, command_rejection> parse_command(const std::string& tenant_id, const log::record& record);

// The error response Hono sends for a request/response command that failed (spec/hono.md §1.7):
// to hono.command_response.<tenant>, key = device id, headers correlation-id, creation-time,
// device_id, tenant_id, status, the delivery-failure content type and the command's
// delivery-failure-notification-metadata* headers; value {"error": message}.
messaging::outgoing_record failure_response(const command& c, int status, std::string_view message, std::int64_t now_ms);

}  // namespace tributary::commands
