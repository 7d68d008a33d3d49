// Replacement global operator new/delete (malloc/free) that record the largest allocation while an
// allocation_tracker is alive. Array and aligned forms keep the library's own implementations.
#include "kafka/protocol/tests/allocation_tracker.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> tracking{false};
std::atomic<std::size_t> largest_allocation{0};
}  // namespace

void* operator new(std::size_t n) {
  if (tracking.load(std::memory_order_relaxed)) {
    std::size_t seen = largest_allocation.load(std::memory_order_relaxed);
    while (n > seen && !largest_allocation.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
    }
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace tributary::kafka::protocol::testing {

allocation_tracker::allocation_tracker() {
  largest_allocation = 0;
  tracking = true;
}

allocation_tracker::~allocation_tracker() { tracking = false; }

std::size_t allocation_tracker::largest() const { return largest_allocation.load(); }

}  // namespace tributary::kafka::protocol::testing
