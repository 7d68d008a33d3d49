// Kafka wire primitives: bounds-checked reads (every length checked against what remains before
// anything is allocated) and appending writes. Encodings per Kafka's protocol guide (KIP-482 for
// the compact and tagged forms). No I/O, no exceptions for malformed input, no knowledge of messages.
#include "kafka/protocol/wire.h"

#include <bit>
#include <limits>

#include "common/big_endian.h"
#include "common/varint.h"

namespace tributary::kafka::protocol {

std::string_view to_string(decode_errc code) {
  switch (code) {
    case decode_errc::truncated:
      return "truncated";
    case decode_errc::invalid_length:
      return "invalid length";
    case decode_errc::invalid_varint:
      return "invalid varint";
    case decode_errc::invalid_tagged_fields:
      return "invalid tagged fields";
    case decode_errc::unsupported_version:
      return "unsupported version";
  }
  return "unknown decode error";
}

// ---- reader ---------------------------------------------------------------------------------------

decode_error reader::error(std::string_view message, std::int16_t version) const {
  std::string text;
  text.append(message).append(" v").append(std::to_string(version)).append(": ");
  text.append(to_string(code_)).append(" at byte ").append(std::to_string(fail_pos_));
  if (fail_field_) text.append(" in ").append(fail_field_);
  if (!detail_.empty()) text.append(": ").append(detail_);
  return decode_error{code_, std::move(text)};
}

void reader::fail(decode_errc code, std::string detail) {
  if (failed_) return;
  failed_ = true;
  code_ = code;
  fail_pos_ = position();
  fail_field_ = field_;
  detail_ = std::move(detail);
}

bool reader::need(std::size_t n) {
  if (failed_) return false;
  if (n > remaining()) {
    fail(decode_errc::truncated,
         "need " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " remain");
    return false;
  }
  return true;
}

std::int8_t reader::int8() {
  if (!need(1)) return 0;
  return static_cast<std::int8_t>(data_[pos_++]);
}

template <typename T>
T reader::fixed() {
  if (!need(sizeof(T))) return 0;
  const T v = read_be<T>(data_ + pos_);
  pos_ += sizeof(T);
  return v;
}

std::int16_t reader::int16() { return fixed<std::int16_t>(); }
std::uint16_t reader::uint16() { return fixed<std::uint16_t>(); }
std::int32_t reader::int32() { return fixed<std::int32_t>(); }
std::uint32_t reader::uint32() { return fixed<std::uint32_t>(); }
std::int64_t reader::int64() { return fixed<std::int64_t>(); }

double reader::float64() { return std::bit_cast<double>(fixed<std::uint64_t>()); }

bool reader::boolean() { return int8() != 0; }

uuid reader::uuid() {
  protocol::uuid v{};
  if (!need(v.size())) return v;
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = data_[pos_ + i];
  pos_ += v.size();
  return v;
}

namespace {

// A varint decoder said no: either the bytes ran out before a terminating byte (truncated) or the
// encoding is longer or larger than the type allows.
decode_errc classify_varint_failure(const std::uint8_t* p, std::size_t remaining, std::size_t max_bytes) {
  for (std::size_t i = 0; i < remaining && i < max_bytes; ++i) {
    if ((p[i] & 0x80) == 0) return decode_errc::invalid_varint;
  }
  return remaining < max_bytes ? decode_errc::truncated : decode_errc::invalid_varint;
}

}  // namespace

std::uint32_t reader::uvarint() {
  if (failed_) return 0;
  const auto d = decode_uvarint(data_ + pos_, data_ + size_);
  if (!d || static_cast<std::uint64_t>(d->value) > std::numeric_limits<std::uint32_t>::max()) {
    fail(d ? decode_errc::invalid_varint : classify_varint_failure(data_ + pos_, remaining(), 5),
         "unsigned varint");
    return 0;
  }
  pos_ += d->size;
  return static_cast<std::uint32_t>(d->value);
}

std::int32_t reader::varint() {
  if (failed_) return 0;
  const auto d = decode_varint(data_ + pos_, data_ + size_);
  if (!d) {
    fail(classify_varint_failure(data_ + pos_, remaining(), 5), "varint");
    return 0;
  }
  pos_ += d->size;
  return static_cast<std::int32_t>(d->value);
}

std::int64_t reader::varlong() {
  if (failed_) return 0;
  const auto d = decode_varlong(data_ + pos_, data_ + size_);
  if (!d) {
    fail(classify_varint_failure(data_ + pos_, remaining(), 10), "varlong");
    return 0;
  }
  pos_ += d->size;
  return d->value;
}

std::int64_t reader::length_prefix(bool compact, bool is_bytes) {
  if (failed_) return -2;
  const std::size_t start = pos_;
  std::int64_t length;
  if (compact) {
    length = static_cast<std::int64_t>(uvarint()) - 1;
  } else {
    length = is_bytes ? int32() : int16();
  }
  if (failed_) return -2;
  if (length < -1) {
    pos_ = start;
    fail(decode_errc::invalid_length, "length " + std::to_string(length));
    return -2;
  }
  if (length > static_cast<std::int64_t>(remaining())) {
    const std::size_t left = remaining();
    pos_ = start;
    fail(decode_errc::invalid_length,
         "length " + std::to_string(length) + " but " + std::to_string(left) + " bytes remain");
    return -2;
  }
  return length;
}

std::optional<std::string> reader::nullable_string(bool compact) {
  const std::int64_t n = length_prefix(compact, false);
  if (n < 0) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(data_ + pos_), static_cast<std::size_t>(n));
  pos_ += static_cast<std::size_t>(n);
  return s;
}

std::string reader::string(bool compact) {
  const std::size_t start = pos_;
  auto s = nullable_string(compact);
  if (!s) {
    if (!failed_) {
      pos_ = start;
      fail(decode_errc::invalid_length, "null string where null is not allowed");
    }
    return {};
  }
  return std::move(*s);
}

std::optional<std::string> reader::nullable_bytes(bool compact) {
  const std::int64_t n = length_prefix(compact, true);
  if (n < 0) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(data_ + pos_), static_cast<std::size_t>(n));
  pos_ += static_cast<std::size_t>(n);
  return s;
}

std::string reader::bytes(bool compact) {
  const std::size_t start = pos_;
  auto b = nullable_bytes(compact);
  if (!b) {
    if (!failed_) {
      pos_ = start;
      fail(decode_errc::invalid_length, "null bytes where null is not allowed");
    }
    return {};
  }
  return std::move(*b);
}

std::int32_t reader::array_length(bool compact, bool nullable, std::size_t min_element_size) {
  if (failed_) return 0;
  const std::size_t start = pos_;
  std::int64_t count = compact ? static_cast<std::int64_t>(uvarint()) - 1 : int32();
  if (failed_) return 0;
  if (count == -1) {
    if (nullable) return -1;
    pos_ = start;
    fail(decode_errc::invalid_length, "null array where null is not allowed");
    return 0;
  }
  if (count < -1) {
    pos_ = start;
    fail(decode_errc::invalid_length, "array length " + std::to_string(count));
    return 0;
  }
  const std::uint64_t per = min_element_size == 0 ? 1 : min_element_size;
  if (static_cast<std::uint64_t>(count) > remaining() / per) {
    const std::size_t left = remaining();
    pos_ = start;
    fail(decode_errc::invalid_length,
         "array of " + std::to_string(count) + " elements but " + std::to_string(left) + " bytes remain");
    return 0;
  }
  return static_cast<std::int32_t>(count);
}

std::uint32_t reader::tagged_field_count() {
  const std::size_t start = pos_;
  const std::uint32_t n = uvarint();
  if (failed_) return 0;
  // Each tagged field takes at least two bytes: its tag and its size.
  if (n > remaining() / 2) {
    const std::size_t left = remaining();
    pos_ = start;
    fail(decode_errc::invalid_length, std::to_string(n) + " tagged fields but " + std::to_string(left) + " bytes remain");
    return 0;
  }
  return n;
}

bool reader::next_tag(tag_header& out, std::int64_t& previous) {
  const std::size_t start = pos_;
  out.tag = uvarint();
  out.size = uvarint();
  if (failed_) return false;
  if (static_cast<std::int64_t>(out.tag) <= previous) {
    pos_ = start;
    fail(decode_errc::invalid_tagged_fields,
         "tag " + std::to_string(out.tag) + " after tag " + std::to_string(previous));
    return false;
  }
  if (out.size > remaining()) {
    const std::size_t left = remaining();
    pos_ = start;
    fail(decode_errc::invalid_length, "tagged field " + std::to_string(out.tag) + " of " + std::to_string(out.size) +
                                          " bytes but " + std::to_string(left) + " remain");
    return false;
  }
  previous = out.tag;
  return true;
}

void reader::skip(std::size_t n) {
  if (!need(n)) return;
  pos_ += n;
}

reader reader::sub(std::size_t n) {
  if (!need(n)) return reader(std::span<const std::uint8_t>(), position());
  reader r(std::span<const std::uint8_t>(data_ + pos_, n), position());
  r.field_ = field_;
  pos_ += n;
  return r;
}

void reader::finish_sub(const reader& sub) {
  if (failed_) return;
  if (!sub.ok()) {
    failed_ = true;
    code_ = sub.code_;
    fail_pos_ = sub.fail_pos_;
    fail_field_ = sub.fail_field_;
    detail_ = sub.detail_;
    return;
  }
  if (!sub.at_end()) {
    fail(decode_errc::invalid_tagged_fields,
         "tagged field has " + std::to_string(sub.remaining()) + " bytes after its value");
  }
}

// ---- writer ---------------------------------------------------------------------------------------

void writer::fail(std::string what) {
  if (error_.empty()) error_ = what.empty() ? std::string("encode failed") : std::move(what);
}

template <typename T>
void writer::fixed(T v) {
  std::uint8_t b[sizeof(T)];
  write_be<T>(b, v);
  out_->append(reinterpret_cast<const char*>(b), sizeof(T));
}

void writer::int16(std::int16_t v) { fixed(v); }
void writer::uint16(std::uint16_t v) { fixed(v); }
void writer::int32(std::int32_t v) { fixed(v); }
void writer::uint32(std::uint32_t v) { fixed(v); }
void writer::int64(std::int64_t v) { fixed(v); }

void writer::float64(double v) { fixed(std::bit_cast<std::uint64_t>(v)); }

void writer::uvarint(std::uint32_t v) { append_uvarint(*out_, v); }
void writer::varint(std::int32_t v) { append_varlong(*out_, v); }
void writer::varlong(std::int64_t v) { append_varlong(*out_, v); }

void writer::string(std::string_view s, bool compact) {
  if (compact) {
    if (s.size() >= std::numeric_limits<std::uint32_t>::max()) {
      fail("string of " + std::to_string(s.size()) + " bytes is too long");
      return;
    }
    uvarint(static_cast<std::uint32_t>(s.size() + 1));
  } else {
    if (s.size() > static_cast<std::size_t>(std::numeric_limits<std::int16_t>::max())) {
      fail("string of " + std::to_string(s.size()) + " bytes does not fit an int16 length");
      return;
    }
    int16(static_cast<std::int16_t>(s.size()));
  }
  out_->append(s);
}

void writer::nullable_string(const std::optional<std::string>& s, bool compact) {
  if (s) {
    string(*s, compact);
  } else if (compact) {
    uvarint(0);
  } else {
    int16(-1);
  }
}

void writer::bytes(std::string_view b, bool compact) {
  if (compact) {
    if (b.size() >= std::numeric_limits<std::uint32_t>::max()) {
      fail("bytes of " + std::to_string(b.size()) + " bytes are too long");
      return;
    }
    uvarint(static_cast<std::uint32_t>(b.size() + 1));
  } else {
    if (b.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
      fail("bytes of " + std::to_string(b.size()) + " bytes do not fit an int32 length");
      return;
    }
    int32(static_cast<std::int32_t>(b.size()));
  }
  out_->append(b);
}

void writer::nullable_bytes(const std::optional<std::string>& b, bool compact) {
  if (b) {
    bytes(*b, compact);
  } else if (compact) {
    uvarint(0);
  } else {
    int32(-1);
  }
}

void writer::array_length(std::size_t n, bool compact) {
  if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    fail("array of " + std::to_string(n) + " elements is too long");
    return;
  }
  if (compact) {
    uvarint(static_cast<std::uint32_t>(n + 1));
  } else {
    int32(static_cast<std::int32_t>(n));
  }
}

void writer::null_array(bool compact) {
  if (compact) {
    uvarint(0);
  } else {
    int32(-1);
  }
}

void writer::tagged_field(std::uint32_t tag, const writer& value) {
  if (!value.ok()) fail(value.error());
  const std::string& bytes = value.buffer();
  if (bytes.size() > std::numeric_limits<std::uint32_t>::max()) {
    fail("tagged field " + std::to_string(tag) + " is too long");
    return;
  }
  uvarint(tag);
  uvarint(static_cast<std::uint32_t>(bytes.size()));
  out_->append(bytes);
}

}  // namespace tributary::kafka::protocol
