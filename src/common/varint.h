// Varints as Kafka encodes them: unsigned LEB128 (flexible versions) and zigzag-signed varint /
// varlong (record fields). Decoders are bounded: they never read past `end` and reject encodings
// longer than the type allows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tributary {

struct decoded_varint {
  std::int64_t value;
  std::size_t size;  // bytes consumed
};

// Zigzag varint (int32 range) / varlong (int64 range); nullopt when truncated or overlong.
std::optional<decoded_varint> decode_varint(const std::uint8_t* p, const std::uint8_t* end);
std::optional<decoded_varint> decode_varlong(const std::uint8_t* p, const std::uint8_t* end);
std::optional<decoded_varint> decode_uvarint(const std::uint8_t* p, const std::uint8_t* end);

void append_varlong(std::string& out, std::int64_t value);  // zigzag; also serves varint
void append_uvarint(std::string& out, std::uint64_t value);
std::size_t varlong_size(std::int64_t value);

}  // namespace tributary
