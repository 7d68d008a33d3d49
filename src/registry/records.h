// records: what the store keeps per tenant, device and credential. Documents are the validated
// JSON of the management API (documents.h); the few fields the store must index or check for
// uniqueness are copied out beside them. Plain values, no behaviour.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tributary::registry {

struct tenant_record {
  std::string id;
  std::string version;             // opaque ETag value, new on every change
  boost::json::object doc;         // tenant JSON as GET returns it
  std::optional<std::string> alias;
  std::optional<std::string> trust_anchor_group;
  std::vector<std::string> trusted_ca_subjects;  // subject DNs of `trusted-ca`, RFC 2253
};

struct device_record {
  std::string tenant_id;
  std::string id;
  std::string version;
  boost::json::object doc;  // device JSON without `status`
  std::string created;      // RFC 3339, set once
  std::optional<std::string> updated;
};

// One (type, auth-id) credential with its secrets, confidential fields included.
struct credential_record {
  std::string type;
  std::string auth_id;
  boost::json::object doc;
};

struct credentials_record {
  std::string device_id;
  std::string version;  // of the device's whole credentials set
  std::vector<credential_record> credentials;
};

// A credential found by (tenant, type, auth-id), with the device it belongs to.
struct credential_owner {
  std::string device_id;
  credential_record credential;
};

// Search parameters of GET /v1/tenants and GET /v1/devices/{tenant} (spec/hono.md §4.1).
struct search_filter {
  std::string field;  // JSON pointer into the document; "/id" means the id
  boost::json::value value;  // bool, number or string; strings may use `*` and `?`
};

struct search_sort {
  std::string field;
  bool descending = false;
};

struct search_query {
  int page_size = 30;
  int page_offset = 0;
  std::vector<search_filter> filters;
  std::vector<search_sort> sort;
  std::optional<bool> is_gateway;  // devices only; when set, filters are ignored
};

template <typename T>
struct search_page {
  std::int64_t total = 0;  // matches over all pages
  std::vector<T> items;
};

}  // namespace tributary::registry
