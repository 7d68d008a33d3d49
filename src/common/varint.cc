#include "common/varint.h"

namespace tributary {
namespace {

std::optional<decoded_varint> decode_unsigned(const std::uint8_t* p, const std::uint8_t* end, int max_bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (p + i >= end) return std::nullopt;
    const std::uint8_t b = p[i];
    v |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return decoded_varint{static_cast<std::int64_t>(v), static_cast<std::size_t>(i + 1)};
  }
  return std::nullopt;
}

std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

}  // namespace

std::optional<decoded_varint> decode_varint(const std::uint8_t* p, const std::uint8_t* end) {
  auto d = decode_unsigned(p, end, 5);
  if (!d) return std::nullopt;
  const auto raw = static_cast<std::uint64_t>(d->value);
  if (raw > 0xffffffffull) return std::nullopt;
  return decoded_varint{unzigzag(raw), d->size};
}

std::optional<decoded_varint> decode_varlong(const std::uint8_t* p, const std::uint8_t* end) {
  auto d = decode_unsigned(p, end, 10);
  if (!d) return std::nullopt;
  return decoded_varint{unzigzag(static_cast<std::uint64_t>(d->value)), d->size};
}

std::optional<decoded_varint> decode_uvarint(const std::uint8_t* p, const std::uint8_t* end) {
  return decode_unsigned(p, end, 5);
}

void append_uvarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void append_varlong(std::string& out, std::int64_t value) {
  append_uvarint(out, (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63));
}

std::size_t varlong_size(std::int64_t value) {
  std::uint64_t v = (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace tributary
