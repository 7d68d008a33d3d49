// topic_config: per-topic settings of the embedded log, with Kafka's names where Kafka has the
// setting (retention.ms, segment.bytes, cleanup.policy, ...) and Tributary's flush policy. Parsing
// from and to name/value pairs (persisted in topic.json, later DescribeConfigs) lives here.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "log/log_error.h"

namespace tributary::log {

enum class flush_policy {
  always,    // fsync before the append is acknowledged (group commit shares one fsync)
  interval,  // fsync every flush.ms; acknowledged once written to the page cache
  os,        // never fsync explicitly; the kernel writes back
};

struct topic_config {
  int partitions = 1;
  flush_policy flush = flush_policy::os;
  std::int64_t flush_ms = 1000;
  std::int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // -1 = keep forever
  std::int64_t retention_bytes = -1;                   // per partition; -1 = unlimited
  std::int64_t segment_bytes = 1LL << 30;
  std::int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  std::int64_t max_message_bytes = 1048588;  // Kafka's default
  bool compact = false;                      // cleanup.policy=compact

  // Kafka-style name -> value, e.g. {"retention.ms": "604800000", "flush.policy": "always"}.
  std::map<std::string, std::string> to_map() const;
  // Overrides the settings named in `values`; unknown names and bad values are errors.
  log_result<void> apply(const std::map<std::string, std::string>& values);
};

// Tributary's own state topics (__consumer_offsets, _schemas): one partition, fsynced before an
// append is acknowledged, compacted, kept forever, 64 MiB segments.
topic_config internal_topic_config();

// Kafka's topic name rules: [a-zA-Z0-9._-], 1..249 characters, not "." or "..".
log_result<void> validate_topic_name(std::string_view name);

}  // namespace tributary::log
