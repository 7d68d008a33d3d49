// store: persistence of tenants, devices and credentials behind one interface, so that the SQLite
// store (embedded mode) and a PostgreSQL store (cluster mode) are interchangeable for every caller.
// Implementations are thread-safe and blocking: call them from a blocking pool, never from an I/O
// thread. Each method is one transaction; uniqueness rules are checked inside it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "registry/records.h"
#include "registry/registry_error.h"

namespace tributary::registry {

class store {
 public:
  virtual ~store() = default;

  // conflict when the id or alias exists, or a trusted CA subject is used by a tenant outside the
  // record's trust-anchor-group.
  virtual registry_result<void> create_tenant(const tenant_record& t) = 0;
  virtual registry_result<tenant_record> read_tenant(std::string_view id) = 0;
  // Replaces the tenant; precondition_failed when expected_version is set and differs.
  virtual registry_result<void> update_tenant(const tenant_record& t, const std::optional<std::string>& expected_version) = 0;
  // Deletes the tenant with its devices and credentials.
  virtual registry_result<void> delete_tenant(std::string_view id, const std::optional<std::string>& expected_version) = 0;
  virtual registry_result<search_page<tenant_record>> find_tenants(const search_query& q) = 0;
  virtual registry_result<tenant_record> tenant_by_alias(std::string_view alias) = 0;
  // Tenants with a trusted CA of this subject DN (several only within one trust-anchor-group).
  virtual registry_result<std::vector<tenant_record>> tenants_by_trusted_ca(std::string_view subject_dn) = 0;

  // not_found when the tenant does not exist, conflict when the device does, forbidden when the
  // tenant already has max_devices devices (checked in the same transaction as the insert, so that
  // concurrent creates cannot overshoot it; negative: no limit).
  virtual registry_result<void> create_device(const device_record& d, std::int64_t max_devices) = 0;
  virtual registry_result<device_record> read_device(std::string_view tenant, std::string_view id) = 0;
  virtual registry_result<void> update_device(const device_record& d, const std::optional<std::string>& expected_version) = 0;
  // Deletes the device and its credentials.
  virtual registry_result<void> delete_device(std::string_view tenant, std::string_view id,
                                              const std::optional<std::string>& expected_version) = 0;
  virtual registry_result<void> delete_all_devices(std::string_view tenant) = 0;
  virtual registry_result<search_page<device_record>> find_devices(std::string_view tenant, const search_query& q) = 0;

  // not_found when the device does not exist; an empty list when it has no credentials.
  virtual registry_result<credentials_record> read_credentials(std::string_view tenant, std::string_view device) = 0;
  // Replaces all credentials of a device; conflict when a (type, auth-id) belongs to another device
  // of the tenant.
  virtual registry_result<void> replace_credentials(std::string_view tenant, const credentials_record& c,
                                                    const std::optional<std::string>& expected_version) = 0;
  virtual registry_result<credential_owner> find_credential(std::string_view tenant, std::string_view type,
                                                            std::string_view auth_id) = 0;
};

}  // namespace tributary::registry
