// x509: what the registry reads from DER certificates and public keys (OpenSSL): subject DN in
// RFC 2253 form, key algorithm, validity. Pure functions over bytes; no trust decisions here.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tributary::registry {

struct certificate_info {
  std::string subject_dn;      // RFC 2253, e.g. "CN=Device 4711,OU=Hono,O=Eclipse IoT,L=Ottawa,C=CA"
  std::string issuer_dn;       // RFC 2253
  std::string subject_cn, subject_ou, subject_o;  // first of each attribute, empty when absent
  std::string public_key_der;  // SubjectPublicKeyInfo
  std::string algorithm;       // "RSA" or "EC"
  std::chrono::sys_seconds not_before, not_after;
};

std::optional<certificate_info> parse_certificate(std::string_view der);
// An auth-id from a trust anchor's `auth-id-template` (spec/hono.md §4.2): {{subject-dn}},
// {{subject-cn}}, {{subject-ou}} and {{subject-o}} replaced by the certificate's values.
std::string apply_auth_id_template(std::string_view auth_id_template, const certificate_info& cert);

// True when `cert_der` carries a valid signature by the key `public_key_der` (SubjectPublicKeyInfo).
bool signed_by(std::string_view cert_der, std::string_view public_key_der);

// "RSA" or "EC" for a DER SubjectPublicKeyInfo of that kind; nullopt when malformed or another kind.
std::optional<std::string> public_key_algorithm(std::string_view der);

}  // namespace tributary::registry
