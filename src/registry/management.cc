#include "registry/management.h"

#include "registry/ids.h"

namespace tributary::registry {
namespace {

bool enabled_of(const boost::json::object& doc) {
  const auto* e = doc.if_contains("enabled");
  return !e || !e->is_bool() || e->get_bool();
}

}  // namespace

void management::publish(change_kind kind, change_type change, const std::string& tenant, const std::string& device,
                         bool enabled, std::vector<std::pair<std::string, std::string>> credentials) {
  events_.publish({kind, change, tenant, device, enabled, std::move(credentials)});
}

registry_result<created> management::create_tenant(std::optional<std::string> id, const boost::json::value& body) {
  if (id && !valid_tenant_id(*id)) return registry_fail(registry_errc::bad_request, "invalid tenant id");
  auto doc = parse_tenant(body);
  if (!doc) return fail(doc.error());
  tenant_record t{id.value_or(new_uuid()), new_uuid(), std::move(doc->doc), std::move(doc->alias),
                  std::move(doc->trust_anchor_group), std::move(doc->trusted_ca_subjects)};
  if (auto r = store_.create_tenant(t); !r) return fail(r.error());
  publish(change_kind::tenant, change_type::created, t.id, "", enabled_of(t.doc));
  return created{t.id, t.version};
}

registry_result<tenant_record> management::read_tenant(const std::string& id) {
  if (!valid_tenant_id(id)) return registry_fail(registry_errc::bad_request, "invalid tenant id");
  return store_.read_tenant(id);
}

registry_result<std::string> management::update_tenant(const std::string& id, const boost::json::value& body,
                                                       const std::optional<std::string>& if_match) {
  if (!valid_tenant_id(id)) return registry_fail(registry_errc::bad_request, "invalid tenant id");
  auto doc = parse_tenant(body);
  if (!doc) return fail(doc.error());
  tenant_record t{id, new_uuid(), std::move(doc->doc), std::move(doc->alias), std::move(doc->trust_anchor_group),
                  std::move(doc->trusted_ca_subjects)};
  if (auto r = store_.update_tenant(t, if_match); !r) return fail(r.error());
  publish(change_kind::tenant, change_type::updated, t.id, "", enabled_of(t.doc));
  return t.version;
}

registry_result<void> management::delete_tenant(const std::string& id, const std::optional<std::string>& if_match) {
  if (!valid_tenant_id(id)) return registry_fail(registry_errc::bad_request, "invalid tenant id");
  if (auto r = store_.delete_tenant(id, if_match); !r) return r;
  publish(change_kind::tenant, change_type::deleted, id, "", false);
  return {};
}

registry_result<search_page<tenant_record>> management::find_tenants(const search_query& q) {
  return store_.find_tenants(q);
}

registry_result<std::int64_t> management::limit(const std::string& tenant, std::string_view key) {
  auto t = store_.read_tenant(tenant);
  if (!t) return fail(t.error());
  const auto* limits = t->doc.if_contains("registration-limits");
  if (!limits || !limits->is_object()) return std::int64_t{-1};
  const auto* v = limits->get_object().if_contains(key);
  return v && v->is_int64() ? v->get_int64() : std::int64_t{-1};
}

registry_result<created> management::create_device(const std::string& tenant, std::optional<std::string> id,
                                                   const boost::json::value& body) {
  if (!valid_tenant_id(tenant)) return registry_fail(registry_errc::bad_request, "invalid tenant id");
  if (id && !valid_device_id(*id)) return registry_fail(registry_errc::bad_request, "invalid device id");
  auto doc = parse_device(body);
  if (!doc) return fail(doc.error());
  auto max_devices = limit(tenant, "max-devices");
  if (!max_devices) return fail(max_devices.error());
  device_record d{tenant, id.value_or(new_uuid()), new_uuid(), std::move(*doc),
                  to_rfc3339(std::chrono::system_clock::now()), std::nullopt};
  if (auto r = store_.create_device(d, *max_devices); !r) return fail(r.error());
  publish(change_kind::device, change_type::created, tenant, d.id, enabled_of(d.doc));
  return created{d.id, d.version};
}

registry_result<void> management::check_ids(const std::string& tenant, const std::string& device) {
  if (!valid_tenant_id(tenant)) return registry_fail(registry_errc::bad_request, "invalid tenant id");
  if (!device.empty() && !valid_device_id(device)) return registry_fail(registry_errc::bad_request, "invalid device id");
  return {};
}

registry_result<device_record> management::read_device(const std::string& tenant, const std::string& id) {
  if (auto r = check_ids(tenant, id); !r) return fail(r.error());
  return store_.read_device(tenant, id);
}

registry_result<std::string> management::update_device(const std::string& tenant, const std::string& id,
                                                       const boost::json::value& body,
                                                       const std::optional<std::string>& if_match) {
  if (auto r = check_ids(tenant, id); !r) return fail(r.error());
  auto doc = parse_device(body);
  if (!doc) return fail(doc.error());
  device_record d{tenant, id, new_uuid(), std::move(*doc), "", to_rfc3339(std::chrono::system_clock::now())};
  if (auto r = store_.update_device(d, if_match); !r) return fail(r.error());
  publish(change_kind::device, change_type::updated, tenant, id, enabled_of(d.doc));
  return d.version;
}

registry_result<void> management::delete_device(const std::string& tenant, const std::string& id,
                                                const std::optional<std::string>& if_match) {
  if (auto checked = check_ids(tenant, id); !checked) return checked;
  std::vector<std::pair<std::string, std::string>> keys;
  if (auto had = store_.read_credentials(tenant, id)) {
    for (const auto& c : had->credentials) keys.emplace_back(c.type, c.auth_id);
  }
  auto r = store_.delete_device(tenant, id, if_match);
  if (!r) {
    // Hono answers 204 when the tenant itself is gone (its devices went with it).
    if (r.error().code == registry_errc::not_found && !store_.read_tenant(tenant)) return {};
    return r;
  }
  publish(change_kind::device, change_type::deleted, tenant, id, false, std::move(keys));
  return {};
}

registry_result<void> management::delete_all_devices(const std::string& tenant) {
  if (!valid_tenant_id(tenant)) return registry_fail(registry_errc::bad_request, "invalid tenant id");
  if (auto r = store_.delete_all_devices(tenant); !r) return r;
  publish(change_kind::all_devices_of_tenant, change_type::deleted, tenant, "", false);
  return {};
}

registry_result<search_page<device_record>> management::find_devices(const std::string& tenant, const search_query& q) {
  if (auto r = check_ids(tenant, ""); !r) return fail(r.error());
  return store_.find_devices(tenant, q);
}

registry_result<credentials_record> management::read_credentials(const std::string& tenant, const std::string& device) {
  if (auto r = check_ids(tenant, device); !r) return fail(r.error());
  return store_.read_credentials(tenant, device);
}

registry_result<std::string> management::update_credentials(const std::string& tenant, const std::string& device,
                                                             const boost::json::value& body,
                                                             const std::optional<std::string>& if_match) {
  if (auto r = check_ids(tenant, device); !r) return fail(r.error());
  auto existing = store_.read_credentials(tenant, device);
  if (!existing) return fail(existing.error());
  if (if_match && *if_match != existing->version) {
    return registry_fail(registry_errc::precondition_failed, "resource version does not match the If-Match header");
  }
  auto t = store_.read_tenant(tenant);
  if (!t) return fail(t.error());
  auto parsed = parse_credentials(body, existing->credentials, options_, auth_id_templates_of(t->doc));
  if (!parsed) return fail(parsed.error());
  auto max = limit(tenant, "max-credentials-per-device");
  if (!max) return fail(max.error());
  if (*max >= 0 && static_cast<std::int64_t>(parsed->size()) > *max) {
    return registry_fail(registry_errc::forbidden,
                         "tenant allows at most " + std::to_string(*max) + " credentials per device");
  }
  credentials_record c{device, new_uuid(), std::move(*parsed)};
  // The version read above guards against a concurrent change between read and write.
  if (auto r = store_.replace_credentials(tenant, c, existing->version); !r) return fail(r.error());
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& old : existing->credentials) keys.emplace_back(old.type, old.auth_id);
  for (const auto& now : c.credentials) keys.emplace_back(now.type, now.auth_id);
  publish(change_kind::credentials, change_type::updated, tenant, device, true, std::move(keys));
  return c.version;
}

}  // namespace tributary::registry
