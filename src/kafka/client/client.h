// kafka/client: a small C++ face over librdkafka for the hub's own Kafka clients: the `tributary
// consume` and `tributary command` tools, the benchmarks, later the cluster-mode sender. Owns the
// librdkafka handles and turns their errors into values. Knows nothing about Hono topics, the
// embedded log or the broker: it only ever speaks the Kafka protocol, so it works against the
// embedded broker and any Kafka cluster alike. Not thread-safe: one thread per producer/consumer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace tributary::kafka::client {

enum class client_errc {
  config,         // a property librdkafka refuses
  unknown_topic,  // the topic does not exist and the broker did not create it
  unreachable,     // no broker could be connected to (refused, unresolvable)
  authentication,  // the broker refused the SASL login
  broker,         // the broker answered with an error (message says which)
  timeout,        // no answer within the time given
};
using client_error = coded_error<client_errc>;
template <typename T>
using client_result = result<T, client_error>;

// Where and how to connect. With a SASL user the security protocol defaults to SASL_PLAINTEXT.
struct connection_options {
  std::string bootstrap = "127.0.0.1:9092";
  std::string security_protocol;  // empty: PLAINTEXT, or SASL_PLAINTEXT when sasl_username is set
  std::string sasl_mechanism = "SCRAM-SHA-512";
  std::string sasl_username;
  std::string sasl_password;
  // Any librdkafka property ("key", "value"), applied after everything above.
  std::vector<std::pair<std::string, std::string>> properties;
};

struct header {
  std::string name;
  std::optional<std::string> value;  // nullopt: a header with a null value
};

// A record as produced or consumed. partition -1 on produce: the key decides, with the Java
// client's murmur2 partitioner, so that records of one key share a partition with Java producers.
struct record {
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::int64_t timestamp = -1;  // ms since the epoch; -1 on produce: now
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<header> headers;

  // The value of the first header of that name, or nullptr (also for a null value).
  const std::string* header_value(std::string_view name) const;
};

class producer {
 public:
  // Idempotent producer with acks=all: an acknowledged record is stored.
  static client_result<std::unique_ptr<producer>> create(const connection_options& options);
  ~producer();
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;

  // Queues the record; `done` runs from poll()/flush() on this thread once the broker acknowledged
  // it or it failed. Fails at once when librdkafka's queue is full or the record is refused.
  client_result<void> send_async(const record& r, std::function<void(client_result<void>)> done);
  // Serves delivery reports for up to `timeout`.
  void poll(std::chrono::milliseconds timeout);
  // Sends one record and waits for its acknowledgement. On timeout every record still queued is
  // dropped (their callbacks run with an error), so that nothing is delivered after the failure.
  client_result<void> send(const record& r, std::chrono::milliseconds timeout);
  // Waits until every queued record is acknowledged or failed.
  client_result<void> flush(std::chrono::milliseconds timeout);

 private:
  struct handle;
  explicit producer(std::unique_ptr<handle> h);
  std::unique_ptr<handle> h_;
};

enum class start_at { beginning, end };

class consumer {
 public:
  // A consumer without a group: it reads the partitions it is assigned and commits nothing.
  static client_result<std::unique_ptr<consumer>> create(const connection_options& options);
  ~consumer();
  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;

  // Assigns every partition of the topics, from their start or their end as it is when this
  // returns (so every record written afterwards is read). Asks the broker to create missing topics
  // (it does when auto-creation is on), else fails with unknown_topic; a failed SASL login fails
  // at once. Call it once, before poll().
  client_result<void> assign(const std::vector<std::string>& topics, start_at from, std::chrono::milliseconds timeout);
  // The next record, or nullopt when none came within `timeout`. The end of a partition is not an
  // error; a broker or transport error is, once (librdkafka keeps retrying on its own).
  client_result<std::optional<record>> poll(std::chrono::milliseconds timeout);

 private:
  void serve_errors(std::chrono::milliseconds timeout);
  struct handle;
  explicit consumer(std::unique_ptr<handle> h);
  std::unique_ptr<handle> h_;
};

}  // namespace tributary::kafka::client
