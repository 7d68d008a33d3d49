// record_batch: Kafka RecordBatch v2 (magic 2), the on-disk and on-wire unit of the log
// (../shared/spec/kafka-protocol.md §6). Sans-I/O: parses and validates bytes, encodes records,
// never throws on malformed input and checks every size before reading or allocating.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace tributary::log {

inline constexpr std::size_t batch_header_size = 61;
// Bytes before batchLength's coverage starts: baseOffset (8) + batchLength (4).
inline constexpr std::size_t batch_length_offset = 12;
// A batch larger than this is treated as corrupt framing (Kafka's message.max.bytes is ~1 MiB).
inline constexpr std::size_t max_batch_size = 64 * 1024 * 1024;

enum class batch_errc {
  truncated,        // fewer bytes than the header or batchLength announce (a torn write, or need more)
  bad_length,       // batchLength smaller than a header or beyond max_batch_size
  bad_magic,        // not magic 2 (v0/v1 message sets are not supported)
  bad_crc,          // CRC-32C over [21, end) does not match
  bad_records,      // record count / lastOffsetDelta inconsistent, or a record does not parse
  bad_compression,      // compression codec outside 0..4
  bad_compressed_data,  // the records section does not decompress (corrupt, cut short, too large)
};
using batch_error = coded_error<batch_errc>;

enum class compression : std::uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

struct batch_header {
  std::int64_t base_offset = 0;
  std::int32_t batch_length = 0;
  std::int32_t partition_leader_epoch = 0;
  std::int8_t magic = 2;
  std::uint32_t crc = 0;
  std::int16_t attributes = 0;
  std::int32_t last_offset_delta = 0;
  std::int64_t base_timestamp = 0;
  std::int64_t max_timestamp = 0;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
  std::int32_t record_count = 0;

  std::size_t size() const { return static_cast<std::size_t>(batch_length) + batch_length_offset; }
  // Wrapping, as Kafka's Java longs do: a hostile baseOffset must not overflow (undefined behaviour).
  std::int64_t last_offset() const {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(base_offset) + static_cast<std::uint64_t>(last_offset_delta));
  }
  std::int64_t next_offset() const { return static_cast<std::int64_t>(static_cast<std::uint64_t>(last_offset()) + 1); }
  compression codec() const { return static_cast<compression>(attributes & 0x7); }
  bool log_append_time() const { return (attributes & 0x8) != 0; }
  bool transactional() const { return (attributes & 0x10) != 0; }
  bool control() const { return (attributes & 0x20) != 0; }
};

// Reads the header at the front of `bytes` (which may continue with more batches) and checks the
// framing: enough bytes for the header, a plausible batchLength, magic 2. Does not check the CRC or
// that the whole batch is present.
result<batch_header, batch_error> parse_batch_header(std::span<const std::uint8_t> bytes);

// Everything a broker checks on Produce for one complete batch (`bytes` is exactly one batch):
// framing, whole batch present, CRC, compression codec, count vs lastOffsetDelta.
result<batch_header, batch_error> validate_batch(std::span<const std::uint8_t> bytes);

// Writes baseOffset (not covered by the CRC) into a batch in place.
void set_base_offset(std::span<std::uint8_t> batch, std::int64_t base_offset);

struct header {
  std::string key;
  std::optional<std::string> value;
  friend bool operator==(const header&, const header&) = default;
};

struct record {
  std::int64_t offset = 0;     // absolute, once appended
  std::int64_t timestamp = 0;  // ms since epoch
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<header> headers;
  friend bool operator==(const record&, const record&) = default;
};

// Encodes `records` as one uncompressed batch with CreateTime timestamps and base offset 0; the
// records' own offsets are ignored (offset deltas are their positions). At least one record.
std::string encode_batch(std::span<const record> records, std::int64_t producer_id = -1,
                         std::int16_t producer_epoch = -1, std::int32_t base_sequence = -1);

// Decodes the records of one complete batch, with absolute offsets and timestamps; a compressed
// batch is decompressed first (log/compression.h), to at most max_batch_size bytes. `skip_crc`:
// for batches read back from the log, whose CRC was checked when they were appended or recovered
// (every other check still runs).
enum class crc_check { verify, skip };
result<std::vector<record>, batch_error> decode_records(std::span<const std::uint8_t> batch,
                                                        crc_check crc = crc_check::verify);

inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace tributary::log
