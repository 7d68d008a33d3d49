// password_cache: the keyed-digest LRU described in password_cache.h. The HMAC runs outside the
// mutex on the calling thread's own copy of the keyed context (made once per thread, re-initialised
// with the same key for every digest); only the hash-map probe and the list splice run under it. Must not log and must not keep the password or the raw key beyond one call.
#include "registry/password_cache.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <atomic>
#include <cstdint>
#include <memory>

namespace tributary::registry {
namespace {

constexpr std::size_t kKeyBytes = 32;

struct mac_deleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// HMAC-SHA256 with a fresh random key; nullptr when OpenSSL cannot provide one.
EVP_MAC_CTX* new_keyed_hmac() {
  std::unique_ptr<EVP_MAC, mac_deleter> mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
  if (!mac) return nullptr;
  std::unique_ptr<EVP_MAC_CTX, mac_deleter> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return nullptr;
  std::array<unsigned char, kKeyBytes> key;
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                               OSSL_PARAM_construct_end()};
  const bool keyed = RAND_bytes(key.data(), static_cast<int>(key.size())) == 1 &&
                     EVP_MAC_init(ctx.get(), key.data(), key.size(), params) == 1;
  OPENSSL_cleanse(key.data(), key.size());
  return keyed ? ctx.release() : nullptr;
}

// One field as an 8-byte big-endian length and its bytes, so that no two tuples frame alike.
bool update_framed(EVP_MAC_CTX* ctx, std::string_view field) {
  std::array<unsigned char, 8> length;
  std::uint64_t n = field.size();
  for (std::size_t i = length.size(); i-- > 0; n >>= 8) length[i] = static_cast<unsigned char>(n & 0xff);
  return EVP_MAC_update(ctx, length.data(), length.size()) == 1 &&
         EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(field.data()), field.size()) == 1;
}

std::atomic<std::uint64_t> next_cache_id{1};

// The calling thread's copy of one cache's keyed context; freed (and cleansed) when the thread
// ends or uses another cache.
struct thread_context {
  std::uint64_t owner = 0;
  EVP_MAC_CTX* ctx = nullptr;
  ~thread_context() { EVP_MAC_CTX_free(ctx); }
};
thread_local thread_context this_thread;

}  // namespace

password_cache::password_cache(std::size_t capacity, std::chrono::milliseconds ttl)
    : id_(next_cache_id.fetch_add(1)), capacity_(capacity), ttl_(ttl), keyed_(capacity > 0 ? new_keyed_hmac() : nullptr) {}

password_cache::~password_cache() { EVP_MAC_CTX_free(keyed_); }  // frees and cleanses the keyed state

std::optional<password_cache::digest> password_cache::key_of(const password_hash& stored,
                                                              std::string_view password) const {
  if (keyed_ == nullptr) return std::nullopt;
  if (this_thread.owner != id_) {
    EVP_MAC_CTX_free(this_thread.ctx);
    this_thread.ctx = EVP_MAC_CTX_dup(keyed_);  // keyed and ready for a first digest
    this_thread.owner = this_thread.ctx ? id_ : 0;
    if (!this_thread.ctx) return std::nullopt;
  } else if (EVP_MAC_init(this_thread.ctx, nullptr, 0, nullptr) != 1) {  // again, with the same key
    return std::nullopt;
  }
  EVP_MAC_CTX* ctx = this_thread.ctx;
  digest out;
  std::size_t size = 0;
  if (!update_framed(ctx, stored.function) || !update_framed(ctx, stored.hash) || !update_framed(ctx, stored.salt) ||
      !update_framed(ctx, password) || EVP_MAC_final(ctx, out.data(), &size, out.size()) != 1 || size != out.size()) {
    this_thread.owner = 0;  // start from a fresh copy next time
    return std::nullopt;
  }
  return out;
}

std::optional<bool> password_cache::lookup(const password_hash& stored, std::string_view password) {
  const auto key = key_of(stored, password);
  if (!key) return std::nullopt;
  const auto now = clock::now();
  std::lock_guard lock(mutex_);
  const auto found = index_.find(*key);
  if (found == index_.end()) return std::nullopt;
  const auto it = found->second;
  if (it->expires <= now) {
    index_.erase(found);
    lru_.erase(it);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it);
  return it->matched;
}

void password_cache::remember(const password_hash& stored, std::string_view password, bool matched) {
  const auto key = key_of(stored, password);
  if (!key) return;
  const auto now = clock::now();
  std::lock_guard lock(mutex_);
  if (const auto found = index_.find(*key); found != index_.end()) {
    const auto it = found->second;
    it->matched = matched;
    it->expires = now + ttl_;
    lru_.splice(lru_.begin(), lru_, it);
    return;
  }
  drop_expired_tail(now);
  if (lru_.size() >= capacity_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(entry{*key, matched, now + ttl_});
  index_.emplace(*key, lru_.begin());
}

// Expired entries are dropped when looked up; on insertion, those that gathered at the cold end go
// too, so that entries which expired unused make room before a live one is evicted.
void password_cache::drop_expired_tail(clock::time_point now) {
  while (!lru_.empty() && lru_.back().expires <= now) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

void password_cache::clear() {
  std::lock_guard lock(mutex_);
  index_.clear();
  lru_.clear();
}

std::size_t password_cache::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

}  // namespace tributary::registry
