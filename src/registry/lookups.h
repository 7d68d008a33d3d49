// lookups: what protocol adapters ask the registry on every connection and message: the tenant (by
// id, alias or trusted CA subject), device authentication by password, and registration assertions
// (device enabled, gateway authorised, merged defaults). Answers are cached with a TTL and bounded
// size, and dropped the moment a change event says they are stale; a device's answers (registration,
// credentials) from their second lookup on, so that a device asked about once costs no entry.
// Verified passwords go through a password_cache, so a reconnect storm costs one bcrypt per device,
// not one per connection.
// Thread-safe. The blocking functions may hit the store and bcrypt: call them from the blocking pool;
// the async_* ones answer cache hits inline and send misses to the pool.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "registry/change_events.h"
#include "registry/model.h"
#include "registry/password_cache.h"
#include "registry/store.h"

namespace tributary::registry {

struct lookup_options {
  std::chrono::milliseconds ttl{300000};
  std::size_t max_entries = 100000;
};

struct authenticated_device {
  std::string tenant_id;
  std::string device_id;
  std::string auth_id;
};

struct registration_assertion {
  std::shared_ptr<const device_info> device;
  std::shared_ptr<const device_info> gateway;  // set when a gateway acts for the device
  // Tenant defaults overridden by the device's; never null. Shares the tenant's or the device's
  // object when only one of them has defaults, so that an assertion costs no copy.
  std::shared_ptr<const boost::json::object> defaults;
};

class lookups {
 public:
  lookups(store& s, change_notifier& events, boost::asio::thread_pool& blocking, lookup_options options);
  ~lookups();
  lookups(const lookups&) = delete;
  lookups& operator=(const lookups&) = delete;

  // not_found for an unknown tenant (disabled tenants are returned; check `enabled`).
  registry_result<std::shared_ptr<const tenant_info>> tenant(const std::string& id);
  registry_result<std::shared_ptr<const tenant_info>> tenant_by_alias(const std::string& alias);
  // Tenants trusting a CA with this subject DN (several only within one trust-anchor-group).
  registry_result<std::vector<std::shared_ptr<const tenant_info>>> tenants_by_trusted_ca(const std::string& subject_dn);

  // The enabled credential of (tenant, type, auth-id); not_found when unknown or disabled.
  registry_result<std::shared_ptr<const credential_info>> credential(const std::string& tenant, const std::string& type,
                                                                     const std::string& auth_id);

  // `hashed-password` authentication; unauthorized for an unknown tenant, unknown or disabled
  // credentials, or a password matching no valid secret.
  registry_result<authenticated_device> authenticate_password(const std::string& tenant, const std::string& auth_id,
                                                              const std::string& password);

  // Client-certificate authentication (spec/hono.md §3.1): the tenant whose `trusted-ca` is the
  // certificate's issuer, the issuer's signature, both validity periods, then the `x509-cert`
  // credential of the auth-id (subject DN, or the anchor's auth-id-template). unauthorized when
  // any of it fails.
  registry_result<authenticated_device> authenticate_certificate(const std::string& cert_der);

  // not_found for an unknown tenant or an unknown or disabled device; forbidden when `gateway` is
  // set and unknown, disabled or not authorised for the device.
  registry_result<registration_assertion> assert_registration(const std::string& tenant, const std::string& device,
                                                              const std::optional<std::string>& gateway);

  // The same answers from the caches alone, or nullopt when the store or a bcrypt run is needed.
  // Never block: for adapters to answer cached requests without a coroutine each.
  std::optional<registry_result<authenticated_device>> authenticate_cached(const std::string& tenant,
                                                                           const std::string& auth_id,
                                                                           const std::string& password);
  std::optional<registry_result<registration_assertion>> assert_registration_cached(const std::string& tenant,
                                                                                    const std::string& device,
                                                                                    const std::optional<std::string>& gateway);
  // The same for a tenant the caller already holds (tenant_cached(tenant)'s answer): one cache
  // lookup less per message.
  std::optional<registry_result<registration_assertion>> assert_registration_cached(const std::string& tenant,
                                                                                    const std::shared_ptr<const tenant_info>& info,
                                                                                    const std::string& device,
                                                                                    const std::optional<std::string>& gateway);
  std::optional<std::shared_ptr<const tenant_info>> tenant_cached(const std::string& id);

  boost::asio::awaitable<registry_result<authenticated_device>> async_authenticate_password(std::string tenant,
                                                                                            std::string auth_id,
                                                                                            std::string password);
  boost::asio::awaitable<registry_result<authenticated_device>> async_authenticate_certificate(std::string cert_der);
  boost::asio::awaitable<registry_result<registration_assertion>> async_assert_registration(
      std::string tenant, std::string device, std::optional<std::string> gateway);
  boost::asio::awaitable<registry_result<std::shared_ptr<const tenant_info>>> async_tenant(std::string id);

 private:
  class caches;
  registry_result<std::shared_ptr<const device_info>> device(const std::string& tenant, const std::string& id);
  void on_change(const change_event& e);

  store& store_;
  change_notifier& events_;
  boost::asio::thread_pool& blocking_;
  std::unique_ptr<caches> caches_;
  password_cache passwords_;
  change_notifier::subscription subscription_;
};

}  // namespace tributary::registry
