#include "log/record_batch.h"

#include "common/big_endian.h"
#include "common/crc32c.h"
#include "common/varint.h"
#include "log/compression.h"

namespace tributary::log {
namespace {

constexpr std::size_t crc_offset = 17;
constexpr std::size_t crc_covered_from = 21;

batch_error error(batch_errc code, std::string message) { return {code, std::move(message)}; }

// A record's offset and timestamp are a base plus a delta. Kafka computes them in Java long arithmetic,
// which wraps; so do these, rather than overflow (undefined behaviour) on a batch whose CRC is right
// but whose values are extreme. Wrapping also lets encode_batch re-encode any decoded records exactly.
std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t wrapping_sub(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}

void put_i8(std::string& out, std::int8_t v) { out.push_back(static_cast<char>(v)); }
template <typename T>
void put_be(std::string& out, T v) {
  std::uint8_t buf[sizeof(T)];
  write_be(buf, v);
  out.append(reinterpret_cast<const char*>(buf), sizeof(T));
}

void put_bytes(std::string& out, const std::optional<std::string>& bytes) {
  if (!bytes) {
    append_varlong(out, -1);
    return;
  }
  append_varlong(out, static_cast<std::int64_t>(bytes->size()));
  out += *bytes;
}

// A bounded cursor over the records section of a batch (decompressed first if need be).
class reader {
 public:
  reader(const std::uint8_t* p, const std::uint8_t* end) : p_(p), end_(end) {}
  std::optional<std::int64_t> varint() { return take(decode_varint(p_, end_)); }
  std::optional<std::int64_t> varlong() { return take(decode_varlong(p_, end_)); }
  bool i8() {
    if (p_ >= end_) return false;
    ++p_;
    return true;
  }
  // Nullable bytes with a varint length; false when malformed.
  bool bytes(std::optional<std::string>& out) {
    auto len = varint();
    if (!len || *len < -1) return false;
    if (*len == -1) {
      out.reset();
      return true;
    }
    if (static_cast<std::size_t>(end_ - p_) < static_cast<std::size_t>(*len)) return false;
    out.emplace(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(*len));
    p_ += *len;
    return true;
  }
  const std::uint8_t* position() const { return p_; }
  void seek(const std::uint8_t* p) { p_ = p; }

 private:
  std::optional<std::int64_t> take(std::optional<decoded_varint> d) {
    if (!d) return std::nullopt;
    p_ += d->size;
    return d->value;
  }
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace

result<batch_header, batch_error> parse_batch_header(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < batch_header_size) {
    return fail(error(batch_errc::truncated, "batch header needs 61 bytes, " + std::to_string(bytes.size()) + " present"));
  }
  const std::uint8_t* p = bytes.data();
  batch_header h;
  h.base_offset = read_be<std::int64_t>(p);
  h.batch_length = read_be<std::int32_t>(p + 8);
  if (h.batch_length < static_cast<std::int32_t>(batch_header_size - batch_length_offset) ||
      static_cast<std::size_t>(h.batch_length) > max_batch_size) {
    return fail(error(batch_errc::bad_length, "batchLength " + std::to_string(h.batch_length) + " out of range"));
  }
  h.partition_leader_epoch = read_be<std::int32_t>(p + 12);
  h.magic = static_cast<std::int8_t>(p[16]);
  if (h.magic != 2) return fail(error(batch_errc::bad_magic, "magic " + std::to_string(h.magic) + ", expected 2"));
  h.crc = read_be<std::uint32_t>(p + crc_offset);
  h.attributes = read_be<std::int16_t>(p + 21);
  h.last_offset_delta = read_be<std::int32_t>(p + 23);
  h.base_timestamp = read_be<std::int64_t>(p + 27);
  h.max_timestamp = read_be<std::int64_t>(p + 35);
  h.producer_id = read_be<std::int64_t>(p + 43);
  h.producer_epoch = read_be<std::int16_t>(p + 51);
  h.base_sequence = read_be<std::int32_t>(p + 53);
  h.record_count = read_be<std::int32_t>(p + 57);
  return h;
}

namespace {

result<batch_header, batch_error> check_batch(std::span<const std::uint8_t> bytes, crc_check crc) {
  auto h = parse_batch_header(bytes);
  if (!h) return h;
  if (bytes.size() < h->size()) {
    return fail(error(batch_errc::truncated, "batch of " + std::to_string(h->size()) + " bytes, " +
                                                 std::to_string(bytes.size()) + " present"));
  }
  if (bytes.size() > h->size()) {
    return fail(error(batch_errc::bad_length, "batchLength " + std::to_string(h->batch_length) + " leaves " +
                                                  std::to_string(bytes.size() - h->size()) + " trailing bytes"));
  }
  if (crc == crc_check::verify &&
      crc32c(bytes.data() + crc_covered_from, h->size() - crc_covered_from) != h->crc) {
    return fail(error(batch_errc::bad_crc, "CRC-32C mismatch"));
  }
  if (static_cast<int>(h->codec()) > 4) {
    return fail(error(batch_errc::bad_compression, "compression codec " + std::to_string(static_cast<int>(h->codec()))));
  }
  if (h->record_count < 0 || h->last_offset_delta < 0 ||
      (h->record_count > 0 && h->last_offset_delta < h->record_count - 1)) {
    return fail(error(batch_errc::bad_records, "record count " + std::to_string(h->record_count) +
                                                   " inconsistent with lastOffsetDelta " +
                                                   std::to_string(h->last_offset_delta)));
  }
  return h;
}

}  // namespace

result<batch_header, batch_error> validate_batch(std::span<const std::uint8_t> bytes) {
  return check_batch(bytes, crc_check::verify);
}

void set_base_offset(std::span<std::uint8_t> batch, std::int64_t base_offset) { write_be(batch.data(), base_offset); }

std::string encode_batch(std::span<const record> records, std::int64_t producer_id, std::int16_t producer_epoch,
                         std::int32_t base_sequence) {
  std::int64_t base_ts = records.empty() ? 0 : records.front().timestamp;
  std::int64_t max_ts = base_ts;
  for (const auto& r : records) {
    base_ts = std::min(base_ts, r.timestamp);
    max_ts = std::max(max_ts, r.timestamp);
  }
  // Sizes first, so the batch is built in one allocation without an intermediate copy per record.
  auto bytes_size = [](const std::optional<std::string>& b) {
    return b ? varlong_size(static_cast<std::int64_t>(b->size())) + b->size() : varlong_size(-1);
  };
  std::vector<std::size_t> body_sizes(records.size());
  std::size_t total = batch_header_size;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const record& r = records[i];
    std::size_t n = 1 + varlong_size(wrapping_sub(r.timestamp, base_ts)) + varlong_size(static_cast<std::int64_t>(i)) +
                    bytes_size(r.key) + bytes_size(r.value) + varlong_size(static_cast<std::int64_t>(r.headers.size()));
    for (const auto& h : r.headers) {
      n += varlong_size(static_cast<std::int64_t>(h.key.size())) + h.key.size() + bytes_size(h.value);
    }
    body_sizes[i] = n;
    total += varlong_size(static_cast<std::int64_t>(n)) + n;
  }
  std::string out;
  out.reserve(total);
  out.resize(batch_header_size);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const record& r = records[i];
    append_varlong(out, static_cast<std::int64_t>(body_sizes[i]));
    put_i8(out, 0);  // attributes
    append_varlong(out, wrapping_sub(r.timestamp, base_ts));
    append_varlong(out, static_cast<std::int64_t>(i));
    put_bytes(out, r.key);
    put_bytes(out, r.value);
    append_varlong(out, static_cast<std::int64_t>(r.headers.size()));
    for (const auto& h : r.headers) {
      append_varlong(out, static_cast<std::int64_t>(h.key.size()));
      out += h.key;
      put_bytes(out, h.value);
    }
  }
  auto* p = reinterpret_cast<std::uint8_t*>(out.data());
  write_be<std::int64_t>(p, 0);
  write_be<std::int32_t>(p + 8, static_cast<std::int32_t>(out.size() - batch_length_offset));
  write_be<std::int32_t>(p + 12, 0);
  p[16] = 2;
  write_be<std::int16_t>(p + 21, 0);
  write_be<std::int32_t>(p + 23, static_cast<std::int32_t>(records.empty() ? 0 : records.size() - 1));
  write_be<std::int64_t>(p + 27, base_ts);
  write_be<std::int64_t>(p + 35, max_ts);
  write_be<std::int64_t>(p + 43, producer_id);
  write_be<std::int16_t>(p + 51, producer_epoch);
  write_be<std::int32_t>(p + 53, base_sequence);
  write_be<std::int32_t>(p + 57, static_cast<std::int32_t>(records.size()));
  write_be<std::uint32_t>(p + crc_offset, crc32c(p + crc_covered_from, out.size() - crc_covered_from));
  return out;
}

result<std::vector<record>, batch_error> decode_records(std::span<const std::uint8_t> batch, crc_check crc) {
  auto h = check_batch(batch, crc);
  if (!h) return fail(h.error());
  std::span<const std::uint8_t> section = batch.subspan(batch_header_size, h->size() - batch_header_size);
  std::string decompressed;
  if (h->codec() != compression::none) {
    auto opened = decompress(h->codec(), section, max_batch_size);
    if (!opened) return fail(opened.error());
    decompressed = std::move(*opened);
    section = as_bytes(decompressed);
  }
  std::vector<record> out;
  // Each record takes at least 7 bytes; never trust the count for the allocation.
  out.reserve(std::min<std::size_t>(static_cast<std::size_t>(h->record_count), section.size() / 7));
  const std::uint8_t* end = section.data() + section.size();
  reader in(section.data(), end);
  auto bad = [&](const std::string& what) {
    return fail(error(batch_errc::bad_records, "record " + std::to_string(out.size()) + ": " + what));
  };
  for (std::int32_t i = 0; i < h->record_count; ++i) {
    auto length = in.varint();
    if (!length || *length < 0 || *length > end - in.position()) return bad("bad length");
    const std::uint8_t* record_end = in.position() + *length;
    reader r(in.position(), record_end);
    record rec;
    auto ts_delta = (r.i8() ? r.varlong() : std::nullopt);
    auto offset_delta = r.varint();
    if (!ts_delta || !offset_delta) return bad("bad timestamp or offset delta");
    rec.timestamp = wrapping_add(h->base_timestamp, *ts_delta);
    rec.offset = wrapping_add(h->base_offset, *offset_delta);
    if (!r.bytes(rec.key) || !r.bytes(rec.value)) return bad("bad key or value");
    auto header_count = r.varint();
    if (!header_count || *header_count < 0 || *header_count > record_end - r.position()) return bad("bad header count");
    for (std::int64_t k = 0; k < *header_count; ++k) {
      std::optional<std::string> key;
      header hd;
      if (!r.bytes(key) || !key || !r.bytes(hd.value)) return bad("bad header");
      hd.key = std::move(*key);
      rec.headers.push_back(std::move(hd));
    }
    if (r.position() != record_end) return bad("length does not match its fields");
    in.seek(record_end);
    out.push_back(std::move(rec));
  }
  if (in.position() != end) return fail(error(batch_errc::bad_records, "bytes left after the last record"));
  return out;
}

}  // namespace tributary::log
