// The client's own behaviour without a broker: configuration errors, deadlines with nobody
// listening, header lookup. Talking to a real broker is covered by the integration tests of the
// `consume` and `command` tools, which run against `tributary serve`.
#include "kafka/client/client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace tributary::kafka::client {
namespace {

using namespace std::chrono_literals;

// A loopback port nothing listens on (bound, then released).
std::string closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();
  return "127.0.0.1:" + std::to_string(port);
}

TEST(KafkaClient, UnknownPropertyIsAConfigError) {
  connection_options o;
  o.properties.emplace_back("no.such.property", "1");
  auto p = producer::create(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, client_errc::config);
  EXPECT_NE(p.error().message.find("no.such.property"), std::string::npos) << p.error().message;
  auto c = consumer::create(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, client_errc::config);
}

TEST(KafkaClient, UnknownSaslMechanismIsAConfigError) {
  connection_options o;
  o.sasl_username = "hono";
  o.sasl_password = "secret";
  o.sasl_mechanism = "NOPE";
  auto p = producer::create(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, client_errc::config);
}

TEST(KafkaClient, SendWithoutABrokerTimesOutInsteadOfHanging) {
  connection_options o;
  o.bootstrap = closed_port();
  auto p = producer::create(o);
  ASSERT_TRUE(p.ok()) << p.error().message;
  record r;
  r.topic = "t";
  r.key = "k";
  r.value = "v";
  r.headers.push_back({"device_id", "k"});
  auto sent = (*p)->send(r, 300ms);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, client_errc::timeout) << sent.error().message;
}

TEST(KafkaClient, AssignWithoutABrokerFailsAtTheDeadline) {
  connection_options o;
  o.bootstrap = closed_port();
  auto c = consumer::create(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto assigned = (*c)->assign({"hono.telemetry.t"}, start_at::end, 300ms);
  ASSERT_FALSE(assigned.ok());
  EXPECT_EQ(assigned.error().code, client_errc::unreachable) << assigned.error().message;
  EXPECT_NE(assigned.error().message.find("hono.telemetry.t"), std::string::npos) << assigned.error().message;
}

TEST(KafkaClient, HeaderValueIsTheFirstOfItsNameAndNullForANullValue) {
  record r;
  r.headers = {{"a", "1"}, {"b", std::nullopt}, {"a", "2"}};
  ASSERT_NE(r.header_value("a"), nullptr);
  EXPECT_EQ(*r.header_value("a"), "1");
  EXPECT_EQ(r.header_value("b"), nullptr);
  EXPECT_EQ(r.header_value("c"), nullptr);
}

}  // namespace
}  // namespace tributary::kafka::client
