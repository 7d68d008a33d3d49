// consumer_instances: the REST proxy's consumer instances, by (group, name): creation with the
// request's settings, lookup (which pushes the idle expiry back, as every call to an instance does),
// deletion, and expiry after `idle_timeout` without a call. Thread-safe. Closing an instance (an
// awaitable: it commits and leaves its group) is the caller's; tick() hands back the expired ones.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "restproxy/cluster.h"
#include "restproxy/media_type.h"
#include "restproxy/read_ahead.h"

namespace tributary::restproxy {

struct instance_settings {
  std::string name;
  embedded_format format = embedded_format::binary;
  consumer_options options;
  std::int64_t fetch_min_bytes = -1;                       // -1: answer as soon as there is a record
  std::optional<std::chrono::milliseconds> request_timeout;  // overrides the proxy's
};

struct consumer_instance {
  std::string group;
  instance_settings settings;
  std::shared_ptr<consumer> kafka;
  std::atomic<std::int64_t> expires_at_ms{0};
  std::mutex read_ahead_mutex;
  std::shared_ptr<read_ahead_slot> read_ahead;  // the next records response, being read or ready
};

class consumer_instances {
 public:
  consumer_instances(cluster& c, std::chrono::milliseconds idle_timeout, std::size_t max_instances)
      : cluster_(c), idle_timeout_(idle_timeout), max_instances_(max_instances) {}

  // 40902 when the name is taken in the group, 42901 when max_instances exist.
  proxy_result<std::shared_ptr<consumer_instance>> create(const std::string& group, instance_settings settings,
                                                          std::int64_t now_ms);
  // nullptr when unknown (or expired); otherwise its expiry moves to now + idle_timeout.
  std::shared_ptr<consumer_instance> find(const std::string& group, const std::string& name, std::int64_t now_ms);
  std::shared_ptr<consumer_instance> remove(const std::string& group, const std::string& name);
  // Ticks every instance's consumer; removes and returns the ones idle past their expiry.
  std::vector<std::shared_ptr<consumer_instance>> tick(std::int64_t now_ms);
  // Removes and returns all (shutdown).
  std::vector<std::shared_ptr<consumer_instance>> take_all();

 private:
  cluster& cluster_;
  const std::chrono::milliseconds idle_timeout_;
  const std::size_t max_instances_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<consumer_instance>> instances_;
};

}  // namespace tributary::restproxy
