// Kafka wire primitives, sans I/O: a bounded `reader` over received bytes and a `writer` that appends
// to a std::string. Both are plain values used by one thread at a time; the reader borrows the span
// it reads (the caller keeps the bytes alive). Neither throws on malformed input: the reader records
// its first failure (what, at which byte, in which field) and from then on returns zero values
// without moving; the writer records its first failure likewise. The generated message codecs
// (build dir, kafka/protocol/messages/) are built on these and on nothing else.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tributary::kafka::protocol {

using uuid = std::array<std::uint8_t, 16>;

enum class decode_errc {
  truncated = 1,          // a field needs more bytes than remain
  invalid_length,         // a length or count below -1, -1 where null is not allowed, or larger than what remains
  invalid_varint,         // a varint longer than its type allows or out of its type's range
  invalid_tagged_fields,  // tags not strictly increasing, or a known tag whose size disagrees with its content
  unsupported_version,    // the message has no such version
};
std::string_view to_string(decode_errc code);

// code + "<Message> v<version>: <what> at byte <n> (field <struct.field>)".
using decode_error = coded_error<decode_errc>;

template <typename T>
using decode_result = result<T, decode_error>;

class reader {
 public:
  explicit reader(std::span<const std::uint8_t> bytes, std::size_t base_offset = 0)
      : data_(bytes.data()), size_(bytes.size()), base_(base_offset) {}

  std::size_t position() const { return base_ + pos_; }  // bytes consumed, counted from the outermost reader
  std::size_t remaining() const { return size_ - pos_; }
  bool at_end() const { return pos_ == size_; }
  bool ok() const { return !failed_; }

  // The first failure; meaningful only when !ok().
  decode_errc error_code() const { return code_; }
  std::size_t error_position() const { return fail_pos_; }
  std::string_view error_field() const { return fail_field_ ? std::string_view(fail_field_) : std::string_view(); }
  const std::string& error_detail() const { return detail_; }
  // The failure as a decode_error naming the message and version.
  decode_error error(std::string_view message, std::int16_t version) const;

  // Names the field about to be read, so that a failure can say where it happened. Not copied:
  // pass a string literal.
  void field(const char* name) { field_ = name; }
  void fail(decode_errc code, std::string detail);

  std::int8_t int8();
  std::int16_t int16();
  std::uint16_t uint16();
  std::int32_t int32();
  std::uint32_t uint32();
  std::int64_t int64();
  double float64();
  bool boolean();  // any non-zero byte is true, as Kafka reads it
  protocol::uuid uuid();

  std::uint32_t uvarint();  // unsigned LEB128, at most 5 bytes and 32 bits
  std::int32_t varint();    // zigzag
  std::int64_t varlong();   // zigzag

  // STRING / COMPACT_STRING; null is an invalid_length failure.
  std::string string(bool compact);
  // NULLABLE_STRING / COMPACT_NULLABLE_STRING.
  std::optional<std::string> nullable_string(bool compact);
  // BYTES / COMPACT_BYTES (int32 or uvarint length); null is an invalid_length failure.
  std::string bytes(bool compact);
  std::optional<std::string> nullable_bytes(bool compact);

  // ARRAY / COMPACT_ARRAY element count: -1 for null (only when `nullable`, else a failure), 0 on
  // failure. The count is checked against the remaining bytes at `min_element_size` bytes per
  // element (at least 1) before anyone allocates for it.
  std::int32_t array_length(bool compact, bool nullable, std::size_t min_element_size);

  // TAG_BUFFER: the number of tagged fields, then per field next_tag() and either a sub-reader over
  // its bytes (known tag) or skip().
  std::uint32_t tagged_field_count();
  struct tag_header {
    std::uint32_t tag;
    std::uint32_t size;
  };
  // Reads {tag, size}; tags must be strictly increasing (KIP-482) and size must fit what remains.
  // Returns false on failure. `previous` holds the last tag seen, -1 before the first.
  bool next_tag(tag_header& out, std::int64_t& previous);
  void skip(std::size_t n);
  // Consumes n bytes and returns a reader over exactly them (positions stay absolute).
  reader sub(std::size_t n);
  // After decoding a known tagged field from `sub`: adopts its failure, or fails if it left bytes.
  void finish_sub(const reader& sub);

 private:
  bool need(std::size_t n);
  template <typename T>
  T fixed();
  std::int64_t length_prefix(bool compact, bool is_bytes);  // -1 = null; -2 = failed

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t base_;
  std::size_t pos_ = 0;
  const char* field_ = nullptr;
  bool failed_ = false;
  decode_errc code_{};
  std::size_t fail_pos_ = 0;
  const char* fail_field_ = nullptr;
  std::string detail_;
};

class writer {
 public:
  explicit writer(std::string& out) : out_(&out) {}

  std::string& buffer() { return *out_; }
  const std::string& buffer() const { return *out_; }
  std::size_t size() const { return out_->size(); }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }  // the first failure, empty when ok()
  void fail(std::string what);

  void int8(std::int8_t v) { out_->push_back(static_cast<char>(v)); }
  void int16(std::int16_t v);
  void uint16(std::uint16_t v);
  void int32(std::int32_t v);
  void uint32(std::uint32_t v);
  void int64(std::int64_t v);
  void float64(double v);
  void boolean(bool v) { out_->push_back(v ? 1 : 0); }
  void uuid(const protocol::uuid& v) { out_->append(reinterpret_cast<const char*>(v.data()), v.size()); }

  void uvarint(std::uint32_t v);
  void varint(std::int32_t v);
  void varlong(std::int64_t v);

  // Lengths that do not fit the prefix (int16 for STRING) are a failure, not a truncation.
  void string(std::string_view s, bool compact);
  void nullable_string(const std::optional<std::string>& s, bool compact);
  void bytes(std::string_view b, bool compact);
  void nullable_bytes(const std::optional<std::string>& b, bool compact);
  void array_length(std::size_t n, bool compact);
  void null_array(bool compact);
  void raw(std::string_view b) { out_->append(b); }

  // Appends one tagged field {tag, size, value's bytes} and adopts value's failure.
  void tagged_field(std::uint32_t tag, const writer& value);

 private:
  template <typename T>
  void fixed(T v);

  std::string* out_;
  std::string error_;
};

}  // namespace tributary::kafka::protocol
