#include "server/malloc_tuning.h"

#include <malloc.h>

namespace tributary::server {

bool tune_malloc(const malloc_limits& limits) {
  // Setting them explicitly also stops glibc's own adjustment of both as blocks come and go.
  const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, static_cast<int>(limits.mmap_threshold)) == 1;
  const bool trim_ok = mallopt(M_TRIM_THRESHOLD, static_cast<int>(limits.trim_threshold)) == 1;
  return mmap_ok && trim_ok;
}

}  // namespace tributary::server
