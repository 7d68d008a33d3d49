#include "commands/request_id.h"

#include <gtest/gtest.h>

namespace tributary::commands {
namespace {

TEST(RequestId, SpecExample) {
  // spec/hono.md §1.7: correlation-id `abc` -> `203abc`.
  EXPECT_EQ(*encode_request_id("abc"), "203abc");
  EXPECT_EQ(*decode_request_id("203abc"), "abc");
}

TEST(RequestId, LengthIsTwoLowercaseHexDigits) {
  const std::string uuid = "10117f669c12-09ef-416d-88c1-1787f894856d";  // 40 bytes = 0x28
  EXPECT_EQ(*encode_request_id(uuid), "228" + uuid);
  EXPECT_EQ(*encode_request_id(std::string(255, 'x')), "2ff" + std::string(255, 'x'));
  EXPECT_EQ(*encode_request_id(std::string(26, 'x')), "21a" + std::string(26, 'x'));
}

TEST(RequestId, RoundTripsEveryLength) {
  for (std::size_t n = 1; n <= 255; ++n) {
    const std::string cid(n, static_cast<char>('a' + n % 26));
    auto id = encode_request_id(cid);
    ASSERT_TRUE(id.ok()) << n;
    auto back = decode_request_id(*id);
    ASSERT_TRUE(back.ok()) << n;
    EXPECT_EQ(*back, cid);
  }
}

TEST(RequestId, CorrelationIdsThatCannotBeEncoded) {
  EXPECT_EQ(encode_request_id("").error().code, request_id_errc::invalid);
  EXPECT_FALSE(encode_request_id(std::string(256, 'x')).ok());
}

TEST(RequestId, ReplyToSuffixAfterTheCorrelationIdIsIgnored) {
  EXPECT_EQ(*decode_request_id("303abcmy-device"), "abc");
  EXPECT_EQ(*decode_request_id("203abcdef"), "abc");
  EXPECT_EQ(*decode_request_id("20Aabcdefghijk"), "abcdefghij");  // uppercase hex accepted on the way back
}

TEST(RequestId, MalformedIdsAreRefused) {
  for (const char* bad : {"", "2", "20", "203", "203ab", "200", "2zzabc", "2-3abc",  // too short / bad length
                          "003abc", "103abc", "403abc", "503abc", "803abc", "x03abc"}) {  // not Kafka
    const auto r = decode_request_id(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_FALSE(r.error().message.empty()) << bad;
  }
}

}  // namespace
}  // namespace tributary::commands
