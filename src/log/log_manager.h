// log_manager: the embedded, partitioned message log (ARCHITECTURE.md §5). Owns the topics under its
// directory (<dir>/<topic>/topic.json and <dir>/<topic>/<partition>/), their recovery on open, and
// the flusher thread. Thread-safe: topics are created, found and deleted from any thread; see
// partition.h for appends and reads. Must not know about Kafka requests, adapters or the registry.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "log/flusher.h"
#include "log/partition.h"
#include "log/topic_config.h"

namespace tributary::log {

class topic {
 public:
  topic(std::string name, topic_config config) : name_(std::move(name)), config_(std::move(config)) {}
  const std::string& name() const { return name_; }
  const topic_config& config() const { return config_; }
  std::size_t partition_count() const { return partitions_.size(); }
  // nullptr when out of range.
  std::shared_ptr<partition> get(int index) const;

 private:
  friend class log_manager;
  std::string name_;
  topic_config config_;  // fixed for the topic's life; partitions refer to it
  std::vector<std::shared_ptr<partition>> partitions_;
};

struct log_options {
  std::filesystem::path dir;
  std::int64_t flusher_tick_ms = 100;  // interval fsyncs, sealing, retention checks
};

class log_manager {
 public:
  // Opens every topic under options.dir, recovering tails; fails on damage it must not repair.
  static log_result<std::unique_ptr<log_manager>> open(log_options options);
  ~log_manager();

  log_result<std::shared_ptr<topic>> create_topic(const std::string& name, const topic_config& config);
  // The topic, created with `config` when missing.
  log_result<std::shared_ptr<topic>> find_or_create_topic(const std::string& name, const topic_config& config);
  std::shared_ptr<topic> find_topic(const std::string& name) const;
  std::shared_ptr<partition> find_partition(const std::string& topic_name, int index) const;
  log_result<void> delete_topic(const std::string& name);
  std::vector<std::string> topic_names() const;

  // Flushes and closes every partition; acknowledges what waits for an fsync. Idempotent.
  log_result<void> close();

 private:
  explicit log_manager(log_options options);
  log_result<std::shared_ptr<topic>> open_topic(const std::filesystem::path& dir);
  log_result<void> open_partitions(topic& t);

  log_options options_;
  flusher flusher_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<topic>> topics_;
  bool closed_ = false;
};

}  // namespace tributary::log
