#include "registry/x509.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace tributary::registry {
namespace {

template <typename T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const { Free(p); }
};
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;

std::optional<std::string> algorithm_of(EVP_PKEY* key) {
  switch (EVP_PKEY_base_id(key)) {
    case EVP_PKEY_RSA: return "RSA";
    case EVP_PKEY_EC: return "EC";
    default: return std::nullopt;
  }
}

std::chrono::sys_seconds to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  ASN1_TIME_to_tm(t, &tm);
  return std::chrono::sys_seconds(std::chrono::seconds(timegm(&tm)));
}

std::string rfc2253(const X509_NAME* name) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* text = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &text);
  return std::string(text, static_cast<std::size_t>(len));
}

std::string attribute(const X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return "";
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

std::string apply_auth_id_template(std::string_view auth_id_template, const certificate_info& cert) {
  std::string out(auth_id_template);
  for (const auto& [placeholder, value] : {std::pair<std::string_view, const std::string&>{"{{subject-dn}}", cert.subject_dn},
                                          {"{{subject-cn}}", cert.subject_cn},
                                          {"{{subject-ou}}", cert.subject_ou},
                                          {"{{subject-o}}", cert.subject_o}}) {
    for (auto pos = out.find(placeholder); pos != std::string::npos; pos = out.find(placeholder, pos + value.size())) {
      out.replace(pos, placeholder.size(), value);
    }
  }
  return out;
}

std::optional<certificate_info> parse_certificate(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  x509_ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) return std::nullopt;
  pkey_ptr key(X509_get_pubkey(cert.get()));
  if (!key) return std::nullopt;
  auto algorithm = algorithm_of(key.get());
  if (!algorithm) return std::nullopt;
  certificate_info info;
  info.algorithm = *algorithm;
  unsigned char* spki = nullptr;
  const int spki_len = i2d_PUBKEY(key.get(), &spki);
  if (spki_len <= 0) return std::nullopt;
  info.public_key_der.assign(reinterpret_cast<char*>(spki), static_cast<std::size_t>(spki_len));
  OPENSSL_free(spki);
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  info.subject_dn = rfc2253(subject);
  info.issuer_dn = rfc2253(X509_get_issuer_name(cert.get()));
  info.subject_cn = attribute(subject, NID_commonName);
  info.subject_ou = attribute(subject, NID_organizationalUnitName);
  info.subject_o = attribute(subject, NID_organizationName);
  info.not_before = to_time_point(X509_get0_notBefore(cert.get()));
  info.not_after = to_time_point(X509_get0_notAfter(cert.get()));
  return info;
}

bool signed_by(std::string_view cert_der, std::string_view public_key_der) {
  const auto* c = reinterpret_cast<const unsigned char*>(cert_der.data());
  x509_ptr cert(d2i_X509(nullptr, &c, static_cast<long>(cert_der.size())));
  const auto* k = reinterpret_cast<const unsigned char*>(public_key_der.data());
  pkey_ptr key(d2i_PUBKEY(nullptr, &k, static_cast<long>(public_key_der.size())));
  return cert && key && X509_verify(cert.get(), key.get()) == 1;
}

std::optional<std::string> public_key_algorithm(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  pkey_ptr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) return std::nullopt;
  return algorithm_of(key.get());
}

}  // namespace tributary::registry
