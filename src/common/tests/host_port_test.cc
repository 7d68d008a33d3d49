#include "common/host_port.h"

#include <gtest/gtest.h>

namespace tributary {
namespace {

TEST(HostPort, ParsesHostAndPort) {
  auto r = parse_host_port("127.0.0.1:8088");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->host, "127.0.0.1");
  EXPECT_EQ(r->port, 8088);
  EXPECT_EQ(r->to_string(), "127.0.0.1:8088");
}

TEST(HostPort, EmptyHostMeansAllInterfaces) {
  auto r = parse_host_port(":1883");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->host, "0.0.0.0");
  EXPECT_EQ(r->port, 1883);
}

TEST(HostPort, BracketedIpv6) {
  auto r = parse_host_port("[::1]:0");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->host, "::1");
  EXPECT_EQ(r->port, 0);
  EXPECT_EQ(r->to_string(), "[::1]:0");
}

TEST(HostPort, RejectsMalformed) {
  for (const char* text : {"localhost", "localhost:", "localhost:65536", "host:12ab", "::1:80", "h:-1"}) {
    auto r = parse_host_port(text);
    EXPECT_FALSE(r.ok()) << text;
  }
  EXPECT_NE(parse_host_port("::1:80").error().message.find("brackets"), std::string::npos);
}

}  // namespace
}  // namespace tributary
