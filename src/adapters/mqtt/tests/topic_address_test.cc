#include "adapters/mqtt/topic_address.h"

#include <gtest/gtest.h>

namespace tributary::adapters::mqtt {
namespace {

TEST(ParseTopic, EndpointsAndShorthands) {
  EXPECT_EQ(parse_topic("telemetry")->endpoint, endpoint::telemetry);
  EXPECT_EQ(parse_topic("t")->endpoint, endpoint::telemetry);
  EXPECT_EQ(parse_topic("event")->endpoint, endpoint::event);
  EXPECT_EQ(parse_topic("e")->endpoint_segment, "e");
  auto unknown = parse_topic("foo/?correlation-id=x");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->known_endpoint);
  EXPECT_EQ(*unknown->properties.find("correlation-id"), "x");
}

TEST(ParseTopic, TenantAndDeviceSegments) {
  auto a = parse_topic("t//4712");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->tenant, "");
  EXPECT_EQ(a->device, "4712");
  a = parse_topic("telemetry/DEFAULT_TENANT/4711");
  EXPECT_EQ(a->tenant, "DEFAULT_TENANT");
  EXPECT_EQ(a->device, "4711");
}

TEST(ParseTopic, PropertyBagFromTheLastSlashQuestionMark) {
  auto a = parse_topic("event/?content-type=application%2Fjson&hono-ttl=30&Correlation-Id=a+b");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a->properties.find("content-type"), "application/json");
  EXPECT_EQ(*a->properties.find("hono-ttl"), "30");
  EXPECT_EQ(*a->properties.find("correlation-id"), "a b");  // keys case-insensitive
  EXPECT_EQ(a->properties.find("on-error"), nullptr);
  a = parse_topic("t/tenant/dev/?on-error=ignore");
  EXPECT_EQ(a->device, "dev");
  EXPECT_EQ(*a->properties.find("on-error"), "ignore");
}

TEST(ParseTopic, MalformedTopicsAre400) {
  for (const char* topic : {"", "/telemetry", "telemetry/a/b/c", "t/?content-type=%zz", "t/?=x", "t/?k=%4"}) {
    auto a = parse_topic(topic);
    ASSERT_FALSE(a.ok()) << topic;
    EXPECT_EQ(a.error().status, 400) << topic;
  }
}

TEST(ParseTopic, CommandResponseForms) {
  // spec/hono.md §3.5: device, unauthenticated and gateway forms, with a property bag.
  auto device = parse_topic("command///res/203abc/200");
  ASSERT_TRUE(device.ok());
  EXPECT_EQ(device->endpoint, endpoint::command_response);
  EXPECT_EQ(device->endpoint_segment, "command");
  EXPECT_EQ(device->tenant, "");
  EXPECT_EQ(device->device, "");
  EXPECT_EQ(device->request_id, "203abc");
  EXPECT_EQ(device->status, 200);
  auto unauthenticated = parse_topic("c/DEFAULT_TENANT/4711/s/203abc/503/?content-type=text%2Fplain");
  ASSERT_TRUE(unauthenticated.ok());
  EXPECT_EQ(unauthenticated->tenant, "DEFAULT_TENANT");
  EXPECT_EQ(unauthenticated->device, "4711");
  EXPECT_EQ(unauthenticated->status, 503);
  EXPECT_EQ(*unauthenticated->properties.find("content-type"), "text/plain");
  auto gateway = parse_topic("c//4712/s/203abc/404");
  ASSERT_TRUE(gateway.ok());
  EXPECT_EQ(gateway->device, "4712");
  EXPECT_EQ(gateway->status, 404);
}

TEST(ParseTopic, CommandResponseErrors) {
  for (const char* topic : {"command///res/203abc", "command///res", "c///s//200", "command///req/203abc/200",
                            "command///res/203abc/200/x"}) {
    auto a = parse_topic(topic);
    ASSERT_FALSE(a.ok()) << topic;
    EXPECT_EQ(a.error().status, 400) << topic;
    EXPECT_EQ(a.error().message, "malformed topic name") << topic;
  }
  // CommandResponse.isInvalidStatusCode: only 2xx, 4xx and 5xx.
  for (const char* topic : {"c///s/203abc/ok", "c///s/203abc/100", "c///s/203abc/302", "c///s/203abc/600",
                            "c///s/203abc/20x", "c///s/203abc/-200", "c///s/203abc/"}) {
    auto a = parse_topic(topic);
    ASSERT_FALSE(a.ok()) << topic;
    EXPECT_EQ(a.error().status, 400) << topic;
    EXPECT_EQ(a.error().message, "invalid status code") << topic;
  }
  EXPECT_TRUE(parse_topic("c///s/203abc/299").ok());
  EXPECT_TRUE(parse_topic("c///s/203abc/599").ok());
}

TEST(UrlDecode, PercentAndPlus) {
  EXPECT_EQ(*url_decode("a%2Fb+c"), "a/b c");
  EXPECT_FALSE(url_decode("%"));
  EXPECT_FALSE(url_decode("%2"));
  EXPECT_FALSE(url_decode("%g0"));
}

TEST(ValidateAddress, AuthenticatedDevicesFillInTheirIdentity) {
  auto a = *parse_topic("telemetry");
  ASSERT_TRUE(validate_address(a, "T", "4711").ok());
  EXPECT_EQ(a.tenant, "T");
  EXPECT_EQ(a.device, "4711");
  a = *parse_topic("t//4712");
  ASSERT_TRUE(validate_address(a, "T", "gw-1").ok());
  EXPECT_EQ(a.tenant, "T");
  EXPECT_EQ(a.device, "4712");
}

TEST(ValidateAddress, Rules) {
  auto tenant_only = *parse_topic("t/T");
  EXPECT_EQ(validate_address(tenant_only, "T", "d").error().status, 400);
  auto other_tenant = *parse_topic("t/OTHER/d2");
  EXPECT_EQ(validate_address(other_tenant, "T", "d").error().status, 403);
  auto anonymous = *parse_topic("telemetry");
  EXPECT_EQ(validate_address(anonymous, "", "").error().status, 400);
  auto named = *parse_topic("telemetry/T/d");
  EXPECT_TRUE(validate_address(named, "", "").ok());
}

}  // namespace
}  // namespace tributary::adapters::mqtt
