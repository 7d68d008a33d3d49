#include "restproxy/consumer_protocol.h"

#include <gtest/gtest.h>

namespace tributary::restproxy {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string out;
  for (int v : b) out.push_back(static_cast<char>(v));
  return out;
}

TEST(ConsumerProtocol, SubscriptionBytesAreVersion0) {
  EXPECT_EQ(encode_subscription({"ab", "c"}),
            bytes({0, 0, 0, 0, 0, 2, 0, 2, 'a', 'b', 0, 1, 'c', 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(decode_subscription(encode_subscription({"ab", "c"})), (std::vector<std::string>{"ab", "c"}));
}

TEST(ConsumerProtocol, LaterSubscriptionVersionsDecodeByTheirCommonPrefix) {
  // Version 1 (as librdkafka and Java send it): topics, user data, owned partitions.
  const auto v1 = bytes({0, 1, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 0, /* owned: */ 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 3});
  EXPECT_EQ(decode_subscription(v1), (std::vector<std::string>{"t"}));
}

TEST(ConsumerProtocol, AssignmentRoundTrips) {
  const std::vector<topic_partition> tps{{"a", 0}, {"a", 2}, {"b", 1}};
  const auto encoded = encode_assignment(tps);
  EXPECT_EQ(encoded, bytes({0, 0, 0, 0, 0, 2, 0, 1, 'a', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 'b', 0, 0, 0, 1, 0, 0, 0,
                            1, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(decode_assignment(encoded), tps);
  EXPECT_EQ(decode_assignment(""), std::vector<topic_partition>{});
}

TEST(ConsumerProtocol, TruncatedOrHostileBytesDoNotDecode) {
  const auto good = encode_assignment({{"a", 0}});
  for (std::size_t n = 1; n < good.size() - 4; ++n) EXPECT_EQ(decode_assignment(good.substr(0, n)), std::nullopt) << n;
  EXPECT_EQ(decode_assignment(bytes({0, 0, 0x7f, 0xff, 0xff, 0xff})), std::nullopt);  // 2^31 topics announced
  EXPECT_EQ(decode_subscription(bytes({0, 0, 0, 0, 0, 1, 0, 5, 'a'})), std::nullopt);
  EXPECT_EQ(decode_subscription(bytes({0, 0, 0xff, 0xff, 0xff, 0xff})), std::nullopt);
}

TEST(ConsumerProtocol, RangeAssignorGivesConsecutiveRanges) {
  auto a = range_assign({{"m2", {"t"}}, {"m1", {"t", "u"}}, {"m3", {"t"}}}, {{"t", 7}, {"u", 2}});
  EXPECT_EQ(a["m1"], (std::vector<topic_partition>{{"t", 0}, {"t", 1}, {"t", 2}, {"u", 0}, {"u", 1}}));
  EXPECT_EQ(a["m2"], (std::vector<topic_partition>{{"t", 3}, {"t", 4}}));
  EXPECT_EQ(a["m3"], (std::vector<topic_partition>{{"t", 5}, {"t", 6}}));
}

TEST(ConsumerProtocol, RangeAssignorGivesEveryMemberAnEntry) {
  auto a = range_assign({{"m1", {"t"}}, {"m2", {"t"}}, {"m3", {"missing"}}}, {{"t", 1}});
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(a["m1"], (std::vector<topic_partition>{{"t", 0}}));
  EXPECT_TRUE(a["m2"].empty());
  EXPECT_TRUE(a["m3"].empty());
}

}  // namespace
}  // namespace tributary::restproxy
