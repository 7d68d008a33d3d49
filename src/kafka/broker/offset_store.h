// offset_store: consumer-group committed offsets, kept in memory and persisted in the compacted log
// topic __consumer_offsets (flush policy always), so they survive restarts. On open the topic is
// read back with "latest value per key wins". Thread-safe. Knows nothing about group membership:
// the broker asks group_coordinator::may_commit first. Destroying it waits for the commits still
// being written (their callbacks refer to it); the log must still be open or already closed.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "log/log_manager.h"

namespace tributary::kafka::broker {

struct committed_offset {
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  std::int64_t commit_timestamp = -1;
};

struct offset_commit_entry {
  std::string topic;
  std::int32_t partition = 0;
  committed_offset value;
};

class offset_store {
 public:
  static constexpr const char* topic_name = "__consumer_offsets";

  // Creates the topic when missing, then loads every group's offsets from it.
  static log::log_result<std::unique_ptr<offset_store>> open(log::log_manager& log);
  ~offset_store();
  offset_store(const offset_store&) = delete;
  offset_store& operator=(const offset_store&) = delete;

  // Stores the entries (one batch, fsynced); `done` runs once they are durable (or failed), from
  // the log's flusher thread. Readers see them only after that.
  void commit(const std::string& group, std::vector<offset_commit_entry> entries,
              std::function<void(log::log_result<void>)> done);

  std::optional<committed_offset> fetch(const std::string& group, const std::string& topic, std::int32_t partition) const;
  // Every committed (topic, partition) of a group.
  std::vector<offset_commit_entry> fetch_all(const std::string& group) const;
  std::vector<std::string> groups() const;

 private:
  using key = std::tuple<std::string, std::string, std::int32_t>;  // group, topic, partition
  explicit offset_store(std::shared_ptr<log::partition> p) : partition_(std::move(p)) {}
  static std::string encode_key(const key& k);
  static std::optional<key> decode_key(const std::string& bytes);
  static std::string encode_value(const committed_offset& v);
  static std::optional<committed_offset> decode_value(const std::string& bytes);

  std::shared_ptr<log::partition> partition_;
  mutable std::mutex mutex_;
  std::map<key, committed_offset> offsets_;
  std::size_t commits_in_flight_ = 0;  // appends whose callback has not finished yet
  std::condition_variable commits_done_;
};

}  // namespace tributary::kafka::broker
