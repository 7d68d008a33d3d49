// compression: opening the records section of a compressed Kafka RecordBatch, for the four codecs
// of the protocol (spec/kafka-protocol.md §6): gzip, snappy (Kafka's xerial framing, or one raw
// snappy block as some clients write), lz4 (the LZ4 frame format) and zstd. Decompression only:
// the log stores batches as producers compressed them and opens them only where the hub reads
// records itself (the command router, compaction). Sans-I/O. The output is bounded, so a small
// hostile input cannot make it allocate without limit; malformed input is an error, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "common/result.h"
#include "log/record_batch.h"

namespace tributary::log {

// The decompressed bytes of `compressed`, or bad_compression (the codec is none or unknown) or
// bad_compressed_data (the bytes do not decompress, stop early, or exceed max_output).
result<std::string, batch_error> decompress(compression codec, std::span<const std::uint8_t> compressed,
                                            std::size_t max_output);

}  // namespace tributary::log
