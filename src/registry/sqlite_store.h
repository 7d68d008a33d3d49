// sqlite_store: the registry store of embedded mode, one SQLite file (WAL) under the data
// directory. One writer connection, serialised by a mutex, as SQLite wants it; reads that need no
// transaction use a few reader connections beside it (WAL lets them run while the writer writes), so
// adapter lookups do not queue behind provisioning. Schema migrations run on open, keyed by PRAGMA
// user_version (docs/formats/registry-sqlite.md).
#pragma once

#include <filesystem>
#include <memory>
#include <array>
#include <atomic>
#include <mutex>

#include "registry/sqlite_statement.h"
#include "registry/store.h"

namespace tributary::registry {

class sqlite_store final : public store {
 public:
  static registry_result<std::unique_ptr<sqlite_store>> open(const std::filesystem::path& file);

  registry_result<void> create_tenant(const tenant_record& t) override;
  registry_result<tenant_record> read_tenant(std::string_view id) override;
  registry_result<void> update_tenant(const tenant_record& t, const std::optional<std::string>& expected_version) override;
  registry_result<void> delete_tenant(std::string_view id, const std::optional<std::string>& expected_version) override;
  registry_result<search_page<tenant_record>> find_tenants(const search_query& q) override;
  registry_result<tenant_record> tenant_by_alias(std::string_view alias) override;
  registry_result<std::vector<tenant_record>> tenants_by_trusted_ca(std::string_view subject_dn) override;

  registry_result<void> create_device(const device_record& d, std::int64_t max_devices) override;
  registry_result<device_record> read_device(std::string_view tenant, std::string_view id) override;
  registry_result<void> update_device(const device_record& d, const std::optional<std::string>& expected_version) override;
  registry_result<void> delete_device(std::string_view tenant, std::string_view id,
                                      const std::optional<std::string>& expected_version) override;
  registry_result<void> delete_all_devices(std::string_view tenant) override;
  registry_result<search_page<device_record>> find_devices(std::string_view tenant, const search_query& q) override;

  registry_result<credentials_record> read_credentials(std::string_view tenant, std::string_view device) override;
  registry_result<void> replace_credentials(std::string_view tenant, const credentials_record& c,
                                            const std::optional<std::string>& expected_version) override;
  registry_result<credential_owner> find_credential(std::string_view tenant, std::string_view type,
                                                    std::string_view auth_id) override;

 private:
  explicit sqlite_store(std::unique_ptr<sqlite_connection> db) : db_(std::move(db)) {}
  registry_result<void> migrate();
  registry_result<void> check_trust_anchors(const tenant_record& t);
  registry_result<void> write_trust_anchors(const tenant_record& t);
  registry_result<std::optional<std::string>> tenant_version(std::string_view id);
  registry_result<std::optional<std::string>> device_version(sqlite_connection& db, std::string_view tenant,
                                                            std::string_view id, int column);

  class reader_lease {
   public:
    reader_lease(sqlite_connection& c, std::unique_lock<std::mutex> lock) : c_(c), lock_(std::move(lock)) {}
    sqlite_connection& connection() { return c_; }

   private:
    sqlite_connection& c_;
    std::unique_lock<std::mutex> lock_;
  };
  reader_lease lease_reader();

  struct reader {
    std::mutex mutex;
    std::unique_ptr<sqlite_connection> connection;
  };

  std::mutex mutex_;  // the writer
  std::unique_ptr<sqlite_connection> db_;
  std::array<reader, 3> readers_;
  std::atomic<std::size_t> next_reader_{0};
};

}  // namespace tributary::registry
