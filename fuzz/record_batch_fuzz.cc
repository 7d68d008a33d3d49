// Fuzz target for the Kafka RecordBatch v2 codec (src/log/record_batch.h). Any bytes must come back
// from parse_batch_header, validate_batch and decode_records as a value or an error, the three must
// agree, and records that decode (compressed batches included) must come back unchanged from
// encode_batch -> decode_records.
// A broken invariant aborts. Built as record_batch_fuzz (libFuzzer, clang) and as
// record_batch_fuzz_replay (any compiler, run by ctest over corpus/record_batch/); see README.md.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "common/big_endian.h"
#include "common/crc32c.h"
#include "log/record_batch.h"

namespace {

namespace tl = tributary::log;

// Header fields the harness repairs (spec/kafka-protocol.md §6): batchLength, and the CRC-32C over
// [21, end).
constexpr std::size_t batch_length_at = 8;
constexpr std::size_t crc_at = 17;
constexpr std::size_t crc_covered_from = 21;

bool same_header(const tl::batch_header& a, const tl::batch_header& b) {
  return a.base_offset == b.base_offset && a.batch_length == b.batch_length &&
         a.partition_leader_epoch == b.partition_leader_epoch && a.magic == b.magic && a.crc == b.crc &&
         a.attributes == b.attributes && a.last_offset_delta == b.last_offset_delta &&
         a.base_timestamp == b.base_timestamp && a.max_timestamp == b.max_timestamp &&
         a.producer_id == b.producer_id && a.producer_epoch == b.producer_epoch &&
         a.base_sequence == b.base_sequence && a.record_count == b.record_count;
}

// encode_batch ignores the records' offsets and numbers them from 0; everything else must survive.
void check_round_trip(const tl::batch_header& original, const std::vector<tl::record>& records) {
  if (records.empty()) return;  // encode_batch wants at least one record
  const std::string encoded =
      tl::encode_batch(records, original.producer_id, original.producer_epoch, original.base_sequence);
  const auto header = tl::validate_batch(tl::as_bytes(encoded));
  FUZZ_CHECK(header);
  FUZZ_CHECK(header->base_offset == 0);
  FUZZ_CHECK(header->codec() == tl::compression::none);
  FUZZ_CHECK(static_cast<std::size_t>(header->record_count) == records.size());
  FUZZ_CHECK(static_cast<std::size_t>(header->last_offset_delta) == records.size() - 1);
  FUZZ_CHECK(header->producer_id == original.producer_id);
  FUZZ_CHECK(header->producer_epoch == original.producer_epoch);
  FUZZ_CHECK(header->base_sequence == original.base_sequence);

  const auto decoded = tl::decode_records(tl::as_bytes(encoded));
  FUZZ_CHECK(decoded);
  FUZZ_CHECK(decoded->size() == records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    tl::record expected = records[i];
    expected.offset = static_cast<std::int64_t>(i);
    FUZZ_CHECK((*decoded)[i] == expected);
    FUZZ_CHECK(header->base_timestamp <= expected.timestamp && expected.timestamp <= header->max_timestamp);
  }
}

// Runs every entry point on `bytes` as one batch and checks that their answers agree.
void check_batch(std::span<const std::uint8_t> bytes) {
  const auto header = tl::parse_batch_header(bytes);
  const auto validated = tl::validate_batch(bytes);
  const auto records = tl::decode_records(bytes);

  if (!header) {
    FUZZ_CHECK(!header.error().message.empty());
    FUZZ_CHECK(!validated && validated.error().code == header.error().code);
  }
  if (!validated) {
    FUZZ_CHECK(!records && records.error().code == validated.error().code);
    return;
  }
  FUZZ_CHECK(header && same_header(*header, *validated));
  FUZZ_CHECK(validated->size() == bytes.size());
  if (!records) {
    FUZZ_CHECK(!records.error().message.empty());
    return;
  }
  FUZZ_CHECK(records->size() == static_cast<std::size_t>(validated->record_count));
  check_round_trip(*validated, *records);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  check_batch(input);

  // A segment or a fetch response is batches back to back: step through them by their framing.
  for (std::size_t pos = 0; pos < size;) {
    const auto header = tl::parse_batch_header(input.subspan(pos));
    if (!header || header->size() > size - pos) break;
    if (header->size() != size) check_batch(input.subspan(pos, header->size()));
    pos += header->size();
  }

  // Random mutations almost never keep the CRC-32C and batchLength right, which would stop nearly
  // every input at validate_batch; so also try the input with both repaired, to reach the records.
  if (size >= tl::batch_header_size && size - tl::batch_length_offset <= tl::max_batch_size) {
    std::vector<std::uint8_t> repaired(input.begin(), input.end());
    tributary::write_be<std::int32_t>(repaired.data() + batch_length_at,
                                      static_cast<std::int32_t>(size - tl::batch_length_offset));
    tributary::write_be<std::uint32_t>(repaired.data() + crc_at, tributary::crc32c(repaired.data() + crc_covered_from,
                                                                                    size - crc_covered_from));
    if (!std::equal(repaired.begin(), repaired.end(), input.begin())) check_batch(repaired);
  }
  return 0;
}
