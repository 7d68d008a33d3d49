// password_cache: remembers recent outcomes of registry::verify so that a reconnect storm (thousands
// of devices presenting the same credentials again within seconds) costs one HMAC each instead of
// one bcrypt each. Owns its entries and a random HMAC key; every method may be called from any
// thread at the same time; the cache must outlive its callers. Does not verify anything itself and
// touches no other state: callers run verify on a miss and remember the outcome.
//
// What it stores: per entry, HMAC-SHA256(k, function, hash, salt, password) (length-prefixed fields),
// the boolean outcome and an expiry time. k is 32 random bytes drawn at construction, kept only as
// OpenSSL's keyed HMAC state in memory, never written anywhere and cleansed on destruction. It never
// stores a password, a stored hash, a tenant or device id, or an unkeyed digest of a password. Since
// the stored hash is part of the key, a changed credential never hits an entry of the old one.
//
// What an attacker who can read process memory learns: keyed digests of the passwords presented
// within the last `ttl`, together with the key, so each entry is an offline guessing target as cheap
// as one HMAC per guess (unlike the bcrypt hash it stands for). That is no more than such an
// attacker gets anyway, since the same passwords pass in plaintext through connection buffers. Nothing
// reaches disk (no persistence; swap is the operator's concern). A client learns from timing only
// that the same password was presented for the same credential recently, which the answer itself
// already tells it.
//
// Bounded: at most `capacity` entries (about 150 bytes each); when full, the least recently used
// entry is evicted. Entries expire `ttl` after they were remembered, whether or not they are used.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "registry/password.h"

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX

namespace tributary::registry {

class password_cache {
 public:
  // A capacity of 0 disables the cache (lookup always misses). So does a failure to draw the key
  // or set up HMAC (the cache then only costs callers a bcrypt, never correctness).
  password_cache(std::size_t capacity, std::chrono::milliseconds ttl);
  ~password_cache();
  password_cache(const password_cache&) = delete;
  password_cache& operator=(const password_cache&) = delete;

  // The remembered outcome of verify(stored, password), or nullopt when unknown or expired.
  std::optional<bool> lookup(const password_hash& stored, std::string_view password);
  // Records the outcome of verify(stored, password); replaces an earlier entry for the same pair.
  void remember(const password_hash& stored, std::string_view password, bool matched);
  void clear();
  // Entries held, including expired ones not yet dropped.
  std::size_t size() const;

 private:
  using clock = std::chrono::steady_clock;
  using digest = std::array<unsigned char, 32>;
  struct digest_hash {
    // The digest is a keyed MAC, uniformly distributed and unknown to clients: any 8 bytes of it are
    // a good hash and cannot be chosen to collide.
    std::size_t operator()(const digest& d) const noexcept {
      std::size_t h;
      std::memcpy(&h, d.data(), sizeof h);
      return h;
    }
  };
  struct entry {
    digest key;
    bool matched;
    clock::time_point expires;
  };
  using lru_list = std::list<entry>;  // front: most recently used

  std::optional<digest> key_of(const password_hash& stored, std::string_view password) const;
  void drop_expired_tail(clock::time_point now);

  const std::uint64_t id_;  // tells this cache's per-thread contexts from a former cache's
  const std::size_t capacity_;
  const clock::duration ttl_;
  evp_mac_ctx_st* keyed_ = nullptr;  // HMAC-SHA256 with the key set; only duplicated, never updated
  mutable std::mutex mutex_;
  lru_list lru_;
  std::unordered_map<digest, lru_list::iterator, digest_hash> index_;
};

}  // namespace tributary::registry
