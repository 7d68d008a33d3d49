// Big-endian (network order) reads and writes of fixed-width integers, as Kafka encodes them.
// Callers check bounds; these only move bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace tributary {

template <typename T>
T read_be(const std::uint8_t* p) {
  static_assert(std::is_integral_v<T>);
  std::make_unsigned_t<T> v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<std::make_unsigned_t<T>>((v << 8) | p[i]);
  return static_cast<T>(v);
}

template <typename T>
void write_be(std::uint8_t* p, T value) {
  static_assert(std::is_integral_v<T>);
  auto v = static_cast<std::make_unsigned_t<T>>(value);
  for (std::size_t i = sizeof(T); i-- > 0;) {
    p[i] = static_cast<std::uint8_t>(v & 0xff);
    v = static_cast<std::make_unsigned_t<T>>(v >> 8);
  }
}

}  // namespace tributary
