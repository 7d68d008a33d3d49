#include "log/topic_config.h"

#include <charconv>
#include <limits>

namespace tributary::log {
namespace {

const char* policy_name(flush_policy p) {
  switch (p) {
    case flush_policy::always: return "always";
    case flush_policy::interval: return "interval";
    case flush_policy::os: return "os";
  }
  return "os";
}

log_result<std::int64_t> parse_int(const std::string& name, const std::string& text, std::int64_t min,
                                   std::int64_t max) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v < min || v > max) {
    return fail(log_error{log_errc::invalid_config, "invalid value '" + text + "' for topic config " + name +
                                                        ": expected an integer from " + std::to_string(min) + " to " +
                                                        std::to_string(max)});
  }
  return v;
}

}  // namespace

std::map<std::string, std::string> topic_config::to_map() const {
  return {
      {"cleanup.policy", compact ? "compact" : "delete"},
      {"flush.ms", std::to_string(flush_ms)},
      {"flush.policy", policy_name(flush)},
      {"max.message.bytes", std::to_string(max_message_bytes)},
      {"retention.bytes", std::to_string(retention_bytes)},
      {"retention.ms", std::to_string(retention_ms)},
      {"segment.bytes", std::to_string(segment_bytes)},
      {"segment.ms", std::to_string(segment_ms)},
  };
}

log_result<void> topic_config::apply(const std::map<std::string, std::string>& values) {
  for (const auto& entry : values) {
    const std::string& name = entry.first;  // not a structured binding: lambdas below capture it
    const std::string& value = entry.second;
    auto integer = [&](std::int64_t& field, std::int64_t min,
                       std::int64_t max = std::numeric_limits<std::int64_t>::max()) -> log_result<void> {
      auto v = parse_int(name, value, min, max);
      if (!v) return fail(v.error());
      field = *v;
      return {};
    };
    log_result<void> r;
    if (name == "cleanup.policy") {
      if (value != "delete" && value != "compact") {
        return fail(log_error{log_errc::invalid_config, "invalid value '" + value +
                                                            "' for topic config cleanup.policy: expected delete or compact"});
      }
      compact = value == "compact";
    } else if (name == "flush.policy") {
      if (value == "always") flush = flush_policy::always;
      else if (value == "interval") flush = flush_policy::interval;
      else if (value == "os") flush = flush_policy::os;
      else {
        return fail(log_error{log_errc::invalid_config, "invalid value '" + value +
                                                            "' for topic config flush.policy: expected always, interval or os"});
      }
    } else if (name == "flush.ms") {
      r = integer(flush_ms, 1);
    } else if (name == "max.message.bytes") {
      r = integer(max_message_bytes, 0, std::numeric_limits<std::int32_t>::max());
    } else if (name == "retention.bytes") {
      r = integer(retention_bytes, -1);
    } else if (name == "retention.ms") {
      r = integer(retention_ms, -1);
    } else if (name == "segment.bytes") {
      // Kafka's bounds; index positions are 32-bit.
      r = integer(segment_bytes, 14, std::numeric_limits<std::int32_t>::max());
    } else if (name == "segment.ms") {
      r = integer(segment_ms, 1);
    } else {
      return fail(log_error{log_errc::invalid_config, "unknown topic config " + name});
    }
    if (!r) return r;
  }
  return {};
}

topic_config internal_topic_config() {
  topic_config config;
  config.partitions = 1;
  config.flush = flush_policy::always;
  config.compact = true;
  config.retention_ms = -1;
  config.segment_bytes = 64 << 20;
  return config;
}

log_result<void> validate_topic_name(std::string_view name) {
  auto bad = [&](const std::string& why) {
    return fail(log_error{log_errc::invalid_topic, "invalid topic name '" + std::string(name) + "': " + why});
  };
  if (name.empty()) return bad("it is empty");
  if (name.size() > 249) return bad("longer than 249 characters");
  if (name == "." || name == "..") return bad("'.' and '..' are not allowed");
  for (char ch : name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                    ch == '_' || ch == '-';
    if (!ok) return bad("only ASCII letters, digits, '.', '_' and '-' are allowed");
  }
  return {};
}

}  // namespace tributary::log
