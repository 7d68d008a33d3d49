// admission_filter: the "doorkeeper" in front of a lookup cache (as in TinyLFU, the admission
// policy of Caffeine, which Hono's caches use): a key is admitted on its second sight, so that
// answers asked for once (the lookups of an MQTT device's CONNECT, which its session then never
// repeats) cost no cache entry, while answers asked for again (the same device's next messages, a
// reconnect, an HTTP device's next request) are cached from then on. A Bloom filter of 8 bits per
// key the cache may hold, three probes; forgetting everything once it has marked as many keys as
// the cache holds keeps its false positives (keys admitted at first sight) at a few percent.
// Not thread-safe: the cache calls it under its own lock. Fixed size: made at construction.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tributary::registry {

class admission_filter {
 public:
  explicit admission_filter(std::size_t capacity)
      : capacity_(capacity), bits_(std::max<std::size_t>(64, (capacity * 8 + 63) / 64)) {}

  // True when `hash` (of a key) was marked before; marks it otherwise.
  bool admit(std::size_t hash) {
    if (marked_ >= capacity_) forget();
    // Double hashing: probes h1 + i * h2 over the two halves of the key's hash.
    const std::uint64_t h1 = hash & 0xffffffffu, h2 = (hash >> 32) | 1;
    const std::uint64_t size = bits_.size() * 64;
    bool seen = true;
    for (std::uint64_t i = 0; i < probes; ++i) {
      const std::uint64_t bit = (h1 + i * h2) % size;
      std::uint64_t& word = bits_[bit / 64];
      const std::uint64_t mask = std::uint64_t{1} << (bit % 64);
      if (!(word & mask)) {
        seen = false;
        word |= mask;
      }
    }
    if (!seen) ++marked_;
    return seen;
  }

  void forget() {
    std::fill(bits_.begin(), bits_.end(), 0);
    marked_ = 0;
  }

 private:
  static constexpr std::uint64_t probes = 3;
  const std::size_t capacity_;
  std::vector<std::uint64_t> bits_;
  std::size_t marked_ = 0;
};

}  // namespace tributary::registry
