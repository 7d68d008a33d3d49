// Helpers shared by the kafka/protocol unit tests: byte views, hex, fixture loading and a
// round-trip check. Test code only.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>

#include "kafka/protocol/messages/all.h"
#include "kafka/protocol/wire.h"

namespace tributary::kafka::protocol::testing {

inline std::span<const std::uint8_t> as_span(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline std::string unhex(std::string_view hex) {
  std::string out;
  int hi = -1;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      continue;  // whitespace and line breaks
    }
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<char>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

inline std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

// tests/fixtures/kafka/<name>.hex as bytes; empty (and a test failure) when missing.
inline std::string load_fixture(std::string_view name) {
  std::string dir = TRIBUTARY_KAFKA_FIXTURES_DIR;
  if (const char* root = std::getenv("TRIBUTARY_SOURCE_DIR")) dir = std::string(root) + "/tests/fixtures/kafka";
  const std::string path = dir + "/" + std::string(name) + ".hex";
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "missing fixture " << path;
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  return unhex(text.str());
}

template <typename T>
std::string encode(const T& message, std::int16_t version) {
  std::string out;
  writer w(out);
  message.encode(w, version);
  EXPECT_TRUE(w.ok()) << T::message_name << " v" << version << ": " << w.error();
  return out;
}

// encode -> decode -> equal, consumed exactly, and re-encodes to the same bytes.
template <typename T>
void expect_round_trip(const T& message, std::int16_t version) {
  SCOPED_TRACE(std::string(T::message_name) + " v" + std::to_string(version));
  const std::string bytes = encode(message, version);
  reader r(as_span(bytes));
  auto decoded = T::decode(r, version);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message << "\nbytes: " << hex(bytes);
  EXPECT_EQ(r.position(), bytes.size());
  EXPECT_TRUE(*decoded == message) << "decoded value differs; bytes: " << hex(bytes);
  EXPECT_EQ(hex(encode(*decoded, version)), hex(bytes));
}

// Typed-test plumbing: every generated message as a gtest type list, named by message.
template <typename List>
struct gtest_types;
template <typename... T>
struct gtest_types<message_list<T...>> {
  using type = ::testing::Types<T...>;
};

struct message_names {
  template <typename T>
  static std::string GetName(int) {
    return std::string(T::message_name);
  }
};

}  // namespace tributary::kafka::protocol::testing
