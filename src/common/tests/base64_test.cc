#include "common/base64.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace tributary
