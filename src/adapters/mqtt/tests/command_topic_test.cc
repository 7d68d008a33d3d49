#include "adapters/mqtt/command_topic.h"

#include <gtest/gtest.h>

namespace tributary::adapters::mqtt {
namespace {

TEST(CommandFilter, DeviceGatewayAndUnauthenticatedForms) {
  // spec/hono.md §3.5.
  const auto device = parse_command_filter("command///req/#");
  ASSERT_TRUE(device);
  EXPECT_EQ(device->endpoint_segment, "command");
  EXPECT_EQ(device->req_segment, "req");
  EXPECT_EQ(device->tenant, "");
  EXPECT_EQ(device->device, "");

  const auto shorthand = parse_command_filter("c/DEFAULT_TENANT/4711/q/#");
  ASSERT_TRUE(shorthand);
  EXPECT_EQ(shorthand->endpoint_segment, "c");
  EXPECT_EQ(shorthand->req_segment, "q");
  EXPECT_EQ(shorthand->tenant, "DEFAULT_TENANT");
  EXPECT_EQ(shorthand->device, "4711");

  const auto gateway = parse_command_filter("c//+/q/#");
  ASSERT_TRUE(gateway);
  EXPECT_EQ(gateway->device, "+");
  EXPECT_TRUE(parse_command_filter("command/t/+/req/#"));
  EXPECT_TRUE(parse_command_filter("command//4711/q/#"));  // each segment in either spelling
}

TEST(CommandFilter, InvalidFiltersAreNotCommandSubscriptions) {
  for (const char* bad : {"command///req", "command///req/+", "command///req/#/x", "command//req/#", "command///res/#",
                          "command/+/+/req/#", "command/#", "cmd///req/#", "command///#/#", "e///#", "telemetry", "", "c//#/q/#"}) {
    EXPECT_FALSE(parse_command_filter(bad)) << bad;
  }
}

TEST(CommandTopicName, OneWayAndRequestResponseForADevice) {
  const auto s = *parse_command_filter("command///req/#");
  EXPECT_EQ(command_topic_name(s, "4711", "4711", "", "setVolume"), "command///req//setVolume");
  EXPECT_EQ(command_topic_name(s, "4711", "4711", "203abc", "setBrightness"), "command///req/203abc/setBrightness");
  const auto c = *parse_command_filter("c///q/#");
  EXPECT_EQ(command_topic_name(c, "4711", "4711", "", "setBrightness"), "c///q//setBrightness");
}

TEST(CommandTopicName, TenantAndDeviceSegmentsAsTheFilterHadThem) {
  const auto s = *parse_command_filter("c/DEFAULT_TENANT/4711/q/#");
  EXPECT_EQ(command_topic_name(s, "4711", "4711", "203abc", "x"), "c/DEFAULT_TENANT/4711/q/203abc/x");
}

TEST(CommandTopicName, GatewaySubscriptions) {
  const auto all = *parse_command_filter("command//+/req/#");
  EXPECT_EQ(command_topic_name(all, "4712", "gw-1", "203abc", "x"), "command//4712/req/203abc/x");  // behind the gateway
  EXPECT_EQ(command_topic_name(all, "gw-1", "gw-1", "", "x"), "command///req//x");                 // for the gateway itself
  const auto one = *parse_command_filter("command//4712/req/#");
  EXPECT_EQ(command_topic_name(one, "4712", "gw-1", "", "x"), "command//4712/req//x");
}

}  // namespace
}  // namespace tributary::adapters::mqtt
