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

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  ASN1_TIME_to_tm(t, &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

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
  bio_ptr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* text = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &text);
  info.subject_dn.assign(text, static_cast<std::size_t>(len));
  info.not_before = to_time_point(X509_get0_notBefore(cert.get()));
  info.not_after = to_time_point(X509_get0_notAfter(cert.get()));
  return info;
}

std::optional<std::string> public_key_algorithm(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  pkey_ptr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) return std::nullopt;
  return algorithm_of(key.get());
}

}  // namespace tributary::registry
