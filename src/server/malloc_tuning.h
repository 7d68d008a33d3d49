// malloc_tuning: how the server asks glibc's allocator to treat the large, short-lived buffers of
// the data path (Kafka fetch reads and response frames of a few MB, REST records responses of up
// to tens of MB). By default glibc hands such blocks back to the kernel when they are freed, so the
// next fetch faults in and zeroes fresh pages: half of the broker's CPU in a catch-up Kafka consume.
// Called once by serve() before any thread starts; touches nothing else.
#pragma once

#include <cstddef>

namespace tributary::server {

struct malloc_limits {
  // Blocks below this come from the heap (reused) rather than from their own mapping.
  std::size_t mmap_threshold = 32u << 20;
  // Free memory at the top of a heap is given back to the kernel only beyond this.
  std::size_t trim_threshold = 64u << 20;
};

// False when the allocator does not take the settings (e.g. under a sanitizer's allocator); the
// server runs either way.
bool tune_malloc(const malloc_limits& limits = {});

}  // namespace tributary::server
