// password: hashing and verifying the secrets of `hashed-password` credentials the way Hono's
// registry does: bcrypt ($2a$/$2b$/$2y$, libcrypt) and salted SHA-256/SHA-512 (Base64 of
// hash(salt bytes + UTF-8 password)). Pure functions, no I/O, no logging (a password or hash must
// never reach a log line). bcrypt is slow on purpose: callers run hash_plain and verify on a
// blocking pool, never on an I/O thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tributary::registry {

enum class password_error {
  malformed,    // not a valid hash/salt for the function (bad Base64, bad bcrypt string, ...)
  unsupported,  // a hash-function name we do not know
  too_costly,   // bcrypt cost above the configured maximum
  internal,     // libcrypt/OpenSSL failed
};
using password_failure = coded_error<password_error>;

// A stored password hash. `function` is one of "bcrypt", "sha-256", "sha-512" (Hono's names).
struct password_hash {
  std::string function;
  std::string hash;  // bcrypt: the full modular-crypt string; sha-*: Base64 of the digest
  std::string salt;  // sha-*: Base64 of the salt bytes, may be empty; bcrypt: empty

  bool operator==(const password_hash&) const = default;
};

// Checks a `pwd-hash` secret as the management API receives it (hash-function, pwd-hash, optional
// salt) and returns it normalised. bcrypt hashes must be $2a$/$2b$/$2y$ with cost <= max_bcrypt_cost
// and must not carry a salt; sha-256/sha-512 hashes must be Base64 of a digest of the right length.
result<password_hash, password_failure> parse_hash(std::string_view function, std::string_view pwd_hash,
                                                   std::optional<std::string_view> salt, int max_bcrypt_cost);

// Hashes a `pwd-plain` secret with bcrypt ($2a$, as Hono's Spring encoder writes) at `cost` (4..31),
// with a fresh random salt.
result<password_hash, password_failure> hash_plain(std::string_view password, int cost);

// True when `password` matches. Constant-time comparison of the digests; a malformed stored hash
// never matches.
bool verify(const password_hash& stored, std::string_view password);

// The cost factor of a bcrypt string ("$2a$10$..." -> 10), nullopt when it is not one.
std::optional<int> bcrypt_cost(std::string_view hash);

}  // namespace tributary::registry
