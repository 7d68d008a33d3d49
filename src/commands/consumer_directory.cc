#include "commands/consumer_directory.h"

#include <vector>

namespace tributary::commands {

registration local_consumer_directory::add(const std::string& tenant_id, const std::string& device_id, subscription_scope scope,
                                           std::optional<std::string> gateway_id, std::shared_ptr<command_consumer> consumer) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  key k{tenant_id, device_id};
  if (const auto old = entries_.find(k); old != entries_.end() && old->second.scope == subscription_scope::gateway_devices) {
    gateways_[tenant_id].erase({old->second.id, device_id});
  }
  if (scope == subscription_scope::gateway_devices) {
    gateway_id = device_id;
    gateways_[tenant_id].insert({id, device_id});
  }
  entries_.insert_or_assign(std::move(k), entry{id, scope, std::move(gateway_id), std::move(consumer)});
  return registration{tenant_id, device_id, id};
}

void local_consumer_directory::remove(const registration& r) {
  std::shared_ptr<command_consumer> released;  // destroyed outside the lock
  std::lock_guard lock(mutex_);
  const auto it = entries_.find({r.tenant_id, r.device_id});
  if (it == entries_.end() || it->second.id != r.id) return;
  if (it->second.scope == subscription_scope::gateway_devices) {
    auto& gateways = gateways_[r.tenant_id];
    gateways.erase({r.id, r.device_id});
    if (gateways.empty()) gateways_.erase(r.tenant_id);
  }
  released = std::move(it->second.consumer);
  entries_.erase(it);
}

void local_consumer_directory::set_last_gateway(const std::string& tenant_id, const std::string& device_id,
                                                const std::string& gateway_id) {
  // Called for every message a gateway sends for a device: no allocation while it stays the same.
  std::lock_guard lock(mutex_);
  const auto it = last_gateway_.find(std::pair<std::string_view, std::string_view>(tenant_id, device_id));
  if (it == last_gateway_.end()) last_gateway_.emplace(key{tenant_id, device_id}, gateway_id);
  else if (it->second != gateway_id) it->second = gateway_id;
}

std::optional<route> local_consumer_directory::find(const std::string& tenant_id, const std::string& device_id,
                                                    const std::function<bool(const std::string& gateway_id)>& may_act_for) {
  std::vector<std::pair<std::string, std::shared_ptr<command_consumer>>> candidates;  // newest first
  std::optional<std::string> last;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find({tenant_id, device_id}); it != entries_.end()) {
      const auto& e = it->second;
      return route{e.consumer, device_id, e.scope == subscription_scope::gateway_devices ? std::nullopt : e.gateway_id};
    }
    const auto gateways = gateways_.find(tenant_id);
    if (gateways == gateways_.end()) return std::nullopt;
    for (auto g = gateways->second.rbegin(); g != gateways->second.rend(); ++g) {
      candidates.emplace_back(g->second, entries_.at({tenant_id, g->second}).consumer);
    }
    if (const auto it = last_gateway_.find(std::pair<std::string_view, std::string_view>(tenant_id, device_id));
        it != last_gateway_.end()) {
      last = it->second;
    }
  }
  // may_act_for asks the registry: outside the lock.
  if (last) {
    for (const auto& [gateway, consumer] : candidates) {
      if (gateway == *last && may_act_for(gateway)) return route{consumer, device_id, gateway};
    }
  }
  for (const auto& [gateway, consumer] : candidates) {
    if (gateway != last && may_act_for(gateway)) return route{consumer, device_id, gateway};
  }
  return std::nullopt;
}

}  // namespace tributary::commands
