#include "registry/registry_service.h"

#include <boost/json/parse.hpp>

#include "registry/sqlite_store.h"

namespace tributary::registry {

registry_result<std::unique_ptr<registry_service>> registry_service::open(const registry_options& options,
                                                                          boost::asio::thread_pool& blocking) {
  auto s = sqlite_store::open(options.database);
  if (!s) return fail(s.error());
  return std::unique_ptr<registry_service>(new registry_service(std::move(*s), options, blocking));
}

namespace {

// The trusted CA of DEFAULT_TENANT: Hono's example subject with an EC P-256 public key.
constexpr const char* demo_tenant = R"({
  "trusted-ca": [{
    "id": "DEFAULT_TENANT_CA",
    "subject-dn": "CN=DEFAULT_TENANT_CA,OU=Hono,O=Eclipse IoT,L=Ottawa,C=CA",
    "public-key": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAES4ZOxheQwKvRFPrgv67EgKNX56khRMKvvmy3Vw5QwmueDkrAq2M0Ii9VPfGEaR8+wsqMiEKaHSFlbCCgUCwvZg==",
    "algorithm": "EC"
  }],
  "resource-limits": {
    "max-connections": 100,
    "max-ttl": 20,
    "data-volume": {"effective-since": "2020-01-01T00:00:00Z", "max-bytes": 1000000000,
                    "period": {"mode": "days", "no-of-days": 7}}
  }
})";

constexpr const char* http_tenant = R"({
  "adapters": [
    {"type": "hono-http", "enabled": true, "device-authentication-required": true},
    {"type": "hono-mqtt", "enabled": false, "device-authentication-required": true},
    {"type": "hono-kura", "enabled": false, "device-authentication-required": true},
    {"type": "hono-coap", "enabled": false, "device-authentication-required": true}
  ]
})";

registry_result<void> ensure(registry_result<created> r) {
  if (!r && r.error().code != registry_errc::conflict) return fail(r.error());
  return {};
}

registry_result<void> set_credentials(management& m, const std::string& device, const char* json) {
  auto r = m.update_credentials("DEFAULT_TENANT", device, boost::json::parse(json), std::nullopt);
  if (!r) return fail(r.error());
  return {};
}

}  // namespace

registry_result<void> load_demo_data(management& m) {
  const std::string tenant = "DEFAULT_TENANT";
  if (auto r = ensure(m.create_tenant(std::string("HTTP_TENANT"), boost::json::parse(http_tenant))); !r) return r;
  // DEFAULT_TENANT and everything in it come only with the tenant itself: once it exists, whatever
  // users did to its devices and credentials stays as they left it.
  auto created = m.create_tenant(tenant, boost::json::parse(demo_tenant));
  if (!created) return created.error().code == registry_errc::conflict ? registry_result<void>() : fail(created.error());
  for (auto r : {ensure(m.create_device(tenant, std::string("4711"),
                                        boost::json::parse(R"({"defaults": {"content-type": "application/vnd.bumlux", "importance": "high"}})"))),
                 ensure(m.create_device(tenant, std::string("gw-1"), boost::json::object{})),
                 ensure(m.create_device(tenant, std::string("4712"), boost::json::parse(R"({"via": ["gw-1"]})")))}) {
    if (!r) return r;
  }
  if (auto r = set_credentials(m, "4711", R"([
      {"type": "hashed-password", "auth-id": "sensor1", "secrets": [{"pwd-plain": "hono-secret"}]},
      {"type": "psk", "auth-id": "sensor1", "secrets": [{"key": "Y29hcC1zZWNyZXQ="}]},
      {"type": "x509-cert", "auth-id": "CN=Device 4711,OU=Hono,O=Eclipse IoT,L=Ottawa,C=CA", "secrets": [{}]}])");
      !r) {
    return r;
  }
  return set_credentials(m, "gw-1", R"([{"type": "hashed-password", "auth-id": "gw", "secrets": [{"pwd-plain": "gw-secret"}]}])");
}

}  // namespace tributary::registry
