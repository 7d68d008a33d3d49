#include "log/compression.h"

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "common/big_endian.h"

namespace tributary::log {

namespace {

constexpr std::size_t chunk = 64 * 1024;

failure<batch_error> bad(compression codec, const std::string& what) {
  static constexpr const char* names[] = {"none", "gzip", "snappy", "lz4", "zstd"};
  const auto i = static_cast<std::size_t>(codec);
  return fail(batch_error{batch_errc::bad_compressed_data,
                          std::string(i < 5 ? names[i] : "unknown") + " records: " + what});
}

std::string too_large(std::size_t max_output) {
  return "decompressed size exceeds " + std::to_string(max_output) + " bytes";
}

// Grows `out` by up to one chunk without passing max_output; false when it is already there.
bool grow(std::string& out, std::size_t& used, std::size_t max_output) {
  if (used == max_output) return false;
  out.resize(std::min(max_output, used + chunk));
  return true;
}

result<std::string, batch_error> gunzip(std::span<const std::uint8_t> in, std::size_t max_output) {
  z_stream s{};
  if (inflateInit2(&s, 15 + 32) != Z_OK) return bad(compression::gzip, "cannot initialise zlib");  // 32: gzip or zlib header
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&s, inflateEnd);
  s.next_in = const_cast<Bytef*>(in.data());
  s.avail_in = static_cast<uInt>(in.size());
  std::string out;
  std::size_t used = 0;
  for (;;) {
    if (used == out.size() && !grow(out, used, max_output)) return bad(compression::gzip, too_large(max_output));
    s.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    s.avail_out = static_cast<uInt>(out.size() - used);
    const int rc = inflate(&s, Z_NO_FLUSH);
    used = out.size() - s.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && s.avail_in == 0) return bad(compression::gzip, "data ends before the stream does");
    if (rc != Z_OK && rc != Z_BUF_ERROR) return bad(compression::gzip, s.msg ? s.msg : "corrupt data");
  }
  if (s.avail_in != 0) return bad(compression::gzip, "bytes after the end of the stream");
  out.resize(used);
  return out;
}

// One raw snappy block appended to `out`.
result<void, batch_error> unsnappy_block(std::span<const std::uint8_t> block, std::string& out, std::size_t max_output) {
  const char* p = reinterpret_cast<const char*>(block.data());
  std::size_t length = 0;
  if (snappy_uncompressed_length(p, block.size(), &length) != SNAPPY_OK) {
    return bad(compression::snappy, "corrupt block header");
  }
  if (length > max_output - out.size()) return bad(compression::snappy, too_large(max_output));
  const std::size_t at = out.size();
  out.resize(at + length);
  if (snappy_uncompress(p, block.size(), out.data() + at, &length) != SNAPPY_OK) {
    return bad(compression::snappy, "corrupt block");
  }
  out.resize(at + length);
  return {};
}

// Kafka's Java client writes snappy in the xerial framing: an 8-byte magic, two 4-byte versions,
// then blocks of [4-byte big-endian length][raw snappy]. Without the magic it is one raw block.
result<std::string, batch_error> unsnappy(std::span<const std::uint8_t> in, std::size_t max_output) {
  static constexpr std::uint8_t magic[] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
  constexpr std::size_t framing_header = sizeof magic + 8;
  std::string out;
  if (in.size() < sizeof magic || std::memcmp(in.data(), magic, sizeof magic) != 0) {
    if (auto r = unsnappy_block(in, out, max_output); !r) return fail(r.error());
    return out;
  }
  if (in.size() < framing_header) return bad(compression::snappy, "xerial header cut short");
  for (auto rest = in.subspan(framing_header); !rest.empty();) {
    if (rest.size() < 4) return bad(compression::snappy, "block length cut short");
    const auto length = read_be<std::uint32_t>(rest.data());
    if (length > rest.size() - 4) return bad(compression::snappy, "block longer than the data");
    if (auto r = unsnappy_block(rest.subspan(4, length), out, max_output); !r) return fail(r.error());
    rest = rest.subspan(4 + length);
  }
  return out;
}

result<std::string, batch_error> unlz4(std::span<const std::uint8_t> in, std::size_t max_output) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return bad(compression::lz4, "cannot create a decompression context");
  }
  std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> ctx(raw, LZ4F_freeDecompressionContext);
  std::string out;
  std::size_t used = 0;
  std::size_t pos = 0;
  std::size_t hint = 1;  // 0 once a frame is complete
  while (pos < in.size() || hint != 0) {
    if (used == out.size() && !grow(out, used, max_output)) return bad(compression::lz4, too_large(max_output));
    std::size_t out_size = out.size() - used;
    std::size_t in_size = in.size() - pos;
    hint = LZ4F_decompress(ctx.get(), out.data() + used, &out_size, in.data() + pos, &in_size, nullptr);
    if (LZ4F_isError(hint)) return bad(compression::lz4, LZ4F_getErrorName(hint));
    used += out_size;
    pos += in_size;
    if (in_size == 0 && out_size == 0 && hint != 0) {
      return bad(compression::lz4, pos == in.size() ? "data ends before the frame does" : "the decoder is stuck");
    }
  }
  out.resize(used);
  return out;
}

result<std::string, batch_error> unzstd(std::span<const std::uint8_t> in, std::size_t max_output) {
  std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> ds(ZSTD_createDStream(), ZSTD_freeDStream);
  if (!ds || ZSTD_isError(ZSTD_initDStream(ds.get()))) return bad(compression::zstd, "cannot create a stream");
  std::string out;
  std::size_t used = 0;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::size_t hint = 1;  // 0 once a frame is complete and flushed
  while (input.pos < input.size || hint != 0) {
    if (used == out.size() && !grow(out, used, max_output)) return bad(compression::zstd, too_large(max_output));
    ZSTD_outBuffer output{out.data() + used, out.size() - used, 0};
    const std::size_t in_before = input.pos;
    hint = ZSTD_decompressStream(ds.get(), &output, &input);
    if (ZSTD_isError(hint)) return bad(compression::zstd, ZSTD_getErrorName(hint));
    used += output.pos;
    if (hint != 0 && input.pos == input.size && output.pos < output.size && input.pos == in_before) {
      return bad(compression::zstd, "data ends before the frame does");
    }
  }
  out.resize(used);
  return out;
}

}  // namespace

result<std::string, batch_error> decompress(compression codec, std::span<const std::uint8_t> compressed,
                                            std::size_t max_output) {
  switch (codec) {
    case compression::gzip: return gunzip(compressed, max_output);
    case compression::snappy: return unsnappy(compressed, max_output);
    case compression::lz4: return unlz4(compressed, max_output);
    case compression::zstd: return unzstd(compressed, max_output);
    case compression::none: break;
  }
  return fail(batch_error{batch_errc::bad_compression,
                          "compression codec " + std::to_string(static_cast<int>(codec)) + " has nothing to decompress"});
}

}  // namespace tributary::log
