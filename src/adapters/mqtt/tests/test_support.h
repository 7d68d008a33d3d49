// Helpers shared by the MQTT codec tests: hex fixtures to bytes and back, and decoding a whole
// buffer into its packets. Test-only; nothing here is linked into the adapter.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/mqtt/codec.h"

namespace tributary::adapters::mqtt::testing {

// "10 0C 00 04 ..." (spaces optional) to bytes.
inline bytes from_hex(std::string_view hex) {
  bytes out;
  int high = -1;
  for (const char c : hex) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    const int v =
        std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::toupper(static_cast<unsigned char>(c)) - 'A' + 10;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  EXPECT_LT(high, 0) << "odd number of hex digits in " << hex;
  return out;
}

inline std::string to_hex(std::span<const std::uint8_t> b) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i) out.push_back(' ');
    out.push_back(digits[b[i] >> 4]);
    out.push_back(digits[b[i] & 0xF]);
  }
  return out;
}

inline bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

inline bytes concat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Decodes packets from the front of `buffer` until it needs more bytes or fails, erasing what it
// consumed (what a session does with its read buffer). Returns false on an error, stored in *error.
inline bool drain(bytes& buffer, std::vector<packet>& out, codec_error* error = nullptr,
                  const decode_limits& limits = {}) {
  for (;;) {
    auto r = decode(buffer, limits);
    if (!r) {
      if (error) *error = r.error();
      return false;
    }
    if (!r->has_value()) return true;
    EXPECT_GT((*r)->size, 0u);
    EXPECT_LE((*r)->size, buffer.size());
    out.push_back(std::move((*r)->packet));
    buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>((*r)->size));
  }
}

}  // namespace tributary::adapters::mqtt::testing
