// change_events: the in-process notification that something in the registry changed, published
// after the change is committed (spec/hono.md §1.8 gives the same facts to Kafka consumers).
// Adapters subscribe to close the connections of deleted or disabled devices and tenants; the
// lookup caches subscribe to drop stale entries. Listeners run on the publishing thread (a blocking
// pool thread) and must be quick and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tributary::registry {

enum class change_kind { tenant, device, credentials, all_devices_of_tenant };
enum class change_type { created, updated, deleted };

struct change_event {
  change_kind kind;
  change_type change;
  std::string tenant_id;
  std::string device_id;  // empty for tenant and all-devices events
  bool enabled = true;    // of the tenant or device after the change (false when deleted)
  // Device and credentials changes: the (type, auth-id) of every credential the device had before
  // or has after the change, so that caches drop exactly those.
  std::vector<std::pair<std::string, std::string>> credentials;
};

class change_notifier {
 public:
  using listener = std::function<void(const change_event&)>;
  using subscription = std::uint64_t;

  subscription subscribe(listener l) {
    std::lock_guard lock(mutex_);
    listeners_.emplace(++last_, std::move(l));
    return last_;
  }
  void unsubscribe(subscription id) {
    std::lock_guard lock(mutex_);
    listeners_.erase(id);
  }
  void publish(const change_event& e) const {
    std::lock_guard lock(mutex_);
    for (const auto& [id, l] : listeners_) l(e);
  }

 private:
  mutable std::mutex mutex_;
  std::map<subscription, listener> listeners_;
  subscription last_ = 0;
};

}  // namespace tributary::registry
