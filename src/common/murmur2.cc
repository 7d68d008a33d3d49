#include "common/murmur2.h"

namespace tributary {

std::int32_t murmur2(std::string_view bytes) {
  constexpr std::uint32_t seed = 0x9747b28c;
  constexpr std::uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  const auto length = static_cast<std::uint32_t>(bytes.size());
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::uint32_t h = seed ^ length;
  const std::uint32_t blocks = length / 4;
  for (std::uint32_t i = 0; i < blocks; ++i) {
    const std::uint32_t i4 = i * 4;
    std::uint32_t k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (static_cast<std::uint32_t>(data[i4 + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const std::uint32_t tail = length & ~3u;
  switch (length % 4) {
    case 3: h ^= static_cast<std::uint32_t>(data[tail + 2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<std::uint32_t>(data[tail + 1]) << 8; [[fallthrough]];
    case 1:
      h ^= data[tail];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<std::int32_t>(h);
}

int java_partition(std::string_view key, int partitions) {
  const auto positive = static_cast<std::uint32_t>(murmur2(key)) & 0x7fffffffu;
  return static_cast<int>(positive % static_cast<std::uint32_t>(partitions));
}

}  // namespace tributary
