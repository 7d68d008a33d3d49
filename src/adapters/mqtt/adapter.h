// adapter: Hono's MQTT adapter (spec/hono.md §3) for MQTT 3.1.1 devices: one session coroutine per
// connection (session.cc) that authenticates against the registry, maps PUBLISH to Kafka records
// through messaging, answers with the CONNACK/PUBACK/SUBACK rules and the error topic. Owns the
// table of live sessions, used for tenant connection limits and to close the connections of
// devices and tenants the registry disables or deletes. Outlives every session it serves.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/intrusive/set_hook.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "commands/consumer_directory.h"
#include "limits/resource_limits.h"
#include "messaging/downstream.h"
#include "metrics/hono_metrics.h"
#include "metrics/registry.h"
#include "net/connection.h"
#include "net/tls.h"
#include "registry/change_events.h"
#include "registry/lookups.h"

namespace tributary::adapters::mqtt {

inline constexpr const char* adapter_type = "hono-mqtt";

enum class connection_events_mode { none, logging, events };

struct mqtt_options {
  bool authentication_required = true;
  std::size_t max_payload_bytes = 2048;  // remaining length of any packet; larger: drop and close
  std::size_t max_connections = 0;       // adapter-wide; 0 = unlimited
  connection_events_mode connection_events = connection_events_mode::logging;
  std::chrono::milliseconds connect_timeout{10000};  // for the CONNECT packet
  std::size_t max_in_flight = 64;  // PUBLISHes being stored per connection before reading pauses
  bool defaults_enabled = true;    // apply tenant/device `defaults`
  std::chrono::milliseconds command_ack_timeout{1000};  // QoS 1 command without PUBACK: 503
};

class session;

class adapter {
 public:
  // `commands`: where command subscriptions register; null refuses them (SUBACK 0x80).
  adapter(registry::lookups& lookups, registry::change_notifier& events, messaging::downstream_sender& sender,
          limits::resource_limits& limits, metrics::registry& metrics, mqtt_options options,
          commands::consumer_directory* commands = nullptr);
  ~adapter();
  adapter(const adapter&) = delete;
  adapter& operator=(const adapter&) = delete;

  // The tcp_listener sessions of the plain and the TLS listener (handshake first).
  boost::asio::awaitable<void> serve(std::shared_ptr<net::connection> conn);
  boost::asio::awaitable<void> serve_tls(std::shared_ptr<net::connection> conn,
                                         std::shared_ptr<boost::asio::ssl::context> context);

  // For sessions.
  registry::lookups& lookups() { return lookups_; }
  messaging::downstream_sender& sender() { return sender_; }
  limits::resource_limits& limits() { return limits_; }
  const mqtt_options& options() const { return options_; }
  commands::consumer_directory* commands() { return commands_; }
  metrics::adapter_metrics& metrics() { return metrics_; }

  // Counts a connection against the adapter's max_connections (false: full); release undoes it.
  bool admit_connection();
  void release_connection();
  // Counts an authenticated connection against its tenant's `max-connections` (< 0: unlimited).
  bool admit_tenant(const std::string& tenant, std::int64_t max_connections);
  void release_tenant(const std::string& tenant);

  // Sessions of authenticated devices register to be closed on registry changes; a tracked
  // session's (tenant, device) must not change, and it must be untracked (at the latest by its
  // destructor) before it goes.
  void track(session& s);
  void untrack(session& s);

 private:
  void on_change(const registry::change_event& e);

  registry::lookups& lookups_;
  registry::change_notifier& events_;
  messaging::downstream_sender& sender_;
  limits::resource_limits& limits_;
  metrics::adapter_metrics metrics_;
  mqtt_options options_;
  commands::consumer_directory* commands_;
  registry::change_notifier::subscription subscription_;

  std::mutex mutex_;
  std::size_t connections_ = 0;  // all, authenticated or not
  std::map<std::string, std::int64_t> per_tenant_;
  // Tracked sessions, ordered by their own (tenant, device), linked through the sessions' own
  // hooks (no node, no copy of the identity); no references: see track().
  struct tracked_sessions;
  std::unique_ptr<tracked_sessions> tracked_;
};

// The links of a session in its adapter's table of tracked sessions (three pointers).
using tracking_hook = boost::intrusive::set_member_hook<boost::intrusive::optimize_size<true>>;

}  // namespace tributary::adapters::mqtt
