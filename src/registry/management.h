// management: the operations of the Device Registry Management API (spec/hono.md §4) over a store:
// id generation, validation (documents.h), versions, registration limits and change events. The
// HTTP mapping lives in management_api. Blocking (store, bcrypt): call from a blocking pool.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>

#include "registry/change_events.h"
#include "registry/documents.h"
#include "registry/store.h"

namespace tributary::registry {

struct created {
  std::string id;
  std::string version;
};

class management {
 public:
  management(store& s, change_notifier& events, credentials_options options)
      : store_(s), events_(events), options_(options) {}

  registry_result<created> create_tenant(std::optional<std::string> id, const boost::json::value& body);
  registry_result<tenant_record> read_tenant(const std::string& id);
  registry_result<std::string> update_tenant(const std::string& id, const boost::json::value& body,
                                             const std::optional<std::string>& if_match);
  registry_result<void> delete_tenant(const std::string& id, const std::optional<std::string>& if_match);
  registry_result<search_page<tenant_record>> find_tenants(const search_query& q);

  registry_result<created> create_device(const std::string& tenant, std::optional<std::string> id,
                                         const boost::json::value& body);
  registry_result<device_record> read_device(const std::string& tenant, const std::string& id);
  registry_result<std::string> update_device(const std::string& tenant, const std::string& id,
                                             const boost::json::value& body, const std::optional<std::string>& if_match);
  registry_result<void> delete_device(const std::string& tenant, const std::string& id,
                                      const std::optional<std::string>& if_match);
  registry_result<void> delete_all_devices(const std::string& tenant);
  registry_result<search_page<device_record>> find_devices(const std::string& tenant, const search_query& q);

  registry_result<credentials_record> read_credentials(const std::string& tenant, const std::string& device);
  registry_result<std::string> update_credentials(const std::string& tenant, const std::string& device,
                                                  const boost::json::value& body,
                                                  const std::optional<std::string>& if_match);

 private:
  // bad_request for ids outside spec/hono.md §0's patterns (device "" = not part of the request).
  static registry_result<void> check_ids(const std::string& tenant, const std::string& device);
  registry_result<std::int64_t> limit(const std::string& tenant, std::string_view key);
  void publish(change_kind kind, change_type change, const std::string& tenant, const std::string& device, bool enabled,
               std::vector<std::pair<std::string, std::string>> credentials = {});

  store& store_;
  change_notifier& events_;
  credentials_options options_;
};

}  // namespace tributary::registry
