// consume: `tributary consume`, the application side of telemetry and events. Reads
// hono.telemetry.<tenant> and hono.event.<tenant> from any Kafka broker (the embedded one or a
// cluster) and prints each record with its headers, as Hono's command-line receiver does. Reads
// without a consumer group: it commits nothing and never disturbs other applications.
#pragma once

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "kafka/client/client.h"

namespace tributary::cli {

struct consume_options {
  std::string tenant;
  bool from_beginning = false;  // else only records written after the tool is ready
  std::int64_t count = 0;       // stop after this many records; 0: until `stop`
};

// Prints records to `out` (flushed per record) and progress/errors to `err`: "ready: ..." once both
// topics are assigned. Returns the exit code: 0 when stopped or `count` reached, 1 on a failure.
int run_consume(const kafka::client::connection_options& connection, const consume_options& options,
                std::ostream& out, std::ostream& err, const std::atomic<bool>& stop);

}  // namespace tributary::cli
