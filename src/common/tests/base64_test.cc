#include "common/base64.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/base64_avx2.h"

namespace tributary {
namespace {

using namespace std::string_literals;

// RFC 4648 §10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<std::string, std::string> cases[] = {{"", ""},          {"f", "Zg=="},         {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},   {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(base64_encode(plain), encoded) << plain;
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64, ScramExamples) {
  EXPECT_EQ(base64_encode("pencil"), "cGVuY2ls");
  EXPECT_EQ(*base64_decode("cGVuY2ls"), "pencil");
  EXPECT_EQ(*base64_decode("YQ=="), "a");
}

TEST(Base64, EveryByteValueRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t len = 0; len <= all.size(); len += 1) {
    const std::string bytes = all.substr(all.size() - len);
    const std::string text = base64_encode(bytes);
    EXPECT_EQ(text.size() % 4, 0u);
    auto back = base64_decode(text);
    ASSERT_TRUE(back) << len;
    EXPECT_EQ(*back, bytes);
  }
  EXPECT_EQ(base64_encode("\xfb\xff\xbf"s), "+/+/");
  EXPECT_EQ(*base64_decode("+/+/"), "\xfb\xff\xbf"s);
  EXPECT_EQ(*base64_decode("AAAA"), "\0\0\0"s);
}

TEST(Base64, RejectsWrongLength) {
  for (const char* text : {"a", "ab", "abc", "abcde", "Zm9vY", "Zg=", "Zg", "Zm9vYmFy="}) {
    EXPECT_FALSE(base64_decode(text)) << text;
  }
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  for (const std::string& text :
       {"Zm9-"s, "Zm9_"s, "Zm 9"s, "Zm9\n"s, "Zm9."s, "Zm9\xc3"s, "\0\0\0\0"s, "Zm9v\r\nYmFy"s}) {
    EXPECT_FALSE(base64_decode(text)) << text;
  }
}

TEST(Base64, RejectsBadPadding) {
  for (const char* text : {"====", "Z===", "=Zg=", "Zg=a", "Z=g=", "Zg==Zg==", "Zm9v====", "Zm8=Zm8=", "Zg==="}) {
    EXPECT_FALSE(base64_decode(text)) << text;
  }
}

// RFC 4648 §3.5: non-zero bits after the last byte make a second spelling of the same bytes.
TEST(Base64, RejectsNonCanonicalTrailingBits) {
  EXPECT_FALSE(base64_decode("Zh=="));
  EXPECT_FALSE(base64_decode("Zm9="));
  EXPECT_TRUE(base64_decode("Zg=="));
  EXPECT_TRUE(base64_decode("Zm8="));
}

// Bit by bit, for checking the table and AVX2 paths against something with no tables at all.
std::string reference_encode(const std::string& bytes) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int held = 0;
  for (unsigned char c : bytes) {
    bits = bits << 8 | c;
    held += 8;
    while (held >= 6) {
      held -= 6;
      out += alphabet[bits >> held & 63];
    }
  }
  if (held > 0) out += alphabet[bits << (6 - held) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

std::string random_bytes(std::mt19937& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Long inputs go through the AVX2 steps where the CPU has them, and their tails through the tables.
TEST(Base64, LongInputsMatchTheBitByBitReference) {
  std::mt19937 rng(7);
  for (std::size_t n = 0; n <= 400; ++n) {
    const auto bytes = random_bytes(rng, n);
    const auto text = base64_encode(bytes);
    ASSERT_EQ(text, reference_encode(bytes)) << n;
    auto back = base64_decode(text);
    ASSERT_TRUE(back) << n;
    ASSERT_EQ(*back, bytes) << n;
  }
}

TEST(Base64, ABadSymbolAnywhereInALongTextIsRefused) {
  std::mt19937 rng(11);
  const auto text = base64_encode(random_bytes(rng, 96));  // 128 symbols, no padding
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t at = 0; at < text.size(); ++at) {
    for (int c = 0; c < 256; ++c) {
      std::string changed = text;
      changed[at] = static_cast<char>(c);
      const bool valid = alphabet.find(static_cast<char>(c)) != std::string::npos && c != 0;
      auto decoded = base64_decode(changed);
      ASSERT_EQ(decoded.has_value(), valid) << "byte " << c << " at " << at;
      if (valid) {
        ASSERT_EQ(reference_encode(*decoded), changed) << "byte " << c << " at " << at;
      }
    }
  }
}

TEST(Base64Avx2, StepsMatchTheReference) {
  if (!base64_avx2::supported()) GTEST_SKIP() << "no AVX2 on this CPU";
  std::mt19937 rng(3);
  const auto bytes = random_bytes(rng, 24 * 10 + 4);
  std::string text(4 * 80, '?');
  ASSERT_EQ(base64_avx2::encode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), text.data()), 240u);
  EXPECT_EQ(text, reference_encode(bytes.substr(0, 240)));
  std::string back(240, '?');
  ASSERT_EQ(base64_avx2::decode(reinterpret_cast<const unsigned char*>(text.data()), text.size(), back.data()), 320u);
  EXPECT_EQ(back, bytes.substr(0, 240));
  // Too little to read past the last step, or a step with padding or a bad symbol: not taken.
  EXPECT_EQ(base64_avx2::encode(reinterpret_cast<const unsigned char*>(bytes.data()), 27, text.data()), 0u);
  std::string padded = text.substr(0, 64);
  padded[40] = '=';
  EXPECT_EQ(base64_avx2::decode(reinterpret_cast<const unsigned char*>(padded.data()), 64, back.data()), 32u);
}

}  // namespace
}  // namespace tributary
