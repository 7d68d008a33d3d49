#include "adapters/mqtt/adapter.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/intrusive/set.hpp>

#include <spdlog/spdlog.h>

#include "adapters/mqtt/session.h"

namespace tributary::adapters::mqtt {

struct adapter::tracked_sessions {
  using identity = std::pair<std::string_view, std::string_view>;
  struct by_identity {
    static identity of(const session& s) { return {s.tenant(), s.device()}; }
    static identity of(const identity& i) { return i; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return of(a) < of(b);
    }
  };
  boost::intrusive::multiset<session, boost::intrusive::member_hook<session, tracking_hook, &session::tracking_>,
                             boost::intrusive::compare<by_identity>>
      sessions;
};

adapter::adapter(registry::lookups& lookups, registry::change_notifier& events, messaging::downstream_sender& sender,
                 limits::resource_limits& limits, metrics::registry& metrics, mqtt_options options,
                 commands::consumer_directory* commands)
    : lookups_(lookups),
      events_(events),
      sender_(sender),
      limits_(limits),
      metrics_(metrics, adapter_type),
      options_(options),
      commands_(commands),
      tracked_(std::make_unique<tracked_sessions>()) {
  subscription_ = events.subscribe([this](const registry::change_event& e) { on_change(e); });
}

adapter::~adapter() { events_.unsubscribe(subscription_); }

// Not a coroutine: session::run's frame is the only one a plain TCP connection keeps.
boost::asio::awaitable<void> adapter::serve(std::shared_ptr<net::connection> conn) {
  return session::run(std::make_shared<session>(*this, conn, nullptr));
}

boost::asio::awaitable<void> adapter::serve_tls(std::shared_ptr<net::connection> conn,
                                                std::shared_ptr<boost::asio::ssl::context> context) {
  auto stream = std::make_unique<net::tls_stream>(*conn, *context);
  conn->expires_after(options_.connect_timeout);
  const auto ec = co_await stream->handshake();
  if (ec) {
    spdlog::debug("mqtt: TLS handshake with {} failed: {}", conn->peer(), ec.message());
    co_return;
  }
  auto running = session::run(std::make_shared<session>(*this, conn, std::move(stream)));
  co_await std::move(running);
}

bool adapter::admit_connection() {
  std::lock_guard lock(mutex_);
  if (options_.max_connections != 0 && connections_ >= options_.max_connections) return false;
  ++connections_;
  return true;
}

void adapter::release_connection() {
  std::lock_guard lock(mutex_);
  --connections_;
}

bool adapter::admit_tenant(const std::string& tenant, std::int64_t max_connections) {
  std::lock_guard lock(mutex_);
  auto& count = per_tenant_[tenant];
  if (max_connections >= 0 && count >= max_connections) return false;  // spec/hono.md §6.1: current >= limit
  ++count;
  metrics_.authenticated_connections(tenant, 1);
  return true;
}

void adapter::release_tenant(const std::string& tenant) {
  std::lock_guard lock(mutex_);
  if (auto it = per_tenant_.find(tenant); it != per_tenant_.end() && --it->second == 0) per_tenant_.erase(it);
  metrics_.authenticated_connections(tenant, -1);
}

void adapter::track(session& s) {
  std::lock_guard lock(mutex_);
  if (!s.tracking_.is_linked()) tracked_->sessions.insert(s);
}

void adapter::untrack(session& s) {
  std::lock_guard lock(mutex_);
  if (s.tracking_.is_linked()) tracked_->sessions.erase(tracked_->sessions.iterator_to(s));
}

void adapter::on_change(const registry::change_event& e) {
  // Runs on the thread that made the change (a blocking pool thread): lookups may hit the store.
  std::vector<std::shared_ptr<session>> affected;
  {
    std::lock_guard lock(mutex_);
    auto& sessions = tracked_->sessions;
    auto it = sessions.lower_bound(tracked_sessions::identity{e.tenant_id, ""}, tracked_sessions::by_identity{});
    for (; it != sessions.end() && it->tenant() == e.tenant_id; ++it) {
      if (e.kind == registry::change_kind::device || e.kind == registry::change_kind::credentials) {
        if (it->device() != e.device_id) continue;
      }
      // Skips a session whose last reference is gone: its destructor waits for the lock to untrack it.
      if (auto s = it->weak_from_this().lock()) affected.push_back(std::move(s));
    }
  }
  if (affected.empty()) return;
  std::string reason;
  switch (e.kind) {
    case registry::change_kind::tenant: {
      auto t = lookups_.tenant(e.tenant_id);
      if (e.change == registry::change_type::deleted || !t) reason = "tenant deleted";
      else if (!(*t)->enabled) reason = "tenant disabled";
      else if (!(*t)->adapter_enabled(adapter_type)) reason = "adapter disabled for tenant";
      break;
    }
    case registry::change_kind::all_devices_of_tenant: reason = "devices of tenant deleted"; break;
    case registry::change_kind::device:
      if (e.change == registry::change_type::deleted) reason = "device deleted";
      else if (!e.enabled) reason = "device disabled";
      break;
    case registry::change_kind::credentials:
      for (const auto& s : affected) {
        if (!lookups_.credential(e.tenant_id, s->auth_type(), s->auth_id())) s->close_soon("credentials removed or disabled");
      }
      return;
  }
  if (reason.empty()) return;
  for (const auto& s : affected) s->close_soon(reason);
}

}  // namespace tributary::adapters::mqtt
