#include "adapters/mqtt/error_topic.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>


namespace tributary::adapters::mqtt {
namespace {

TEST(ErrorFilter, AcceptsHonosForms) {
  auto s = parse_error_filter("e///#");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->endpoint_segment, "e");
  EXPECT_EQ(s->tenant, "");
  EXPECT_EQ(s->device, "");
  s = parse_error_filter("error/T/+/#");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->device, "+");
  EXPECT_TRUE(parse_error_filter("e/T/4712/#"));
}

TEST(ErrorFilter, RejectsOtherFilters) {
  for (const char* f : {"e//#", "e///x", "c///q/#", "e/+//#", "e////#", "#", "error///+"}) {
    EXPECT_FALSE(parse_error_filter(f)) << f;
  }
}

TEST(ErrorTopicName, DeviceSegmentRules) {
  const error_subscription own{"e", "", ""};
  EXPECT_EQ(error_topic_name(own, "4711", "4711", "telemetry", "7", 400), "e///telemetry/7/400");
  // A gateway's message for another device names that device.
  EXPECT_EQ(error_topic_name(own, "4712", "gw-1", "t", "-1", 403), "e//4712/t/-1/403");
  const error_subscription named{"error", "T", "4712"};
  EXPECT_EQ(error_topic_name(named, "4712", "gw-1", "event", "c1", 503), "error/T/4712/event/c1/503");
  EXPECT_EQ(error_topic_name(own, "4711", "4711", "command", "1", 400), "e///command-response/1/400");
  EXPECT_EQ(error_topic_name(own, "4711", "4711", "x", "1", 404), "e///unknown/1/404");
}

TEST(ErrorPayload, JsonWithMillisecondTimestamp) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1608832800123));
  const auto v = boost::json::parse(error_payload(403, "not allowed", "4", t));
  EXPECT_EQ(v.at("code"), 403);
  EXPECT_EQ(v.at("message"), "not allowed");
  EXPECT_EQ(v.at("timestamp"), "2020-12-24T18:00:00.123Z");
  EXPECT_EQ(v.at("correlation-id"), "4");
}

}  // namespace
}  // namespace tributary::adapters::mqtt
