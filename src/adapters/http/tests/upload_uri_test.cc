#include "adapters/http/upload_uri.h"

#include <gtest/gtest.h>

namespace tributary::adapters::http {
namespace {

TEST(UploadUri, PostForms) {
  auto u = parse_upload_uri("/telemetry");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->endpoint, upload_endpoint::telemetry);
  EXPECT_FALSE(u->has_address);
  u = parse_upload_uri("/event?hono-ttl=30&hono-ttd=10");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->endpoint, upload_endpoint::event);
  EXPECT_EQ(*u->param("hono-ttl"), "30");
  EXPECT_EQ(*u->param("hono-ttd"), "10");
  EXPECT_EQ(u->param("x"), nullptr);
}

TEST(UploadUri, PutFormsWithAndWithoutTenant) {
  auto u = parse_upload_uri("/telemetry/DEFAULT_TENANT/4711");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->has_address);
  EXPECT_EQ(u->tenant, "DEFAULT_TENANT");
  EXPECT_EQ(u->device, "4711");
  u = parse_upload_uri("/event//4712");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->tenant, "");
  EXPECT_EQ(u->device, "4712");
}

TEST(UploadUri, MissingDeviceAndUnknownPathsAre404) {
  for (const char* target : {"/telemetry/T", "/telemetry/T/", "/telemetry/T/d/x", "/foo", "/", "/command"}) {
    auto u = parse_upload_uri(target);
    ASSERT_FALSE(u.ok()) << target;
    EXPECT_EQ(u.error().status, 404) << target;
  }
  EXPECT_EQ(parse_upload_uri("/telemetry/T").error().message, "request URI must contain device ID");
}

TEST(UploadUri, CommandResponsesAreRecognised) {
  auto u = parse_upload_uri("/command/res/203abc?hono-cmd-status=200");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->endpoint, upload_endpoint::command_response);
  EXPECT_FALSE(u->has_address);
  EXPECT_EQ(u->request_id, "203abc");
  EXPECT_EQ(*u->param("hono-cmd-status"), "200");

  auto gateway = parse_upload_uri("/command/res//4712/203abc");
  ASSERT_TRUE(gateway.ok());
  EXPECT_TRUE(gateway->has_address);
  EXPECT_EQ(gateway->tenant, "");
  EXPECT_EQ(gateway->device, "4712");
  EXPECT_EQ(gateway->request_id, "203abc");
  auto unauthenticated = parse_upload_uri("/command/res/DEFAULT_TENANT/4711/203abc");
  ASSERT_TRUE(unauthenticated.ok());
  EXPECT_EQ(unauthenticated->tenant, "DEFAULT_TENANT");
}

TEST(UploadUri, CommandResponsePathsWithoutTenantDeviceAndRequestIdAre404) {
  for (const char* target : {"/command/res", "/command/res/", "/command/res/T/d", "/command/res/T/d/", "/command/res//d/",
                             "/command/res/T/d/id/x"}) {
    auto u = parse_upload_uri(target);
    ASSERT_FALSE(u.ok()) << target;
    EXPECT_EQ(u.error().status, 404) << target;
  }
}

}  // namespace
}  // namespace tributary::adapters::http
