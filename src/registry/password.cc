// password: bcrypt through libcrypt (libxcrypt's crypt_blowfish), SHA-256/512 through OpenSSL.
// Owns no state; its copies of a password and bcrypt's key schedule are cleansed before being freed.
// Must not log, and must not put a password, hash or salt into an error message.
#include "registry/password.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <memory>

#include "common/base64.h"

namespace tributary::registry {
namespace {

constexpr std::string_view kBcrypt = "bcrypt";
constexpr std::string_view kSha256 = "sha-256";
constexpr std::string_view kSha512 = "sha-512";
// Spring's BCryptPasswordEncoder, which Hono uses, writes $2a$.
constexpr const char* kBcryptPrefix = "$2a$";
constexpr int kMinBcryptCost = 4;
constexpr int kMaxBcryptCost = 31;
// "$2a$10$" + 22 characters of salt + 31 of hash.
constexpr std::size_t kBcryptLength = 60;
constexpr std::size_t kBcryptSaltBytes = 16;

password_failure failure_of(password_error code, std::string message) { return {code, std::move(message)}; }

// bcrypt's own Base64 alphabet: ./A-Za-z0-9.
bool is_bcrypt_base64(char c) {
  return c == '.' || c == '/' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

const EVP_MD* sha_of(std::string_view function) {
  if (function == kSha256) return EVP_sha256();
  if (function == kSha512) return EVP_sha512();
  return nullptr;
}

// struct crypt_data is ~32 KiB: too big for a coroutine or pool thread's stack, so it lives on the
// heap, zeroed before use (crypt(3)) and cleansed afterwards (it holds the password's key schedule).
struct crypt_data_deleter {
  void operator()(crypt_data* data) const {
    OPENSSL_cleanse(data, sizeof *data);
    delete data;
  }
};
using crypt_data_ptr = std::unique_ptr<crypt_data, crypt_data_deleter>;

crypt_data_ptr make_crypt_data() { return crypt_data_ptr(new crypt_data{}); }

// crypt(3) reads a C string; a password with a NUL byte would be cut short and match a prefix.
bool has_nul(std::string_view password) { return password.find('\0') != std::string_view::npos; }

// bcrypt of `password` with `setting` (a salt from crypt_gensalt or a stored hash); nullopt on failure.
std::optional<std::string> bcrypt(std::string_view password, const char* setting) {
  if (has_nul(password)) return std::nullopt;
  auto data = make_crypt_data();
  std::string phrase(password);
  const char* out = crypt_rn(phrase.c_str(), setting, data.get(), sizeof *data);
  std::optional<std::string> hashed;
  if (out != nullptr && out[0] != '*') hashed.emplace(out);
  OPENSSL_cleanse(phrase.data(), phrase.size());
  return hashed;
}

// hash(salt bytes + password bytes) as Hono's MessageDigestPasswordEncoder computes it.
std::optional<std::string> sha_digest(const EVP_MD* md, std::string_view salt, std::string_view password) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::array<unsigned char, EVP_MAX_MD_SIZE> out;
  unsigned int size = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), salt.data(), salt.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), password.data(), password.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &size) != 1) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(out.data()), size);
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool verify_bcrypt(const password_hash& stored, std::string_view password) {
  if (!bcrypt_cost(stored.hash)) return false;
  const auto computed = bcrypt(password, stored.hash.c_str());
  return computed && equal_constant_time(*computed, stored.hash);
}

bool verify_sha(const EVP_MD* md, const password_hash& stored, std::string_view password) {
  const auto expected = base64_decode(stored.hash);
  const auto salt = base64_decode(stored.salt);
  if (!expected || !salt || expected->size() != static_cast<std::size_t>(EVP_MD_get_size(md))) return false;
  const auto computed = sha_digest(md, *salt, password);
  return computed && equal_constant_time(*computed, *expected);
}

result<password_hash, password_failure> parse_bcrypt(std::string_view pwd_hash, std::optional<std::string_view> salt,
                                                     int max_cost) {
  if (salt && !salt->empty()) {
    return fail(failure_of(password_error::malformed, "a bcrypt hash carries its own salt; no separate salt allowed"));
  }
  const auto cost = bcrypt_cost(pwd_hash);
  if (!cost) {
    return fail(failure_of(password_error::malformed,
                           "not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 53 characters of salt and hash)"));
  }
  if (*cost > max_cost) {
    return fail(failure_of(password_error::too_costly, "bcrypt cost " + std::to_string(*cost) +
                                                           " is above the maximum of " + std::to_string(max_cost)));
  }
  return password_hash{std::string(kBcrypt), std::string(pwd_hash), {}};
}

result<password_hash, password_failure> parse_sha(std::string_view function, const EVP_MD* md,
                                                  std::string_view pwd_hash, std::optional<std::string_view> salt) {
  const auto digest = base64_decode(pwd_hash);
  const auto digest_size = static_cast<std::size_t>(EVP_MD_get_size(md));
  if (!digest || digest->size() != digest_size) {
    return fail(failure_of(password_error::malformed, std::string(function) + " pwd-hash must be the Base64 of " +
                                                          std::to_string(digest_size) + " bytes"));
  }
  const std::string_view salt_text = salt.value_or(std::string_view{});
  if (!base64_decode(salt_text)) {
    return fail(failure_of(password_error::malformed, "salt must be Base64"));
  }
  return password_hash{std::string(function), std::string(pwd_hash), std::string(salt_text)};
}

}  // namespace

result<password_hash, password_failure> parse_hash(std::string_view function, std::string_view pwd_hash,
                                                   std::optional<std::string_view> salt, int max_bcrypt_cost) {
  if (function == kBcrypt) return parse_bcrypt(pwd_hash, salt, max_bcrypt_cost);
  if (const EVP_MD* md = sha_of(function)) return parse_sha(function, md, pwd_hash, salt);
  constexpr std::size_t kQuoted = 32;  // the name is caller input: quote a bounded prefix only
  return fail(failure_of(password_error::unsupported,
                         "unsupported hash function \"" + std::string(function.substr(0, kQuoted)) +
                             "\" (supported: bcrypt, sha-256, sha-512)"));
}

result<password_hash, password_failure> hash_plain(std::string_view password, int cost) {
  if (cost < kMinBcryptCost || cost > kMaxBcryptCost) {
    return fail(failure_of(password_error::malformed, "bcrypt cost must be between 4 and 31"));
  }
  if (has_nul(password)) return fail(failure_of(password_error::malformed, "password contains a NUL byte"));
  std::array<unsigned char, kBcryptSaltBytes> random;
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return fail(failure_of(password_error::internal, "RAND_bytes failed"));
  }
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> setting{};
  const char* ok = crypt_gensalt_rn(kBcryptPrefix, static_cast<unsigned long>(cost),
                                    reinterpret_cast<const char*>(random.data()), static_cast<int>(random.size()),
                                    setting.data(), static_cast<int>(setting.size()));
  OPENSSL_cleanse(random.data(), random.size());
  if (ok == nullptr) return fail(failure_of(password_error::internal, "crypt_gensalt_rn failed"));
  auto hashed = bcrypt(password, setting.data());
  if (!hashed || bcrypt_cost(*hashed) != cost) return fail(failure_of(password_error::internal, "crypt_rn failed"));
  return password_hash{std::string(kBcrypt), std::move(*hashed), {}};
}

bool verify(const password_hash& stored, std::string_view password) {
  if (stored.function == kBcrypt) return verify_bcrypt(stored, password);
  if (const EVP_MD* md = sha_of(stored.function)) return verify_sha(md, stored, password);
  return false;
}

std::optional<int> bcrypt_cost(std::string_view hash) {
  // $2a$/$2b$/$2y$ only: $2x$ is crypt_blowfish's deliberately buggy variant, $2$ predates the fix.
  if (hash.size() != kBcryptLength || hash.substr(0, 2) != "$2" ||
      (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') || hash[3] != '$' || !is_digit(hash[4]) ||
      !is_digit(hash[5]) || hash[6] != '$') {
    return std::nullopt;
  }
  for (char c : hash.substr(7)) {
    if (!is_bcrypt_base64(c)) return std::nullopt;
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < kMinBcryptCost || cost > kMaxBcryptCost) return std::nullopt;
  return cost;
}

}  // namespace tributary::registry
