#include "restproxy/consumer_instances.h"

namespace tributary::restproxy {

proxy_result<std::shared_ptr<consumer_instance>> consumer_instances::create(const std::string& group,
                                                                            instance_settings settings,
                                                                            std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  const auto key = std::make_pair(group, settings.name);
  if (instances_.contains(key)) return fail(consumer_already_exists());
  if (instances_.size() >= max_instances_)
    return fail(rest_error{429, 42901, "Too many consumer instances: this proxy holds at most " +
                                           std::to_string(max_instances_)});
  auto instance = std::make_shared<consumer_instance>();
  instance->group = group;
  instance->kafka = cluster_.new_consumer(group, settings.name, settings.options);
  instance->settings = std::move(settings);
  instance->expires_at_ms = now_ms + idle_timeout_.count();
  instances_.emplace(key, instance);
  return instance;
}

std::shared_ptr<consumer_instance> consumer_instances::find(const std::string& group, const std::string& name,
                                                            std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = instances_.find({group, name});
  if (it == instances_.end()) return nullptr;
  it->second->expires_at_ms = now_ms + idle_timeout_.count();
  return it->second;
}

std::shared_ptr<consumer_instance> consumer_instances::remove(const std::string& group, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = instances_.find({group, name});
  if (it == instances_.end()) return nullptr;
  auto instance = std::move(it->second);
  instances_.erase(it);
  return instance;
}

std::vector<std::shared_ptr<consumer_instance>> consumer_instances::tick(std::int64_t now_ms) {
  std::vector<std::shared_ptr<consumer_instance>> expired, live;
  {
    std::lock_guard lock(mutex_);
    for (auto it = instances_.begin(); it != instances_.end();) {
      if (it->second->expires_at_ms.load() <= now_ms) {
        expired.push_back(std::move(it->second));
        it = instances_.erase(it);
      } else {
        live.push_back(it->second);
        ++it;
      }
    }
  }
  for (const auto& instance : live) instance->kafka->tick(now_ms);  // outside the mutex: ticks join groups
  return expired;
}

std::vector<std::shared_ptr<consumer_instance>> consumer_instances::take_all() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<consumer_instance>> out;
  for (auto& [key, instance] : instances_) out.push_back(std::move(instance));
  instances_.clear();
  return out;
}

}  // namespace tributary::restproxy
