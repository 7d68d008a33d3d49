// downstream: the one interface protocol adapters use to hand records to Kafka topics
// (hono.telemetry.<tenant>, hono.event.<tenant>, ...), whatever stores them: the embedded log
// (embedded_sender) or, in cluster mode, a Kafka cluster through librdkafka. Adapters never see
// partitions, batches or the log. Thread-safe; completions run on an arbitrary thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace tributary::messaging {

struct record_header {
  std::string name;
  std::string value;
  friend bool operator==(const record_header&, const record_header&) = default;
};

struct outgoing_record {
  std::string topic;
  std::optional<std::string> key;    // device id; records of one key keep their order
  std::optional<std::string> value;  // payload; nullopt = null value (e.g. an empty notification)
  std::vector<record_header> headers;
  std::int64_t timestamp_ms = 0;     // creation time
};

enum class messaging_errc {
  unavailable,  // storage cannot take it now (backpressure, shutting down): retry later, 503
  rejected,     // the record is invalid for the topic (too large, bad topic name): do not retry
  internal,     // storage failed
};
using messaging_error = coded_error<messaging_errc>;
using send_result = result<void, messaging_error>;
using send_callback = std::function<void(send_result)>;

class downstream_sender {
 public:
  virtual ~downstream_sender() = default;
  // Stores one record. `done` runs exactly once, when the record is stored as the topic's flush
  // policy requires (fsynced for `always`) or when storing failed. Never blocks on storage.
  virtual void send(outgoing_record record, send_callback done) = 0;
};

}  // namespace tributary::messaging
