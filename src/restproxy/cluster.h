// cluster: the seam between the REST proxy's HTTP side and Kafka (issue "Kafka REST proxy").
// `cluster` answers metadata and appends records; `consumer` is what one REST consumer instance
// drives (the Java proxy wraps a KafkaConsumer the same way). The embedded implementation
// (embedded_cluster.h) works on the log and the group coordinator in-process; cluster mode adds
// one over librdkafka without touching proxy.cc. Implementations are thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "log/record_batch.h"
#include "restproxy/consumer_protocol.h"
#include "restproxy/rest_error.h"

namespace tributary::restproxy {

struct topic_description {
  std::string name;
  std::map<std::string, std::string> configs;
  std::int32_t partitions = 0;
  std::int32_t leader = 0;  // broker id leading every partition
};

struct offset_range {
  std::int64_t beginning = 0;
  std::int64_t end = 0;  // high watermark
};

struct consumed_record {
  std::string topic;
  std::int32_t partition = 0;
  log::record record;
};

struct commit_entry {
  topic_partition tp;
  std::int64_t offset = 0;  // the next offset to read, as Kafka stores it
  std::string metadata;
};

// Where delivering records read ahead moves one partition's position (consumer::peek).
struct position_move {
  topic_partition tp;
  std::int64_t from = 0;
  std::int64_t to = 0;
};

// Records read without moving the positions, and the moves that delivering them makes.
struct peeked_records {
  std::vector<consumed_record> records;
  std::vector<position_move> moves;
};

struct consumer_options {
  std::string auto_offset_reset = "latest";  // earliest, latest, none
  bool auto_commit = true;                    // positions committed every 5 s and on close
};

class consumer {
 public:
  virtual ~consumer() = default;

  // Exactly one of `topics` (non-empty) and `pattern` (a regular expression that must match the
  // whole topic name). Replaces an earlier subscription; 40903 after assign().
  virtual proxy_result<void> subscribe(std::vector<std::string> topics, std::string pattern) = 0;
  virtual void unsubscribe() = 0;
  virtual std::vector<std::string> subscription() const = 0;
  // Manual assignment; 40903 while subscribed.
  virtual proxy_result<void> assign(std::vector<topic_partition> partitions) = 0;
  virtual std::vector<topic_partition> assignment() const = 0;

  // 40903 for a partition not assigned.
  virtual proxy_result<void> seek(const topic_partition& tp, std::int64_t offset) = 0;
  virtual proxy_result<void> seek_to_beginning(const std::vector<topic_partition>& tps) = 0;
  virtual proxy_result<void> seek_to_end(const std::vector<topic_partition>& tps) = 0;
  virtual proxy_result<void> seek_to_timestamp(const topic_partition& tp, std::int64_t timestamp_ms) = 0;

  // Records from the current positions, without waiting: keys and values of at most `max_bytes`,
  // but at least one record when one is there. Advances the positions past what it returns.
  virtual proxy_result<std::vector<consumed_record>> poll(std::size_t max_bytes) = 0;
  // What poll(max_bytes) would return now, leaving the positions where they are (a read ahead).
  virtual proxy_result<peeked_records> peek(std::size_t max_bytes) = 0;
  // Delivers a peek: applies its moves when every partition is still assigned and at the move's
  // `from`; otherwise changes nothing and returns false (a seek, commit-free rebalance or another
  // read came in between, so the peek is stale).
  virtual bool advance(const std::vector<position_move>& moves) = 0;
  // Returns when an assigned partition has data past its position, or after `timeout`.
  virtual boost::asio::awaitable<void> wait(std::chrono::milliseconds timeout) = 0;

  // Stores the offsets as given (durably, before it returns).
  virtual boost::asio::awaitable<proxy_result<void>> commit(std::vector<commit_entry> entries) = 0;
  // Current positions of the assigned partitions that have one.
  virtual std::vector<commit_entry> positions() const = 0;
  // Committed offsets of the group for these partitions; ones without a commit are left out.
  virtual std::vector<commit_entry> committed(const std::vector<topic_partition>& tps) const = 0;

  // Called every ~100 ms: group heartbeats and rejoins, pattern re-matching, auto commit.
  virtual void tick(std::int64_t now_ms) = 0;
  // Auto-commits (when enabled) and leaves the group.
  virtual boost::asio::awaitable<void> close() = 0;
};

class cluster {
 public:
  virtual ~cluster() = default;
  virtual std::string cluster_id() const = 0;
  virtual std::vector<std::int32_t> broker_ids() const = 0;
  virtual std::vector<std::string> topic_names() const = 0;
  virtual proxy_result<topic_description> describe_topic(const std::string& topic) const = 0;
  virtual proxy_result<offset_range> offsets(const std::string& topic, std::int32_t partition) const = 0;
  // The topic's partition count; creates the topic when the broker creates topics on first use.
  virtual proxy_result<std::int32_t> partitions_for_produce(const std::string& topic) = 0;
  // Appends records to one partition as one batch; resumes with the first record's offset.
  virtual boost::asio::awaitable<proxy_result<std::int64_t>> append(const std::string& topic, std::int32_t partition,
                                                                    std::vector<log::record> records) = 0;
  virtual std::shared_ptr<consumer> new_consumer(const std::string& group, const std::string& client_id,
                                                 consumer_options options) = 0;
  // Whether name/password is one of the Kafka SASL users (HTTP Basic authentication).
  virtual bool check_user(const std::string& name, const std::string& password) const = 0;
};

}  // namespace tributary::restproxy
