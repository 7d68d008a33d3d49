// command: `tributary command`, the application side of command & control. Writes command records
// to hono.command.<tenant> (spec/hono.md §1.7) and waits for their responses on
// hono.command_response.<tenant>, on any Kafka broker. Interactive like Hono's command-line client
// (name, payload, content type; "ow:" sends a one-way command), or one command from flags.
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

#include "kafka/client/client.h"

namespace tributary::cli {

struct command_options {
  std::string tenant;
  std::string device;
  std::chrono::seconds timeout{60};  // for each response
  // One command from the flags instead of the prompts (name set).
  std::optional<std::string> name;  // "ow:" prefix: one-way
  std::string payload;
  std::string content_type;
};

// The record of one command. `correlation_id` set: request/response (response-required true);
// unset: one-way. An empty payload is no value, an empty content type no header.
kafka::client::record command_record(const std::string& tenant, const std::string& device, const std::string& name,
                                     const std::string& payload, const std::string& content_type,
                                     const std::optional<std::string>& correlation_id);

// Runs the tool; prompts and results go to `out`, errors to `err`. Exit code: 0 when every command
// was sent and every response had a 2xx status; 1 otherwise (and at once when the broker cannot be
// reached). Interactive mode ends at the end of `in`.
int run_command(const kafka::client::connection_options& connection, const command_options& options, std::istream& in,
                std::ostream& out, std::ostream& err);

}  // namespace tributary::cli
