#include "registry/lookups.h"

#include <boost/asio/this_coro.hpp>

#include <array>
#include <ctime>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "net/blocking.h"
#include "registry/admission_filter.h"
#include "registry/ids.h"
#include "registry/x509.h"

namespace tributary::registry {
namespace {

// The caches' clock: CLOCK_MONOTONIC at the kernel tick's resolution (a few ms), cheaper to read
// than steady_clock on every lookup; TTLs are seconds to minutes.
struct clock {
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;
  static time_point now() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return time_point(std::chrono::duration_cast<duration>(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
  }
};

std::string key_of(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (auto p : parts) {
    key.append(p);
    key.push_back('\0');
  }
  return key;
}

// When a ttl_map stores a key: on its first put(), or on its second (admission_filter.h).
enum class admission { first_sight, second_sight };

// A map whose entries expire after a TTL. Bounded: when full, it starts over empty (lookups then
// refill it from the store), which keeps the bound without per-entry bookkeeping. With an
// admission filter, a key is stored on its second put() only (see admission_filter.h). Every removal
// bumps the generation of the key's stripe (all stripes for bulk removals); put() only stores a
// value read from the store when its stripe saw no removal since the caller took generation(key)
// before reading, so a lookup racing with a change cannot cache the old state, and removals of other
// keys rarely cost a fill.
template <typename V>
class ttl_map {
 public:
  ttl_map(clock::duration ttl, std::size_t max_entries, admission a = admission::first_sight)
      : ttl_(ttl), max_entries_(max_entries) {
    if (a == admission::second_sight && max_entries > 0) door_.emplace(max_entries);
  }

  std::optional<V> get(const std::string& key) const {
    std::shared_lock lock(mutex_);
    auto it = map_.find(key);
    if (it == map_.end() || it->second.expires < clock::now()) return std::nullopt;
    return it->second.value;
  }
  std::uint64_t generation(const std::string& key) const {
    std::shared_lock lock(mutex_);
    return generations_[stripe(key)];
  }
  void put(const std::string& key, V value, std::uint64_t seen_generation) {
    if (max_entries_ == 0 || ttl_ <= clock::duration::zero()) return;
    std::unique_lock lock(mutex_);
    if (seen_generation != generations_[stripe(key)]) return;
    if (door_ && !door_->admit(std::hash<std::string>{}(key))) return;
    if (map_.size() >= max_entries_) map_.clear();
    map_.insert_or_assign(key, entry{std::move(value), clock::now() + ttl_});
  }
  void erase(const std::string& key) {
    std::unique_lock lock(mutex_);
    ++generations_[stripe(key)];
    map_.erase(key);
  }
  template <typename Pred>
  void erase_if(Pred pred) {
    std::unique_lock lock(mutex_);
    for (auto& g : generations_) ++g;
    std::erase_if(map_, [&](const auto& kv) { return pred(kv.first, kv.second.value); });
  }
  void clear() {
    std::unique_lock lock(mutex_);
    for (auto& g : generations_) ++g;
    map_.clear();
  }

 private:
  struct entry {
    V value;
    clock::time_point expires;
  };
  const clock::duration ttl_;
  const std::size_t max_entries_;
  mutable std::shared_mutex mutex_;
  static std::size_t stripe(const std::string& key) { return std::hash<std::string>{}(key) % stripes; }
  static constexpr std::size_t stripes = 64;
  std::unordered_map<std::string, entry> map_;
  std::array<std::uint64_t, stripes> generations_{};
  std::optional<admission_filter> door_;
};

registry_error unauthorized() { return {registry_errc::unauthorized, "bad credentials"}; }

}  // namespace

class lookups::caches {
 public:
  caches(const lookup_options& o)
      : tenants(o.ttl, o.max_entries),
        aliases(o.ttl, o.max_entries),
        devices(o.ttl, o.max_entries, admission::second_sight),
        credentials(o.ttl, o.max_entries, admission::second_sight) {}

  // One entry per device asked about: only what is asked for again is kept (a connected MQTT
  // device's session asks for its credentials and registration once, at CONNECT, and then for its
  // registration with every message). A tenant is asked about by all its devices.
  ttl_map<std::shared_ptr<const tenant_info>> tenants;  // by id
  ttl_map<std::string> aliases;                         // alias -> tenant id
  ttl_map<std::shared_ptr<const device_info>> devices;  // by tenant\0device\0
  ttl_map<std::shared_ptr<const credential_info>> credentials;  // by tenant\0type\0auth-id\0
};

lookups::lookups(store& s, change_notifier& events, boost::asio::thread_pool& blocking, lookup_options options)
    : store_(s),
      events_(events),
      blocking_(blocking),
      caches_(std::make_unique<caches>(options)),
      passwords_(options.max_entries, options.ttl),
      subscription_(events.subscribe([this](const change_event& e) { on_change(e); })) {}

lookups::~lookups() { events_.unsubscribe(subscription_); }

void lookups::on_change(const change_event& e) {
  switch (e.kind) {
    case change_kind::tenant:
      caches_->tenants.erase(e.tenant_id);
      caches_->aliases.clear();
      if (e.change == change_type::deleted) {
        const std::string prefix = key_of({e.tenant_id});
        auto in_tenant = [&](const std::string& key, const auto&) { return key.starts_with(prefix); };
        caches_->devices.erase_if(in_tenant);
        caches_->credentials.erase_if(in_tenant);
      }
      break;
    case change_kind::all_devices_of_tenant: {
      const std::string prefix = key_of({e.tenant_id});
      auto in_tenant = [&](const std::string& key, const auto&) { return key.starts_with(prefix); };
      caches_->devices.erase_if(in_tenant);
      caches_->credentials.erase_if(in_tenant);
      break;
    }
    case change_kind::device:
      caches_->devices.erase(key_of({e.tenant_id, e.device_id}));
      for (const auto& [type, auth_id] : e.credentials) caches_->credentials.erase(key_of({e.tenant_id, type, auth_id}));
      break;
    case change_kind::credentials:
      for (const auto& [type, auth_id] : e.credentials) caches_->credentials.erase(key_of({e.tenant_id, type, auth_id}));
      break;
  }
}

registry_result<std::shared_ptr<const tenant_info>> lookups::tenant(const std::string& id) {
  if (auto hit = caches_->tenants.get(id)) return *hit;
  const auto generation = caches_->tenants.generation(id);
  auto r = store_.read_tenant(id);
  if (!r) return fail(r.error());
  auto info = std::make_shared<const tenant_info>(tenant_info::from(*r));
  caches_->tenants.put(id, info, generation);
  return info;
}

registry_result<std::shared_ptr<const tenant_info>> lookups::tenant_by_alias(const std::string& alias) {
  if (auto id = caches_->aliases.get(alias)) return tenant(*id);
  const auto generation = caches_->aliases.generation(alias);
  auto r = store_.tenant_by_alias(alias);
  if (!r) return fail(r.error());
  caches_->aliases.put(alias, r->id, generation);
  return std::make_shared<const tenant_info>(tenant_info::from(*r));
}

registry_result<std::vector<std::shared_ptr<const tenant_info>>> lookups::tenants_by_trusted_ca(
    const std::string& subject_dn) {
  auto r = store_.tenants_by_trusted_ca(subject_dn);
  if (!r) return fail(r.error());
  std::vector<std::shared_ptr<const tenant_info>> out;
  for (const auto& t : *r) out.push_back(std::make_shared<const tenant_info>(tenant_info::from(t)));
  return out;
}

registry_result<std::shared_ptr<const credential_info>> lookups::credential(const std::string& tenant,
                                                                            const std::string& type,
                                                                            const std::string& auth_id) {
  const std::string key = key_of({tenant, type, auth_id});
  std::shared_ptr<const credential_info> info;
  if (auto hit = caches_->credentials.get(key)) {
    info = *hit;
  } else {
    const auto generation = caches_->credentials.generation(key);
    auto r = store_.find_credential(tenant, type, auth_id);
    if (!r) return fail(r.error());
    info = std::make_shared<const credential_info>(credential_info::from(*r));
    caches_->credentials.put(key, info, generation);
  }
  if (!info->enabled) return registry_fail(registry_errc::not_found, "credentials are disabled");
  return info;
}

std::optional<registry_result<authenticated_device>> lookups::authenticate_cached(const std::string& tenant,
                                                                                 const std::string& auth_id,
                                                                                 const std::string& password) {
  if (!caches_->tenants.get(tenant)) return std::nullopt;
  auto hit = caches_->credentials.get(key_of({tenant, "hashed-password", auth_id}));
  if (!hit) return std::nullopt;
  const credential_info& c = **hit;
  if (!c.enabled) return registry_result<authenticated_device>(fail(unauthorized()));
  const auto now = now_seconds();
  for (const auto& s : c.secrets) {
    if (!s.password || !s.valid_at(now)) continue;
    std::optional<bool> matched;
    if (s.password->function == "bcrypt") matched = passwords_.lookup(*s.password, password);
    else matched = verify(*s.password, password);  // salted SHA-2: cheap
    if (!matched) return std::nullopt;             // needs a bcrypt run
    if (*matched) return registry_result<authenticated_device>(authenticated_device{tenant, c.device_id, auth_id});
  }
  return registry_result<authenticated_device>(fail(unauthorized()));
}

registry_result<authenticated_device> lookups::authenticate_password(const std::string& tenant,
                                                                     const std::string& auth_id,
                                                                     const std::string& password) {
  if (auto cached = authenticate_cached(tenant, auth_id, password)) return std::move(*cached);
  if (auto t = this->tenant(tenant); !t) {
    return t.error().code == registry_errc::not_found ? fail(unauthorized()) : fail(t.error());
  }
  auto c = credential(tenant, "hashed-password", auth_id);
  if (!c) return c.error().code == registry_errc::not_found ? fail(unauthorized()) : fail(c.error());
  const auto now = now_seconds();
  for (const auto& s : (*c)->secrets) {
    if (!s.password || !s.valid_at(now)) continue;
    std::optional<bool> matched = s.password->function == "bcrypt" ? passwords_.lookup(*s.password, password) : std::nullopt;
    if (!matched) {
      matched = verify(*s.password, password);
      if (s.password->function == "bcrypt") passwords_.remember(*s.password, password, *matched);
    }
    if (*matched) return authenticated_device{tenant, (*c)->device_id, auth_id};
  }
  return fail(unauthorized());
}

registry_result<authenticated_device> lookups::authenticate_certificate(const std::string& cert_der) {
  const auto cert = parse_certificate(cert_der);
  if (!cert) return fail(unauthorized());
  auto tenants = tenants_by_trusted_ca(cert->issuer_dn);
  if (!tenants) return fail(tenants.error());
  const auto now = now_seconds();
  if (now < cert->not_before || cert->not_after < now) return fail(unauthorized());
  for (const auto& t : *tenants) {
    for (const auto& anchor : t->trust_anchors) {
      if (anchor.subject_dn != cert->issuer_dn || !signed_by(cert_der, anchor.public_key_der)) continue;
      if ((anchor.not_before && now < *anchor.not_before) || (anchor.not_after && *anchor.not_after < now)) continue;
      const std::string auth_id =
          anchor.auth_id_template.empty() ? cert->subject_dn : apply_auth_id_template(anchor.auth_id_template, *cert);
      auto c = credential(t->id, "x509-cert", auth_id);
      if (!c) {
        if (c.error().code == registry_errc::unavailable) return fail(c.error());
        continue;
      }
      const bool valid = std::any_of((*c)->secrets.begin(), (*c)->secrets.end(),
                                     [&](const secret_info& s) { return s.valid_at(now); });
      if (valid) return authenticated_device{t->id, (*c)->device_id, auth_id};
    }
  }
  return fail(unauthorized());
}

registry_result<std::shared_ptr<const device_info>> lookups::device(const std::string& tenant, const std::string& id) {
  const std::string key = key_of({tenant, id});
  if (auto hit = caches_->devices.get(key)) return *hit;
  const auto generation = caches_->devices.generation(key);
  auto r = store_.read_device(tenant, id);
  if (!r) return fail(r.error());
  auto d = device_info::from(*r);
  // One cache entry per device seen, so share what most devices are: no relations, no defaults.
  auto info = d.is_plain() ? device_info::plain(d.enabled) : std::make_shared<const device_info>(std::move(d));
  caches_->devices.put(key, info, generation);
  return info;
}

namespace {

// The assertion rules (spec/hono.md §4.3) on looked-up tenant, device and gateway (`gateway_id`'s
// lookup, possibly failed); `gateway` is null when the device sends for itself.
registry_result<registration_assertion> assertion_of(const std::shared_ptr<const tenant_info>& t,
                                                     const std::shared_ptr<const device_info>& d,
                                                     const registry_result<std::shared_ptr<const device_info>>* gateway,
                                                     std::string_view gateway_id = {}) {
  if (!d->enabled) return registry_fail(registry_errc::not_found, "device is disabled");
  registration_assertion a;
  a.device = d;
  if (gateway) {
    if (!*gateway) {
      if (gateway->error().code == registry_errc::not_found) return registry_fail(registry_errc::forbidden, "unknown gateway");
      return fail(gateway->error());
    }
    const auto& g = **gateway;
    if (!g->enabled) return registry_fail(registry_errc::forbidden, "gateway is disabled");
    if (!may_act_for(gateway_id, *g, *d)) return registry_fail(registry_errc::forbidden, "gateway is not authorized to act for the device");
    a.gateway = g;
  }
  if (d->defaults.empty()) {
    a.defaults = std::shared_ptr<const boost::json::object>(t, &t->defaults);
  } else if (t->defaults.empty()) {
    a.defaults = std::shared_ptr<const boost::json::object>(d, &d->defaults);
  } else {
    auto merged = std::make_shared<boost::json::object>(t->defaults);
    for (const auto& [k, v] : d->defaults) (*merged)[k] = v;
    a.defaults = std::move(merged);
  }
  return a;
}

}  // namespace

registry_result<registration_assertion> lookups::assert_registration(const std::string& tenant, const std::string& device_id,
                                                                     const std::optional<std::string>& gateway_id) {
  auto t = this->tenant(tenant);
  if (!t) return fail(t.error());
  auto d = device(tenant, device_id);
  if (!d) return fail(d.error());
  if (!(*d)->enabled) return registry_fail(registry_errc::not_found, "device is disabled");
  if (!gateway_id || *gateway_id == device_id) return assertion_of(*t, *d, nullptr);
  const auto g = device(tenant, *gateway_id);
  return assertion_of(*t, *d, &g, *gateway_id);
}

std::optional<registry_result<registration_assertion>> lookups::assert_registration_cached(
    const std::string& tenant, const std::string& device_id, const std::optional<std::string>& gateway_id) {
  const auto t = caches_->tenants.get(tenant);
  if (!t) return std::nullopt;
  return assert_registration_cached(tenant, *t, device_id, gateway_id);
}

std::optional<registry_result<registration_assertion>> lookups::assert_registration_cached(
    const std::string& tenant, const std::shared_ptr<const tenant_info>& info, const std::string& device_id,
    const std::optional<std::string>& gateway_id) {
  const auto d = caches_->devices.get(key_of({tenant, device_id}));
  if (!d) return std::nullopt;
  if (!gateway_id || *gateway_id == device_id) return assertion_of(info, *d, nullptr);
  const auto g = caches_->devices.get(key_of({tenant, *gateway_id}));
  if (!g) return std::nullopt;
  const registry_result<std::shared_ptr<const device_info>> gateway = *g;
  return assertion_of(info, *d, &gateway, *gateway_id);
}

std::optional<std::shared_ptr<const tenant_info>> lookups::tenant_cached(const std::string& id) { return caches_->tenants.get(id); }

boost::asio::awaitable<registry_result<authenticated_device>> lookups::async_authenticate_password(
    std::string tenant, std::string auth_id, std::string password) {
  if (auto cached = authenticate_cached(tenant, auth_id, password)) co_return std::move(*cached);
  // Named locals, not temporaries inside co_await: GCC 12 destroys such temporaries wrongly.
  auto work = [this, tenant, auth_id, password] { return authenticate_password(tenant, auth_id, password); };
  auto answer = net::offload(blocking_, std::move(work));
  co_return co_await std::move(answer);
}

boost::asio::awaitable<registry_result<authenticated_device>> lookups::async_authenticate_certificate(std::string cert_der) {
  auto work = [this, cert_der] { return authenticate_certificate(cert_der); };
  auto answer = net::offload(blocking_, std::move(work));
  co_return co_await std::move(answer);
}

boost::asio::awaitable<registry_result<registration_assertion>> lookups::async_assert_registration(
    std::string tenant, std::string device, std::optional<std::string> gateway) {
  // Cheap when everything is cached; the store is only touched on a miss, on the blocking pool.
  if (auto cached = assert_registration_cached(tenant, device, gateway)) co_return std::move(*cached);
  auto work = [this, tenant, device, gateway] { return assert_registration(tenant, device, gateway); };
  auto answer = net::offload(blocking_, std::move(work));
  co_return co_await std::move(answer);
}

boost::asio::awaitable<registry_result<std::shared_ptr<const tenant_info>>> lookups::async_tenant(std::string id) {
  if (auto hit = caches_->tenants.get(id)) co_return *hit;
  auto work = [this, id] { return tenant(id); };
  auto answer = net::offload(blocking_, std::move(work));
  co_return co_await std::move(answer);
}

}  // namespace tributary::registry
