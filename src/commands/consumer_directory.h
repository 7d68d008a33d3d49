// consumer_directory: which command consumer takes a device's commands (spec/hono.md §1.7 routing,
// §3.5 precedence): adapters register a consumer when a device or gateway subscribes for commands
// and remove it on unsubscribe or disconnect; the router asks it for the route of each command. An
// interface, so that cluster mode (consumers on other instances, hono.command_internal.<id>) can
// replace the local map without touching the adapters. Thread-safe; consumers are called outside
// its lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "commands/command.h"

namespace tributary::commands {

enum class delivery_errc {
  unavailable,  // not delivered (consumer gone, no PUBACK in time): 503 "Temporarily unavailable"
  rejected,     // the adapter refused it (e.g. 429 message limit, 403): status and message as given
};
struct delivery_error {
  delivery_errc code;
  int status = 503;
  std::string message;
};
using delivery_result = result<void, delivery_error>;

// What an adapter session registers: it delivers commands to its device. deliver() may be called on
// any thread; `done` must be called exactly once, on any thread.
class command_consumer {
 public:
  virtual ~command_consumer() = default;
  // `target_device` is the device the command is for: the subscriber itself, or a device behind the
  // subscribing gateway.
  virtual void deliver(std::shared_ptr<const command> c, std::string target_device,
                       std::function<void(delivery_result)> done) = 0;
};

// What a subscription covers. `device`: commands for the device it names (the subscriber itself,
// or one device a gateway subscribed for). `gateway_devices`: a gateway's `c//+/q/#`: commands for
// the gateway itself and for every device it may act for.
enum class subscription_scope { device, gateway_devices };

struct registration {
  std::string tenant_id;
  std::string device_id;  // the key: the device subscribed for, or the gateway for gateway_devices
  std::uint64_t id = 0;   // removes only this registration, not a newer one for the same key
};

struct route {
  std::shared_ptr<command_consumer> consumer;
  std::string target_device;          // the command's device
  std::optional<std::string> gateway;  // set when a gateway delivers it
};

class consumer_directory {
 public:
  virtual ~consumer_directory() = default;
  // Registers `consumer` for (tenant, device_id); replaces an older registration of the same key
  // (spec/hono.md §3.5: the newest subscription wins). `gateway_id` is set when a gateway
  // subscribed for one device (scope device) and is implied for gateway_devices.
  virtual registration add(const std::string& tenant_id, const std::string& device_id, subscription_scope scope,
                           std::optional<std::string> gateway_id, std::shared_ptr<command_consumer> consumer) = 0;
  // Removes r if it is still the current registration of its key; a replaced one is left alone.
  virtual void remove(const registration& r) = 0;
  // The gateway a device last sent through, preferred among gateways that may act for it.
  virtual void set_last_gateway(const std::string& tenant_id, const std::string& device_id, const std::string& gateway_id) = 0;
  // The route of a command for (tenant, device): a registration for the device itself; else a
  // gateway_devices registration of a gateway that `may_act_for` the device, the device's last
  // gateway first, else the newest; nullopt when there is none (503 "no consumer available").
  virtual std::optional<route> find(const std::string& tenant_id, const std::string& device_id,
                                    const std::function<bool(const std::string& gateway_id)>& may_act_for) = 0;
};

// The consumers of this instance.
class local_consumer_directory final : public consumer_directory {
 public:
  registration add(const std::string& tenant_id, const std::string& device_id, subscription_scope scope,
                   std::optional<std::string> gateway_id, std::shared_ptr<command_consumer> consumer) override;
  void remove(const registration& r) override;
  void set_last_gateway(const std::string& tenant_id, const std::string& device_id, const std::string& gateway_id) override;
  std::optional<route> find(const std::string& tenant_id, const std::string& device_id,
                            const std::function<bool(const std::string& gateway_id)>& may_act_for) override;

 private:
  using key = std::pair<std::string, std::string>;  // (tenant, device or gateway id)
  struct entry {
    std::uint64_t id;
    subscription_scope scope;
    std::optional<std::string> gateway_id;
    std::shared_ptr<command_consumer> consumer;
  };

  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<key, entry> entries_;
  std::map<std::string, std::set<std::pair<std::uint64_t, std::string>>> gateways_;  // tenant -> (id, gateway id) of gateway_devices
  // Ordered by (tenant, device) as string_views, so that a lookup builds no key.
  struct key_less {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.first, a.second) <
             std::pair<std::string_view, std::string_view>(b.first, b.second);
    }
  };
  std::map<key, std::string, key_less> last_gateway_;
};

}  // namespace tributary::commands
