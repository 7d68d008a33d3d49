#include "log/record_batch.h"

#include <gtest/gtest.h>

#include "common/big_endian.h"
#include "common/crc32c.h"

namespace tributary::log {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// Two records, built independently of this code (Python, bitwise CRC-32C) from the layout in
// kafka-protocol.md §6: key "4711", value {"temp":5}, header content-type; then a null key/value.
const std::string kFixture = unhex(
    "00000000000000000000006b0000000002e289f4860000000000010000018bcfe568000000018bcfe56805ffffffffffffffff"
    "ffffffffffff00000002640000000834373131147b2274656d70223a357d0218636f6e74656e742d74797065206170706c6963"
    "6174696f6e2f6a736f6e0c000a02010100");

std::uint32_t crc_of_covered(const std::string& batch) { return crc32c(batch.data() + 21, batch.size() - 21); }

std::vector<record> fixture_records() {
  record a;
  a.offset = 0;
  a.timestamp = 1700000000000;
  a.key = "4711";
  a.value = R"({"temp":5})";
  a.headers = {{"content-type", "application/json"}};
  record b;
  b.offset = 1;
  b.timestamp = 1700000000005;
  return {a, b};
}

TEST(RecordBatch, EncodesTheFixtureByteForByte) {
  EXPECT_EQ(encode_batch(fixture_records()), kFixture);
}

TEST(RecordBatch, DecodesTheFixture) {
  auto h = validate_batch(as_bytes(kFixture));
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->size(), kFixture.size());
  EXPECT_EQ(h->record_count, 2);
  EXPECT_EQ(h->last_offset_delta, 1);
  EXPECT_EQ(h->base_timestamp, 1700000000000);
  EXPECT_EQ(h->max_timestamp, 1700000000005);
  EXPECT_EQ(h->producer_id, -1);
  EXPECT_EQ(h->codec(), compression::none);
  auto records = decode_records(as_bytes(kFixture));
  ASSERT_TRUE(records.ok()) << records.error().message;
  EXPECT_EQ(*records, fixture_records());
}

TEST(RecordBatch, BaseOffsetIsOutsideTheCrc) {
  std::string batch = kFixture;
  set_base_offset({reinterpret_cast<std::uint8_t*>(batch.data()), batch.size()}, 42);
  auto records = decode_records(as_bytes(batch));
  ASSERT_TRUE(records.ok());
  EXPECT_EQ((*records)[0].offset, 42);
  EXPECT_EQ((*records)[1].offset, 43);
}

TEST(RecordBatch, ReadsBackMaySkipTheCrcButNotTheOtherChecks) {
  std::string batch = kFixture;
  batch[17] = static_cast<char>(batch[17] ^ 1);  // inside the CRC field itself
  EXPECT_EQ(decode_records(as_bytes(batch)).error().code, batch_errc::bad_crc);
  auto records = decode_records(as_bytes(batch), crc_check::skip);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(*records, fixture_records());
  EXPECT_EQ(decode_records(as_bytes(kFixture.substr(0, kFixture.size() - 1)), crc_check::skip).error().code,
            batch_errc::truncated);
}

TEST(RecordBatch, EveryCoveredByteFlipFailsTheCrc) {
  for (std::size_t i = 21; i < kFixture.size(); ++i) {
    std::string batch = kFixture;
    batch[i] = static_cast<char>(batch[i] ^ 1);
    auto h = validate_batch(as_bytes(batch));
    ASSERT_FALSE(h.ok()) << "byte " << i;
    EXPECT_EQ(h.error().code, batch_errc::bad_crc) << "byte " << i;
  }
}

TEST(RecordBatch, FramingErrors) {
  auto code = [](const std::string& bytes) { return validate_batch(as_bytes(bytes)).error().code; };
  EXPECT_EQ(code(kFixture.substr(0, 60)), batch_errc::truncated);
  EXPECT_EQ(code(kFixture.substr(0, kFixture.size() - 1)), batch_errc::truncated);
  EXPECT_EQ(code(kFixture + "x"), batch_errc::bad_length);
  std::string magic = kFixture;
  magic[16] = 1;
  EXPECT_EQ(code(magic), batch_errc::bad_magic);
  std::string huge = kFixture;
  write_be<std::int32_t>(reinterpret_cast<std::uint8_t*>(huge.data()) + 8, 0x7fffffff);
  EXPECT_EQ(code(huge), batch_errc::bad_length);
  std::string negative = kFixture;
  write_be<std::int32_t>(reinterpret_cast<std::uint8_t*>(negative.data()) + 8, -1);
  EXPECT_EQ(code(negative), batch_errc::bad_length);
}

TEST(RecordBatch, CompressedBatchWhoseRecordsDoNotDecompressValidatesButDoesNotDecode) {
  std::string batch = kFixture;
  auto* p = reinterpret_cast<std::uint8_t*>(batch.data());
  write_be<std::int16_t>(p + 21, 4);  // zstd
  write_be<std::uint32_t>(p + 17, 0);
  write_be<std::uint32_t>(p + 17, crc_of_covered(batch));  // as a producer would
  auto h = validate_batch(as_bytes(batch));
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->codec(), compression::zstd);
  EXPECT_EQ(decode_records(as_bytes(batch)).error().code, batch_errc::bad_compressed_data);
}

TEST(RecordBatch, RecordCountLargerThanTheRecordsIsRejected) {
  std::string batch = kFixture;
  auto* p = reinterpret_cast<std::uint8_t*>(batch.data());
  write_be<std::int32_t>(p + 57, 3);
  write_be<std::int32_t>(p + 23, 2);
  write_be<std::uint32_t>(p + 17, crc_of_covered(batch));
  auto r = decode_records(as_bytes(batch));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, batch_errc::bad_records);
}

}  // namespace
}  // namespace tributary::log
