// Decompression of RecordBatch record sections: byte-level fixtures written by other
// implementations (Python's gzip, python-snappy, lz4.frame and zstandard), round trips through the
// libraries' own compressors, Kafka's xerial snappy framing, and every way the bytes can be wrong.
#include "log/compression.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "common/big_endian.h"
#include "common/crc32c.h"

namespace tributary::log {
namespace {

const std::string kText = "tributary tributary tributary";
// kText compressed by Python 3.11's gzip.compress(mtime=0), snappy.compress, lz4.frame.compress and
// zstandard.ZstdCompressor().compress.
const std::string kGzip("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\x2b\x29\xca\x4c\x2a\x2d\x49\x2c\xaa\x54\x28\xc1"
                        "\x64\x01\x00\xfa\x40\x34\x91\x1d\x00\x00\x00",
                        33);
const std::string kSnappy("\x1d\x24\x74\x72\x69\x62\x75\x74\x61\x72\x79\x20\x4a\x0a\x00", 15);
const std::string kLz4("\x04\x22\x4d\x18\x68\x40\x1d\x00\x00\x00\x00\x00\x00\x00\x0e\x13\x00\x00\x00\xaa\x74\x72"
                       "\x69\x62\x75\x74\x61\x72\x79\x20\x0a\x00\x50\x75\x74\x61\x72\x79\x00\x00\x00\x00",
                       42);
const std::string kZstd("\x28\xb5\x2f\xfd\x20\x1d\x85\x00\x00\x50\x74\x72\x69\x62\x75\x74\x61\x72\x79\x20\x01\x00"
                        "\x4d\x0a\x12",
                        25);

constexpr std::size_t kLimit = 1 << 20;

std::string open(compression c, const std::string& bytes, std::size_t limit = kLimit) {
  auto r = decompress(c, as_bytes(bytes), limit);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::string();
}

batch_errc failure_of(compression c, const std::string& bytes, std::size_t limit = kLimit) {
  auto r = decompress(c, as_bytes(bytes), limit);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return batch_errc::bad_records;
  EXPECT_FALSE(r.error().message.empty());
  return r.error().code;
}

// Compressors, for round trips and for batches.
std::string gzip_of(const std::string& in) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, in.size()) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

std::string snappy_block(const std::string& in) {
  std::size_t size = snappy_max_compressed_length(in.size());
  std::string out(size, '\0');
  EXPECT_EQ(snappy_compress(in.data(), in.size(), out.data(), &size), SNAPPY_OK);
  out.resize(size);
  return out;
}

// Kafka's Java client's framing: magic, version 1, compatible version 1, [length][block]...
std::string xerial_of(const std::vector<std::string>& parts) {
  std::string out("\x82SNAPPY\0", 8);
  out += std::string("\0\0\0\1\0\0\0\1", 8);
  for (const auto& part : parts) {
    const std::string block = snappy_block(part);
    std::uint8_t length[4];
    write_be<std::uint32_t>(length, static_cast<std::uint32_t>(block.size()));
    out.append(reinterpret_cast<const char*>(length), 4);
    out += block;
  }
  return out;
}

std::string lz4_of(const std::string& in) {
  std::string out(LZ4F_compressFrameBound(in.size(), nullptr), '\0');
  const auto size = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), nullptr);
  EXPECT_FALSE(LZ4F_isError(size));
  out.resize(size);
  return out;
}

std::string zstd_of(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  const auto size = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_FALSE(ZSTD_isError(size));
  out.resize(size);
  return out;
}

std::string compress(compression c, const std::string& in) {
  switch (c) {
    case compression::gzip: return gzip_of(in);
    case compression::snappy: return xerial_of({in});
    case compression::lz4: return lz4_of(in);
    case compression::zstd: return zstd_of(in);
    case compression::none: break;
  }
  return in;
}

const compression kCodecs[] = {compression::gzip, compression::snappy, compression::lz4, compression::zstd};

TEST(Compression, FixturesFromAnotherImplementationOpen) {
  EXPECT_EQ(open(compression::gzip, kGzip), kText);
  EXPECT_EQ(open(compression::snappy, kSnappy), kText);  // one raw block, as librdkafka writes it
  EXPECT_EQ(open(compression::lz4, kLz4), kText);
  EXPECT_EQ(open(compression::zstd, kZstd), kText);
}

TEST(Compression, RoundTripsLargerThanOneOutputChunk) {
  std::string big;
  for (int i = 0; big.size() < 300 * 1024; ++i) big += "record " + std::to_string(i) + " of a larger batch;";
  for (auto c : kCodecs) EXPECT_EQ(open(c, compress(c, big)), big) << static_cast<int>(c);
}

TEST(Compression, XerialSnappyWithSeveralBlocksAndNone) {
  EXPECT_EQ(open(compression::snappy, xerial_of({"first block, ", "second block"})), "first block, second block");
  EXPECT_EQ(open(compression::snappy, xerial_of({})), "");
}

TEST(Compression, TruncatedInputIsAnError) {
  for (auto c : kCodecs) {
    const std::string whole = compress(c, kText + kText + kText);
    for (std::size_t keep : {std::size_t{0}, std::size_t{1}, whole.size() / 2, whole.size() - 1}) {
      if (c == compression::snappy && keep == 0) continue;  // an empty raw snappy block is valid: see below
      EXPECT_EQ(failure_of(c, whole.substr(0, keep)), batch_errc::bad_compressed_data)
          << static_cast<int>(c) << " cut to " << keep;
    }
  }
}

TEST(Compression, CorruptInputIsAnError) {
  for (auto c : kCodecs) {
    std::string bytes = compress(c, kText + kText);
    for (auto& b : bytes) b = static_cast<char>(b ^ 0x5a);
    EXPECT_EQ(failure_of(c, bytes), batch_errc::bad_compressed_data) << static_cast<int>(c);
  }
  EXPECT_EQ(failure_of(compression::gzip, kGzip + "trailing"), batch_errc::bad_compressed_data);
  EXPECT_EQ(failure_of(compression::zstd, kZstd + "trailing"), batch_errc::bad_compressed_data);
  std::string long_block = xerial_of({kText});
  write_be<std::uint32_t>(reinterpret_cast<std::uint8_t*>(long_block.data()) + 16, 1000);
  EXPECT_EQ(failure_of(compression::snappy, long_block), batch_errc::bad_compressed_data);
}

TEST(Compression, OutputBeyondTheLimitIsRefusedNotAllocated) {
  const std::string zeros(4 << 20, '\0');  // 4 MiB of zeros: a few KiB compressed
  for (auto c : kCodecs) {
    const std::string bomb = compress(c, zeros);
    auto r = decompress(c, as_bytes(bomb), 1 << 20);
    ASSERT_FALSE(r.ok()) << static_cast<int>(c);
    EXPECT_EQ(r.error().code, batch_errc::bad_compressed_data);
    EXPECT_NE(r.error().message.find("exceeds 1048576 bytes"), std::string::npos) << r.error().message;
    EXPECT_EQ(open(c, bomb, 4 << 20), zeros);  // exactly at the limit is fine
  }
}

TEST(Compression, NoneIsNotACodecToDecompress) {
  auto r = decompress(compression::none, as_bytes(kText), kLimit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, batch_errc::bad_compression);
}

// A batch as a producer compresses it: the records section replaced by its compressed form, the
// codec in the attributes, batchLength and CRC fixed.
std::string compressed_batch(const std::vector<record>& records, compression c) {
  const std::string plain = encode_batch(records);
  std::string batch = plain.substr(0, batch_header_size) + compress(c, plain.substr(batch_header_size));
  auto* p = reinterpret_cast<std::uint8_t*>(batch.data());
  write_be<std::int32_t>(p + 8, static_cast<std::int32_t>(batch.size() - batch_length_offset));
  write_be<std::int16_t>(p + 21, static_cast<std::int16_t>(c));
  write_be<std::uint32_t>(p + 17, crc32c(p + 21, batch.size() - 21));
  return batch;
}

TEST(Compression, DecodeRecordsOpensCompressedBatches) {
  std::vector<record> records(3);
  for (int i = 0; i < 3; ++i) {
    records[i].timestamp = 1700000000000 + i;
    records[i].key = "device-" + std::to_string(i);
    records[i].value = "{\"n\": " + std::to_string(i) + "}";
    records[i].headers = {{"subject", std::string("setVolume")}, {"empty", std::nullopt}};
  }
  for (auto c : kCodecs) {
    const std::string batch = compressed_batch(records, c);
    auto h = validate_batch(as_bytes(batch));
    ASSERT_TRUE(h.ok()) << h.error().message;
    ASSERT_EQ(h->codec(), c);
    auto decoded = decode_records(as_bytes(batch));
    ASSERT_TRUE(decoded.ok()) << static_cast<int>(c) << ": " << decoded.error().message;
    ASSERT_EQ(decoded->size(), 3u);
    for (int i = 0; i < 3; ++i) {
      record expected = records[i];
      expected.offset = i;
      EXPECT_EQ((*decoded)[i], expected);
    }
  }
}

}  // namespace
}  // namespace tributary::log
