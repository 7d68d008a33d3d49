// adapter: Hono's HTTP adapter (spec/hono.md §2) for telemetry and events: authentication (client
// certificate, then Basic auth-id@tenant), the upload URIs, QoS-Level / hono-ttd / hono-ttl, body
// and content-type rules, the tenant's data-volume limit, CORS, the one status table, and records
// through messaging. A pure request -> response coroutine served by net::serve_http/serve_https;
// holds no per-connection state. Command delivery in responses (hono-ttd) and /command/res are command & control's: the
// effective ttd is computed and forwarded, and the route answers 501 until then.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

#include "adapters/http/command_wait.h"
#include "limits/resource_limits.h"
#include "messaging/downstream.h"
#include "metrics/hono_metrics.h"
#include "net/http_session.h"
#include "registry/lookups.h"

namespace tributary::adapters::http {

inline constexpr const char* adapter_type = "hono-http";

struct http_options {
  bool authentication_required = true;
  std::size_t max_payload_bytes = 2048;
  std::chrono::milliseconds idle_timeout{75000};
  std::string realm = "Hono";
  std::string cors_allowed_origin = "*";
  bool defaults_enabled = true;
};

class adapter {
 public:
  // `commands`: where hono-ttd requests register for a command; null: no commands in responses and
  // /command/res answers 501.
  adapter(registry::lookups& lookups, messaging::downstream_sender& sender, limits::resource_limits& limits,
          metrics::registry& metrics, http_options options, commands::consumer_directory* commands = nullptr);

  boost::asio::awaitable<net::http_response> handle(const net::http_request& req, const net::http_peer& peer);

  // Limits for the listeners: the payload limit, Hono's idle timeout.
  net::http_limits limits() const;

 private:
  registry::lookups& lookups_;
  messaging::downstream_sender& sender_;
  limits::resource_limits& limits_;
  metrics::adapter_metrics metrics_;
  http_options options_;
  std::unique_ptr<command_waits> waits_;
};

}  // namespace tributary::adapters::http
