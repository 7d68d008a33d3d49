// model: typed, read-only views of tenants, devices and credentials for the lookups adapters make
// (enabled flags, adapter settings, defaults, limits, gateway relations, secrets), built from the
// stored documents. Values shared between threads as shared_ptr<const ...>; no I/O.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/password.h"
#include "registry/records.h"

namespace tributary::registry {

struct adapter_config {
  std::string type;  // "hono-mqtt", "hono-http", ...
  bool enabled = false;
  bool device_authentication_required = true;
  boost::json::object ext;
};

struct trust_anchor {
  std::string subject_dn;
  std::string public_key_der;
  std::optional<std::chrono::sys_seconds> not_before, not_after;
  std::string auth_id_template;  // empty: the auth-id is the certificate's subject DN
};

// A limit per accounting period (spec/hono.md §4.2 `resource-limits.data-volume` and
// `.connection-duration`, §6.1): `max` bytes or minutes per calendar month (UTC) or per window of
// `no_of_days` days, counted from `effective_since` (absent: since the epoch, i.e. always).
struct period_limit {
  std::int64_t max = -1;  // < 0: unlimited
  std::chrono::sys_seconds effective_since{};
  bool monthly = true;
  std::int64_t no_of_days = 30;

  bool unlimited() const { return max < 0; }
};

struct tenant_info {
  std::string id;
  bool enabled = true;
  std::optional<std::string> alias;
  std::optional<std::vector<adapter_config>> adapters;  // absent: every adapter enabled
  boost::json::object defaults;
  boost::json::object ext;
  boost::json::object resource_limits;
  std::int64_t max_connections = -1;
  std::int64_t max_ttl = -1;
  std::int64_t minimum_message_size = 0;
  period_limit data_volume;          // max = bytes
  period_limit connection_duration;  // max = minutes
  std::vector<std::string> trusted_ca_subjects;
  std::vector<trust_anchor> trust_anchors;

  static tenant_info from(const tenant_record& r);
  // spec/hono.md §4.2: a listed type uses its `enabled`; an unlisted one is disabled when the list exists.
  bool adapter_enabled(std::string_view type) const;
  bool device_authentication_required(std::string_view type) const;
};

// What assertions need of a device. Its tenant and id are what it is looked up by and are not
// repeated here, so that every device without relations or defaults (most of them) can share one
// object: see plain().
struct device_info {
  bool enabled = true;
  std::vector<std::string> via;
  std::vector<std::string> via_groups;
  std::vector<std::string> member_of;
  boost::json::object defaults;

  static device_info from(const device_record& r);
  // No via, viaGroups, memberOf or defaults: only `enabled` tells it from another such device.
  bool is_plain() const { return via.empty() && via_groups.empty() && member_of.empty() && defaults.empty(); }
  // The one shared object of every plain device that is enabled (or disabled).
  static const std::shared_ptr<const device_info>& plain(bool enabled);
};

// §4.3: a gateway may act for a device that lists it in `via`, or when one of the gateway's
// `memberOf` groups is in the device's `viaGroups`. Both are of one tenant (the caller looked them
// up in it); enabled flags are the caller's business.
bool may_act_for(std::string_view gateway_id, const device_info& gateway, const device_info& device);

// What authentication needs of a credential (tenant, type and auth-id are what it is found by;
// secret ids and `ext` only the management API uses): one is cached per connected device.
struct secret_info {
  bool enabled = true;
  std::optional<std::chrono::sys_seconds> not_before, not_after;
  std::optional<password_hash> password;  // hashed-password
  std::string key;                        // psk: the key bytes; rpk: DER public key

  bool valid_at(std::chrono::sys_seconds now) const;
};

struct credential_info {
  std::string device_id;
  bool enabled = true;
  std::vector<secret_info> secrets;

  static credential_info from(const credential_owner& owner);
};

}  // namespace tributary::registry
