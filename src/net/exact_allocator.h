// exact_allocator: asks operator new for exactly the bytes an asynchronous operation needs. Bind
// it (asio::bind_allocator) to the handler of a wait that may last for hours, such as an idle
// device's: with the default allocator the operation takes a block of asio's per-thread recycling
// cache, which is sized for whatever used it before (an accept, say, at twice the size).
#pragma once

#include <cstddef>
#include <new>

namespace tributary::net {

template <typename T>
struct exact_allocator {
  using value_type = T;
  exact_allocator() noexcept = default;
  template <typename U>
  exact_allocator(const exact_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
  template <typename U>
  bool operator==(const exact_allocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace tributary::net
