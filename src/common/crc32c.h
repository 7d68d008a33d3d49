// CRC-32C (Castagnoli), the checksum of Kafka record batches. Uses the SSE4.2 instruction when the
// CPU has it, a table otherwise; both give the same result. Pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tributary {

// Extends `crc` (0 to start) over `size` bytes at `data`.
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0);

// The table-driven path alone, so tests can check it against the hardware one.
std::uint32_t crc32c_portable(const void* data, std::size_t size, std::uint32_t crc = 0);

}  // namespace tributary
