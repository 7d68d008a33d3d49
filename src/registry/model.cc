#include "registry/model.h"

#include <algorithm>

#include "common/base64.h"
#include "registry/ids.h"

namespace tributary::registry {
namespace {

using boost::json::object;
using boost::json::value;

bool flag(const object& o, std::string_view key, bool def) {
  const value* v = o.if_contains(key);
  return v && v->is_bool() ? v->get_bool() : def;
}

std::int64_t integer(const object& o, std::string_view key, std::int64_t def) {
  const value* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : def;
}

object sub_object(const object& o, std::string_view key) {
  const value* v = o.if_contains(key);
  return v && v->is_object() ? v->get_object() : object{};
}

std::vector<std::string> strings(const object& o, std::string_view key) {
  std::vector<std::string> out;
  const value* v = o.if_contains(key);
  if (!v || !v->is_array()) return out;
  for (const auto& s : v->get_array()) {
    if (s.is_string()) out.emplace_back(s.get_string());
  }
  return out;
}

std::optional<std::string> text(const object& o, std::string_view key) {
  const value* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

period_limit period(const object& limits, std::string_view key, std::string_view amount) {
  period_limit p;
  const object o = sub_object(limits, key);
  p.max = integer(o, amount, -1);
  if (auto since = text(o, "effective-since")) p.effective_since = parse_rfc3339(*since).value_or(seconds_time{});
  const object mode = sub_object(o, "period");
  p.monthly = text(mode, "mode").value_or("monthly") != "days";
  p.no_of_days = std::max<std::int64_t>(1, integer(mode, "no-of-days", 30));
  return p;
}

}  // namespace

tenant_info tenant_info::from(const tenant_record& r) {
  tenant_info t;
  t.id = r.id;
  t.enabled = flag(r.doc, "enabled", true);
  t.alias = r.alias;
  if (const value* adapters = r.doc.if_contains("adapters"); adapters && adapters->is_array()) {
    t.adapters.emplace();
    for (const auto& a : adapters->get_array()) {
      if (!a.is_object()) continue;
      const object& o = a.get_object();
      t.adapters->push_back({text(o, "type").value_or(""), flag(o, "enabled", false),
                             flag(o, "device-authentication-required", true), sub_object(o, "ext")});
    }
  }
  t.defaults = sub_object(r.doc, "defaults");
  t.ext = sub_object(r.doc, "ext");
  t.resource_limits = sub_object(r.doc, "resource-limits");
  t.max_connections = integer(t.resource_limits, "max-connections", -1);
  t.max_ttl = integer(t.resource_limits, "max-ttl", -1);
  t.minimum_message_size = integer(r.doc, "minimum-message-size", 0);
  t.data_volume = period(t.resource_limits, "data-volume", "max-bytes");
  t.connection_duration = period(t.resource_limits, "connection-duration", "max-minutes");
  t.trusted_ca_subjects = r.trusted_ca_subjects;
  if (const value* cas = r.doc.if_contains("trusted-ca"); cas && cas->is_array()) {
    for (const auto& ca : cas->get_array()) {
      if (!ca.is_object()) continue;
      const object& o = ca.get_object();
      trust_anchor a;
      a.subject_dn = text(o, "subject-dn").value_or("");
      a.public_key_der = base64_decode(text(o, "public-key").value_or("")).value_or("");
      if (auto nb = text(o, "not-before")) a.not_before = parse_rfc3339(*nb);
      if (auto na = text(o, "not-after")) a.not_after = parse_rfc3339(*na);
      a.auth_id_template = text(o, "auth-id-template").value_or("");
      t.trust_anchors.push_back(std::move(a));
    }
  }
  return t;
}

bool tenant_info::adapter_enabled(std::string_view type) const {
  if (!adapters) return true;
  for (const auto& a : *adapters) {
    if (a.type == type) return a.enabled;
  }
  return false;
}

bool tenant_info::device_authentication_required(std::string_view type) const {
  if (!adapters) return true;
  for (const auto& a : *adapters) {
    if (a.type == type) return a.device_authentication_required;
  }
  return true;
}

device_info device_info::from(const device_record& r) {
  device_info d;
  d.enabled = flag(r.doc, "enabled", true);
  d.via = strings(r.doc, "via");
  d.via_groups = strings(r.doc, "viaGroups");
  d.member_of = strings(r.doc, "memberOf");
  d.defaults = sub_object(r.doc, "defaults");
  return d;
}

const std::shared_ptr<const device_info>& device_info::plain(bool enabled) {
  // Static objects behind shared_ptrs that own nothing (the aliasing constructor with an empty
  // owner): copying one touches no reference count. Every message of every plain device copies
  // it, from every I/O thread, and a shared count's cache line moved between the cores each time.
  auto make = [](bool enabled) {
    device_info d;
    d.enabled = enabled;
    return d;
  };
  static const device_info enabled_info = make(true);
  static const device_info disabled_info = make(false);
  static const std::shared_ptr<const device_info> enabled_device(std::shared_ptr<void>(), &enabled_info);
  static const std::shared_ptr<const device_info> disabled_device(std::shared_ptr<void>(), &disabled_info);
  return enabled ? enabled_device : disabled_device;
}

bool may_act_for(std::string_view gateway_id, const device_info& gateway, const device_info& device) {
  if (std::find(device.via.begin(), device.via.end(), gateway_id) != device.via.end()) return true;
  return std::any_of(gateway.member_of.begin(), gateway.member_of.end(), [&](const std::string& group) {
    return std::find(device.via_groups.begin(), device.via_groups.end(), group) != device.via_groups.end();
  });
}

bool secret_info::valid_at(std::chrono::sys_seconds now) const {
  return enabled && (!not_before || *not_before <= now) && (!not_after || now <= *not_after);
}

credential_info credential_info::from(const credential_owner& owner) {
  const object& doc = owner.credential.doc;
  credential_info c;
  c.device_id = owner.device_id;
  c.enabled = flag(doc, "enabled", true);
  const value* secrets = doc.if_contains("secrets");
  if (!secrets || !secrets->is_array()) return c;
  for (const auto& sv : secrets->get_array()) {
    if (!sv.is_object()) continue;
    const object& s = sv.get_object();
    secret_info secret;
    secret.enabled = flag(s, "enabled", true);
    if (auto t = text(s, "not-before")) secret.not_before = parse_rfc3339(*t);
    if (auto t = text(s, "not-after")) secret.not_after = parse_rfc3339(*t);
    if (auto hash = text(s, "pwd-hash")) {
      secret.password = password_hash{text(s, "hash-function").value_or(""), *hash, text(s, "salt").value_or("")};
    }
    if (auto key = text(s, "key")) secret.key = base64_decode(*key).value_or("");
    c.secrets.push_back(std::move(secret));
  }
  return c;
}

}  // namespace tributary::registry
