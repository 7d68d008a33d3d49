#include "registry/documents.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <set>
#include <string_view>

#include "common/base64.h"
#include "registry/ids.h"
#include "registry/password.h"
#include "registry/x509.h"

namespace tributary::registry {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

failure<registry_error> bad(std::string message) { return registry_fail(registry_errc::bad_request, std::move(message)); }

registry_result<void> only_keys(const object& o, std::initializer_list<std::string_view> allowed, std::string_view where) {
  for (const auto& [key, v] : o) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
      return bad("unknown property \"" + std::string(key) + "\" in " + std::string(where));
    }
  }
  return {};
}

std::string at(std::string_view where, std::string_view key) { return std::string(where) + "." + std::string(key); }

registry_result<void> want_bool(const object& o, std::string_view key, std::string_view where) {
  if (auto* v = o.if_contains(key); v && !v->is_bool()) return bad(at(where, key) + " must be a boolean");
  return {};
}

registry_result<void> want_string(const object& o, std::string_view key, std::string_view where) {
  if (auto* v = o.if_contains(key); v && !v->is_string()) return bad(at(where, key) + " must be a string");
  return {};
}

registry_result<void> want_object(const object& o, std::string_view key, std::string_view where) {
  if (auto* v = o.if_contains(key); v && !v->is_object()) return bad(at(where, key) + " must be a JSON object");
  return {};
}

registry_result<void> want_integer(const object& o, std::string_view key, std::int64_t min, std::string_view where) {
  if (auto* v = o.if_contains(key)) {
    if (!v->is_int64() && !v->is_uint64()) return bad(at(where, key) + " must be an integer");
    if (v->is_int64() && v->get_int64() < min) return bad(at(where, key) + " must be at least " + std::to_string(min));
  }
  return {};
}

registry_result<void> want_time(const object& o, std::string_view key, std::string_view where) {
  if (auto* v = o.if_contains(key)) {
    if (!v->is_string() || !parse_rfc3339(v->get_string())) {
      return bad(at(where, key) + " must be an RFC 3339 date-time");
    }
  }
  return {};
}

registry_result<void> want_string_array(const object& o, std::string_view key, std::string_view where,
                                        bool (*valid)(std::string_view) = nullptr) {
  if (auto* v = o.if_contains(key)) {
    if (!v->is_array()) return bad(at(where, key) + " must be an array of strings");
    for (const auto& item : v->get_array()) {
      if (!item.is_string()) return bad(at(where, key) + " must be an array of strings");
      if (valid && !valid(item.get_string())) {
        return bad(at(where, key) + " contains an invalid identifier: " + std::string(item.get_string()));
      }
    }
  }
  return {};
}

registry_result<void> want_base64(const object& o, std::string_view key, std::string_view where) {
  if (auto* v = o.if_contains(key)) {
    if (!v->is_string() || !base64_decode(std::string_view(v->get_string()))) return bad(at(where, key) + " must be Base64");
  }
  return {};
}

template <typename... Checks>
registry_result<void> all(Checks&&... checks) {
  registry_result<void> first;
  ((first.ok() && !checks.ok() ? (first = checks, 0) : 0), ...);
  return first;
}

registry_result<void> check_period_limit(const object& limits, std::string_view key, std::string_view amount) {
  const value* v = limits.if_contains(key);
  if (!v) return {};
  const std::string where = "resource-limits." + std::string(key);
  if (!v->is_object()) return bad(where + " must be a JSON object");
  const object& o = v->get_object();
  if (auto r = only_keys(o, {"effective-since", amount, "period"}, where); !r) return r;
  if (auto r = all(want_time(o, "effective-since", where), want_integer(o, amount, -1, where)); !r) return r;
  if (const value* p = o.if_contains("period")) {
    if (!p->is_object()) return bad(where + ".period must be a JSON object");
    const object& period = p->get_object();
    const std::string pw = where + ".period";
    if (auto r = only_keys(period, {"mode", "no-of-days"}, pw); !r) return r;
    if (auto r = want_integer(period, "no-of-days", 1, pw); !r) return r;
    const value* mode = period.if_contains("mode");
    if (!mode || !mode->is_string() || (mode->get_string() != "monthly" && mode->get_string() != "days")) {
      return bad(pw + ".mode must be \"monthly\" or \"days\"");
    }
    if (mode->get_string() == "days" && !period.contains("no-of-days")) return bad(pw + ".no-of-days is required for mode \"days\"");
  }
  return {};
}

registry_result<void> check_resource_limits(const object& tenant) {
  const value* v = tenant.if_contains("resource-limits");
  if (!v) return {};
  if (!v->is_object()) return bad("resource-limits must be a JSON object");
  const object& o = v->get_object();
  const std::string_view w = "resource-limits";
  if (auto r = only_keys(o, {"max-connections", "max-ttl", "max-ttl-telemetry-qos0", "max-ttl-telemetry-qos1",
                             "max-ttl-command-response", "data-volume", "connection-duration", "ext"}, w);
      !r) {
    return r;
  }
  return all(want_integer(o, "max-connections", -1, w), want_integer(o, "max-ttl", -1, w),
             want_integer(o, "max-ttl-telemetry-qos0", -1, w), want_integer(o, "max-ttl-telemetry-qos1", -1, w),
             want_integer(o, "max-ttl-command-response", -1, w), want_object(o, "ext", w),
             check_period_limit(o, "data-volume", "max-bytes"), check_period_limit(o, "connection-duration", "max-minutes"));
}

registry_result<void> check_adapters(const object& tenant) {
  const value* v = tenant.if_contains("adapters");
  if (!v) return {};
  if (!v->is_array() || v->get_array().empty()) return bad("adapters must be a non-empty array");
  std::set<std::string> types;
  for (const auto& item : v->get_array()) {
    if (!item.is_object()) return bad("adapters must contain JSON objects");
    const object& a = item.get_object();
    if (auto r = only_keys(a, {"type", "enabled", "device-authentication-required", "ext"}, "adapters[]"); !r) return r;
    const value* type = a.if_contains("type");
    if (!type || !type->is_string() || type->get_string().empty()) return bad("adapters[].type is required");
    if (!types.insert(std::string(type->get_string())).second) {
      return bad("adapter type " + std::string(type->get_string()) + " is configured more than once");
    }
    if (auto r = all(want_bool(a, "enabled", "adapters[]"), want_bool(a, "device-authentication-required", "adapters[]"),
                     want_object(a, "ext", "adapters[]"));
        !r) {
      return r;
    }
  }
  return {};
}

registry_result<void> check_tracing(const object& tenant) {
  const value* v = tenant.if_contains("tracing");
  if (!v) return {};
  if (!v->is_object()) return bad("tracing must be a JSON object");
  const object& o = v->get_object();
  if (auto r = only_keys(o, {"sampling-mode", "sampling-mode-per-auth-id"}, "tracing"); !r) return r;
  auto valid_mode = [](const value& m) {
    return m.is_string() && (m.get_string() == "default" || m.get_string() == "all" || m.get_string() == "none");
  };
  if (const value* m = o.if_contains("sampling-mode"); m && !valid_mode(*m)) {
    return bad("tracing.sampling-mode must be \"default\", \"all\" or \"none\"");
  }
  if (const value* per = o.if_contains("sampling-mode-per-auth-id")) {
    if (!per->is_object()) return bad("tracing.sampling-mode-per-auth-id must be a JSON object");
    for (const auto& [id, m] : per->get_object()) {
      if (!valid_mode(m)) return bad("tracing.sampling-mode-per-auth-id values must be \"default\", \"all\" or \"none\"");
    }
  }
  return {};
}

// Validates and normalises one trusted CA; returns its subject DN.
registry_result<std::string> normalise_trust_anchor(object& ca) {
  const std::string_view w = "trusted-ca[]";
  if (auto r = only_keys(ca, {"id", "subject-dn", "subject-dn-bytes", "public-key", "algorithm", "not-before", "not-after",
                              "cert", "auth-id-template", "auto-provisioning-enabled", "auto-provision-as-gateway",
                              "auto-provisioning-device-id-template", "ocsp-revocation-enabled", "ocsp-responder-uri",
                              "ocsp-responder-cert", "ocsp-nonce-enabled"},
                         w);
      !r) {
    return fail(r.error());
  }
  if (auto r = all(want_string(ca, "id", w), want_string(ca, "subject-dn", w), want_base64(ca, "subject-dn-bytes", w),
                   want_string(ca, "algorithm", w), want_time(ca, "not-before", w), want_time(ca, "not-after", w),
                   want_string(ca, "auth-id-template", w), want_bool(ca, "auto-provisioning-enabled", w),
                   want_bool(ca, "auto-provision-as-gateway", w), want_string(ca, "auto-provisioning-device-id-template", w),
                   want_bool(ca, "ocsp-revocation-enabled", w), want_string(ca, "ocsp-responder-uri", w),
                   want_base64(ca, "ocsp-responder-cert", w), want_bool(ca, "ocsp-nonce-enabled", w));
      !r) {
    return fail(r.error());
  }
  if (const value* cert = ca.if_contains("cert")) {
    std::optional<std::string> der = cert->is_string() ? base64_decode(std::string_view(cert->get_string())) : std::nullopt;
    std::optional<certificate_info> info = der ? parse_certificate(*der) : std::nullopt;
    if (!info) return bad("trusted-ca[].cert must be a Base64 DER X.509 certificate with an RSA or EC key");
    ca["subject-dn"] = info->subject_dn;
    ca["public-key"] = base64_encode(info->public_key_der);
    ca["algorithm"] = info->algorithm;
    ca["not-before"] = to_rfc3339(info->not_before);
    ca["not-after"] = to_rfc3339(info->not_after);
    ca.erase("cert");
  } else {
    const value* subject = ca.if_contains("subject-dn");
    if (!subject || subject->get_string().empty()) return bad("trusted-ca[] needs a subject-dn (or a cert)");
    const value* key = ca.if_contains("public-key");
    std::optional<std::string> der = key && key->is_string() ? base64_decode(std::string_view(key->get_string())) : std::nullopt;
    std::optional<std::string> algorithm = der ? public_key_algorithm(*der) : std::nullopt;
    if (!algorithm) return bad("trusted-ca[].public-key must be a Base64 DER RSA or EC public key (or give a cert)");
    if (const value* a = ca.if_contains("algorithm"); a && a->get_string() != *algorithm) {
      return bad("trusted-ca[].algorithm does not match the public key (" + *algorithm + ")");
    }
    ca["algorithm"] = *algorithm;
  }
  if (!ca.contains("id")) ca["id"] = new_uuid();
  return std::string(ca.at("subject-dn").get_string());
}

registry_result<void> check_secret_times(const object& s, std::string_view where) {
  if (auto r = all(want_string(s, "id", where), want_bool(s, "enabled", where), want_time(s, "not-before", where),
                   want_time(s, "not-after", where), want_string(s, "comment", where));
      !r) {
    return r;
  }
  if (s.contains("not-before") && s.contains("not-after") &&
      *parse_rfc3339(s.at("not-before").get_string()) > *parse_rfc3339(s.at("not-after").get_string())) {
    return bad(std::string(where) + ": not-before is after not-after");
  }
  return {};
}

const object* find_secret(const credential_record* existing, std::string_view id) {
  if (!existing) return nullptr;
  const value* secrets = existing->doc.if_contains("secrets");
  if (!secrets || !secrets->is_array()) return nullptr;
  for (const auto& s : secrets->get_array()) {
    if (s.is_object() && s.get_object().contains("id") && s.get_object().at("id") == value(id)) return &s.get_object();
  }
  return nullptr;
}

constexpr std::array<std::string_view, 5> secret_common = {"id", "enabled", "not-before", "not-after", "comment"};

registry_result<void> only_secret_keys(const object& s, std::initializer_list<std::string_view> extra, std::string_view where) {
  for (const auto& [key, v] : s) {
    const bool known = std::find(secret_common.begin(), secret_common.end(), std::string_view(key)) != secret_common.end() ||
                       std::find(extra.begin(), extra.end(), std::string_view(key)) != extra.end();
    if (!known) return bad("unknown property \"" + std::string(key) + "\" in " + std::string(where));
  }
  return {};
}

// Copies the confidential fields `keys` of `from` into `to` when `to` has none of them.
void keep_confidential(object& to, const object* from, std::initializer_list<std::string_view> keys) {
  if (!from) return;
  for (auto k : keys) {
    if (to.contains(k)) return;
  }
  for (auto k : keys) {
    if (const value* v = from->if_contains(k)) to[k] = *v;
  }
}

registry_result<void> normalise_password_secret(object& s, const object* previous, const credentials_options& options) {
  const std::string_view w = "hashed-password secret";
  if (auto r = only_secret_keys(s, {"pwd-plain", "pwd-hash", "hash-function", "salt"}, w); !r) return r;
  if (auto r = all(want_string(s, "pwd-plain", w), want_string(s, "pwd-hash", w), want_string(s, "hash-function", w),
                   want_string(s, "salt", w));
      !r) {
    return r;
  }
  if (const value* plain = s.if_contains("pwd-plain")) {
    if (s.contains("pwd-hash") || s.contains("hash-function") || s.contains("salt")) {
      return bad("a hashed-password secret has either pwd-plain or pwd-hash, not both");
    }
    if (plain->get_string().empty()) return bad("pwd-plain must not be empty");
    auto hashed = hash_plain(std::string_view(plain->get_string()), options.bcrypt_cost);
    if (!hashed) {
      if (hashed.error().code == password_error::malformed) return bad("pwd-plain cannot be hashed (it contains a NUL character)");
      return registry_fail(registry_errc::unavailable, "cannot hash the password");
    }
    s.erase("pwd-plain");
    s["hash-function"] = hashed->function;
    s["pwd-hash"] = hashed->hash;
    return {};
  }
  if (const value* hash = s.if_contains("pwd-hash")) {
    const value* function = s.if_contains("hash-function");
    if (!function) return bad("pwd-hash needs a hash-function");
    std::optional<std::string_view> salt;
    if (const value* sv = s.if_contains("salt")) salt = std::string_view(sv->get_string());
    auto parsed = parse_hash(std::string_view(function->get_string()), std::string_view(hash->get_string()), salt,
                             options.max_bcrypt_cost);
    if (!parsed) {
      switch (parsed.error().code) {
        case password_error::unsupported:
          return bad("unsupported hash-function " + std::string(function->get_string()));
        case password_error::too_costly:
          return bad("bcrypt cost factor above the maximum of " + std::to_string(options.max_bcrypt_cost));
        default:
          return bad("pwd-hash or salt is malformed for hash-function " + std::string(function->get_string()));
      }
    }
    return {};
  }
  if (s.contains("hash-function") || s.contains("salt")) return bad("hash-function and salt need a pwd-hash");
  keep_confidential(s, previous, {"pwd-hash", "hash-function", "salt"});
  if (!s.contains("pwd-hash")) return bad("a new hashed-password secret needs pwd-plain or pwd-hash");
  return {};
}

registry_result<void> normalise_psk_secret(object& s, const object* previous) {
  const std::string_view w = "psk secret";
  if (auto r = only_secret_keys(s, {"key"}, w); !r) return r;
  if (const value* key = s.if_contains("key")) {
    auto bytes = key->is_string() ? base64_decode(std::string_view(key->get_string())) : std::nullopt;
    if (!bytes || bytes->empty()) return bad("psk secret key must be non-empty Base64");
  }
  keep_confidential(s, previous, {"key"});
  if (!s.contains("key")) return bad("a new psk secret needs a key");
  return {};
}

registry_result<void> normalise_rpk_secret(object& s, const object* previous) {
  const std::string_view w = "rpk secret";
  if (auto r = only_secret_keys(s, {"key", "algorithm", "cert"}, w); !r) return r;
  if (const value* cert = s.if_contains("cert")) {
    auto der = cert->is_string() ? base64_decode(std::string_view(cert->get_string())) : std::nullopt;
    auto info = der ? parse_certificate(*der) : std::nullopt;
    if (!info) return bad("rpk secret cert must be a Base64 DER X.509 certificate with an RSA or EC key");
    s.erase("cert");
    s["key"] = base64_encode(info->public_key_der);
    s["algorithm"] = info->algorithm;
    if (!s.contains("not-before")) s["not-before"] = to_rfc3339(info->not_before);
    if (!s.contains("not-after")) s["not-after"] = to_rfc3339(info->not_after);
  } else if (const value* key = s.if_contains("key")) {
    auto der = key->is_string() ? base64_decode(std::string_view(key->get_string())) : std::nullopt;
    auto algorithm = der ? public_key_algorithm(*der) : std::nullopt;
    if (!algorithm) return bad("rpk secret key must be a Base64 DER RSA or EC public key");
    const value* given = s.if_contains("algorithm");
    if (given && (!given->is_string() || given->get_string() != *algorithm)) {
      return bad("rpk secret algorithm does not match the key (" + *algorithm + ")");
    }
    s["algorithm"] = *algorithm;
  }
  keep_confidential(s, previous, {"key", "algorithm"});
  if (!s.contains("key")) return bad("a new rpk secret needs a key or a cert");
  return {};
}

registry_result<credential_record> parse_credential(const value& item, const std::vector<credential_record>& existing,
                                                    const credentials_options& options, const auth_id_templates& templates) {
  if (!item.is_object()) return bad("credentials must be JSON objects");
  object c = item.get_object();
  const value* type = c.if_contains("type");
  if (!type || !type->is_string()) return bad("credentials need a type");
  const std::string t(type->get_string());
  const bool from_cert = t == "x509-cert" && c.contains("cert");
  const value* auth_id = c.if_contains("auth-id");
  if (auth_id && !auth_id->is_string()) return bad("auth-id must be a string");
  if (!from_cert && (!auth_id || auth_id->get_string().empty())) return bad("credentials need an auth-id");
  std::string id = auth_id ? std::string(auth_id->get_string()) : std::string();
  if (!valid_type_name(t)) return bad("invalid credentials type " + t);
  const bool generic = t != "hashed-password" && t != "psk" && t != "x509-cert" && t != "rpk";
  const std::string where = t + " credentials";
  if (!generic) {
    if (auto r = only_keys(c, {"type", "auth-id", "enabled", "ext", "secrets", "cert"}, where); !r) return fail(r.error());
    if (t != "x509-cert" && c.contains("cert")) return bad("unknown property \"cert\" in " + where);
  }
  if (auto r = all(want_bool(c, "enabled", where), want_object(c, "ext", where)); !r) return fail(r.error());
  if (t == "hashed-password" && !valid_username(id)) return bad("invalid auth-id for hashed-password credentials");
  if (from_cert) {
    const value* cert = c.if_contains("cert");
    auto der = cert->is_string() ? base64_decode(std::string_view(cert->get_string())) : std::nullopt;
    auto info = der ? parse_certificate(*der) : std::nullopt;
    if (!info) return bad("x509-cert cert must be a Base64 DER X.509 certificate");
    // The auth-id comes from the issuing trust anchor's template, else it is the subject DN.
    std::string derived = info->subject_dn;
    for (const auto& [ca_subject, auth_id_template] : templates) {
      if (ca_subject == info->issuer_dn) derived = apply_auth_id_template(auth_id_template, *info);
    }
    if (!id.empty() && id != info->subject_dn && id != derived) {
      return bad("x509-cert auth-id must be the certificate's subject DN " + info->subject_dn);
    }
    id = derived;
    c["auth-id"] = id;
    c.erase("cert");
    if (!c.contains("secrets")) c["secrets"] = array{object{{"not-before", to_rfc3339(info->not_before)}, {"not-after", to_rfc3339(info->not_after)}}};
  }
  if (t == "x509-cert" && !c.contains("secrets")) c["secrets"] = array{object{}};
  value* secrets = c.if_contains("secrets");
  if (!secrets || !secrets->is_array() || secrets->get_array().empty()) return bad(where + " need at least one secret");
  if (t == "x509-cert" && secrets->get_array().size() != 1) return bad("x509-cert credentials have exactly one secret");

  const credential_record* previous = nullptr;
  for (const auto& e : existing) {
    if (e.type == t && e.auth_id == id) previous = &e;
  }
  std::set<std::string> secret_ids;
  for (auto& sv : secrets->get_array()) {
    if (!sv.is_object()) return bad(where + ": secrets must be JSON objects");
    object& s = sv.get_object();
    if (auto r = check_secret_times(s, where + " secret"); !r) return fail(r.error());
    const object* old = nullptr;
    if (const value* sid = s.if_contains("id")) {
      old = find_secret(previous, std::string_view(sid->get_string()));
      if (!old) return bad("secret id " + std::string(sid->get_string()) + " does not exist for " + where + " " + id);
    } else {
      s["id"] = new_uuid();
    }
    if (!secret_ids.insert(std::string(s.at("id").get_string())).second) return bad(where + ": duplicate secret id");
    registry_result<void> r;
    if (t == "hashed-password") r = normalise_password_secret(s, old, options);
    else if (t == "psk") r = normalise_psk_secret(s, old);
    else if (t == "rpk") r = normalise_rpk_secret(s, old);
    else if (t == "x509-cert") r = only_secret_keys(s, {}, where + " secret");
    if (!r) return fail(r.error());
  }
  if (!c.contains("enabled")) c["enabled"] = true;
  return credential_record{t, id, std::move(c)};
}

}  // namespace

registry_result<tenant_document> parse_tenant(const value& body) {
  if (!body.is_object()) return bad("a tenant must be a JSON object");
  tenant_document out;
  out.doc = body.get_object();
  object& t = out.doc;
  const std::string_view w = "tenant";
  if (auto r = only_keys(t, {"enabled", "alias", "ext", "adapters", "defaults", "minimum-message-size", "registration-limits",
                             "resource-limits", "tracing", "trust-anchor-group", "trusted-ca"},
                         w);
      !r) {
    return fail(r.error());
  }
  if (auto r = all(want_bool(t, "enabled", w), want_string(t, "alias", w), want_object(t, "ext", w),
                   want_object(t, "defaults", w), want_integer(t, "minimum-message-size", 0, w),
                   want_string(t, "trust-anchor-group", w), check_adapters(t), check_resource_limits(t), check_tracing(t));
      !r) {
    return fail(r.error());
  }
  if (const value* ext = t.if_contains("ext")) {
    if (auto r = all(want_string(ext->get_object(), "messaging-type", "tenant.ext"),
                     want_bool(ext->get_object(), "invalidate-cache-on-update", "tenant.ext"));
        !r) {
      return fail(r.error());
    }
  }
  if (const value* limits = t.if_contains("registration-limits")) {
    if (!limits->is_object()) return bad("registration-limits must be a JSON object");
    const object& o = limits->get_object();
    if (auto r = all(only_keys(o, {"max-devices", "max-credentials-per-device"}, "registration-limits"),
                     want_integer(o, "max-devices", -1, "registration-limits"),
                     want_integer(o, "max-credentials-per-device", -1, "registration-limits"));
        !r) {
      return fail(r.error());
    }
  }
  if (const value* alias = t.if_contains("alias")) {
    if (!valid_alias(alias->get_string())) return bad("alias must consist of lower-case letters, digits and '-'");
    out.alias = std::string(alias->get_string());
  }
  if (const value* group = t.if_contains("trust-anchor-group")) out.trust_anchor_group = std::string(group->get_string());
  if (value* cas = t.if_contains("trusted-ca")) {
    if (!cas->is_array()) return bad("trusted-ca must be an array");
    std::set<std::string> ids;
    for (auto& ca : cas->get_array()) {
      if (!ca.is_object()) return bad("trusted-ca must contain JSON objects");
      auto subject = normalise_trust_anchor(ca.get_object());
      if (!subject) return fail(subject.error());
      if (!ids.insert(std::string(ca.get_object().at("id").get_string())).second) {
        return bad("trusted-ca ids must be unique within a tenant");
      }
      out.trusted_ca_subjects.push_back(std::move(*subject));
    }
  }
  if (!t.contains("enabled")) t["enabled"] = true;
  return out;
}

registry_result<object> parse_device(const value& body) {
  if (!body.is_object()) return bad("a device must be a JSON object");
  object d = body.get_object();
  const std::string_view w = "device";
  if (auto r = only_keys(d, {"enabled", "defaults", "via", "viaGroups", "memberOf", "authorities",
                             "downstream-message-mapper", "upstream-message-mapper", "command-endpoint", "ext", "status"},
                         w);
      !r) {
    return fail(r.error());
  }
  if (auto r = all(want_bool(d, "enabled", w), want_object(d, "defaults", w), want_string_array(d, "via", w, valid_device_id),
                   want_string_array(d, "viaGroups", w, valid_device_id), want_string_array(d, "memberOf", w, valid_device_id),
                   want_string_array(d, "authorities", w), want_string(d, "downstream-message-mapper", w),
                   want_string(d, "upstream-message-mapper", w), want_object(d, "ext", w), want_object(d, "status", w),
                   want_object(d, "command-endpoint", w));
      !r) {
    return fail(r.error());
  }
  auto non_empty = [&](std::string_view key) { return d.contains(key) && !d.at(key).get_array().empty(); };
  if ((non_empty("via") || non_empty("viaGroups")) && non_empty("memberOf")) {
    return bad("a device cannot have via or viaGroups and memberOf at the same time");
  }
  if (const value* authorities = d.if_contains("authorities")) {
    for (const auto& a : authorities->get_array()) {
      if (a.get_string() != "auto-provisioning-enabled") {
        return bad("unknown authority " + std::string(a.get_string()));
      }
    }
  }
  if (const value* endpoint = d.if_contains("command-endpoint")) {
    const object& e = endpoint->get_object();
    const std::string_view ew = "command-endpoint";
    if (auto r = all(only_keys(e, {"uri", "headers", "payload-properties"}, ew), want_string(e, "uri", ew),
                     want_object(e, "headers", ew), want_object(e, "payload-properties", ew));
        !r) {
      return fail(r.error());
    }
    if (!e.contains("uri")) return bad("command-endpoint.uri is required");
  }
  d.erase("status");
  if (!d.contains("enabled")) d["enabled"] = true;
  return d;
}

registry_result<std::vector<credential_record>> parse_credentials(const value& body,
                                                                  const std::vector<credential_record>& existing,
                                                                  const credentials_options& options,
                                                                  const auth_id_templates& templates) {
  if (!body.is_array()) return bad("credentials must be a JSON array");
  std::vector<credential_record> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& item : body.get_array()) {
    auto c = parse_credential(item, existing, options, templates);
    if (!c) return fail(c.error());
    if (!seen.emplace(c->type, c->auth_id).second) {
      return bad("credentials of type " + c->type + " with auth-id " + c->auth_id + " appear more than once");
    }
    out.push_back(std::move(*c));
  }
  return out;
}

auth_id_templates auth_id_templates_of(const object& tenant_doc) {
  auth_id_templates out;
  const value* cas = tenant_doc.if_contains("trusted-ca");
  if (!cas || !cas->is_array()) return out;
  for (const auto& ca : cas->get_array()) {
    if (!ca.is_object()) continue;
    const value* subject = ca.get_object().if_contains("subject-dn");
    const value* t = ca.get_object().if_contains("auth-id-template");
    if (subject && subject->is_string() && t && t->is_string()) {
      out.emplace_back(std::string(subject->get_string()), std::string(t->get_string()));
    }
  }
  return out;
}

array public_credentials(const std::vector<credential_record>& credentials) {
  static constexpr std::array<std::string_view, 5> confidential = {"pwd-hash", "salt", "hash-function", "key", "pwd-plain"};
  array out;
  for (const auto& c : credentials) {
    object doc = c.doc;
    // Generic credentials keep unknown properties, so confidential names are dropped at both levels.
    for (auto key : confidential) doc.erase(key);
    if (value* secrets = doc.if_contains("secrets"); secrets && secrets->is_array()) {
      for (auto& s : secrets->get_array()) {
        if (!s.is_object()) continue;
        for (auto key : confidential) s.get_object().erase(key);
      }
    }
    out.push_back(std::move(doc));
  }
  return out;
}

}  // namespace tributary::registry
