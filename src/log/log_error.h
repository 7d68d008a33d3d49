// log_error: what the embedded log reports across its boundary. Each value has one meaning; the
// Kafka broker and the adapters map them to their own codes in one table each.
#pragma once

#include "common/result.h"

namespace tributary::log {

enum class log_errc {
  invalid_topic,        // topic name breaks Kafka's rules
  topic_exists,         // create_topic on an existing topic
  unknown_topic,        // no such topic or partition
  invalid_config,       // a topic configuration value out of range
  offset_out_of_range,  // read below the log start offset or above the high watermark
  invalid_batch,        // a client batch fails validation (CRC, framing, magic, ...)
  message_too_large,    // a batch above the topic's max.message.bytes
  overloaded,           // too many unflushed bytes waiting for fsync: retry later (backpressure)
  corrupt,              // stored data fails its checks; the message names the file and offset
  io_error,             // the operating system refused a file operation
  closed,               // the log is shutting down
};
using log_error = coded_error<log_errc>;

template <typename T>
using log_result = result<T, log_error>;

}  // namespace tributary::log
