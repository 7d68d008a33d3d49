// Fuzz target for the record-section decompressors (src/log/compression.h). The first byte picks the
// codec (gzip, snappy, lz4, zstd), the rest is the compressed input. Any bytes must come back as
// decompressed bytes within the output limit or as a bad_compressed_data error with a message, the
// same answer every time. A broken invariant aborts. Built as decompress_fuzz (libFuzzer, clang)
// and as decompress_fuzz_replay (any compiler, run by ctest over corpus/decompress/); see README.md.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.h"
#include "log/compression.h"

namespace tl = tributary::log;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto codec = static_cast<tl::compression>(1 + data[0] % 4);
  const std::span<const std::uint8_t> input(data + 1, size - 1);
  constexpr std::size_t limit = 256 * 1024;
  const auto first = tl::decompress(codec, input, limit);
  if (first) {
    FUZZ_CHECK(first->size() <= limit);
  } else {
    FUZZ_CHECK(first.error().code == tl::batch_errc::bad_compressed_data);
    FUZZ_CHECK(!first.error().message.empty());
  }
  const auto again = tl::decompress(codec, input, limit);
  FUZZ_CHECK(again.ok() == first.ok());
  if (first) FUZZ_CHECK(*again == *first);
  return 0;
}
