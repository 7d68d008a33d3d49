#include "commands/command.h"

#include <gtest/gtest.h>

namespace tributary::commands {
namespace {

log::record command_record(std::vector<log::header> headers, std::optional<std::string> key = "4711",
                           std::optional<std::string> value = R"({"brightness": 87})") {
  log::record r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.headers = std::move(headers);
  return r;
}

const messaging::record_header* header(const messaging::outgoing_record& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

TEST(ParseCommand, RequestResponseCommand) {
  auto c = parse_command("t", command_record({{"device_id", "4711"}, {"subject", "setBrightness"},
                                              {"content-type", "application/json"}, {"correlation-id", "abc"},
                                              {"response-required", "true"},
                                              {"delivery-failure-notification-metadata.app", "dashboard"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->tenant_id, "t");
  EXPECT_EQ(c->device_id, "4711");
  EXPECT_EQ(c->name, "setBrightness");
  EXPECT_EQ(c->content_type, "application/json");
  EXPECT_EQ(c->correlation_id, "abc");
  EXPECT_FALSE(c->one_way());
  EXPECT_EQ(c->payload, R"({"brightness": 87})");
  ASSERT_EQ(c->failure_metadata.size(), 1u);
  EXPECT_EQ(c->failure_metadata[0], (messaging::record_header{"delivery-failure-notification-metadata.app", "dashboard"}));
}

TEST(ParseCommand, OneWayWithoutOrWithFalseResponseRequired) {
  auto c = parse_command("t", command_record({{"device_id", "4711"}, {"subject", "setVolume"}}, "4711", std::nullopt));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->one_way());
  EXPECT_FALSE(c->content_type);
  EXPECT_FALSE(c->payload);
  // A correlation id without response-required does not make it request/response.
  auto d = parse_command("t", command_record({{"device_id", "4711"}, {"subject", "setVolume"}, {"correlation-id", "x"},
                                              {"response-required", "false"}}));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->one_way());
}

TEST(ParseCommand, DeviceIdMissingOrDifferentFromKeyIsDroppedSilently) {
  for (const auto& r : {command_record({{"subject", "x"}, {"correlation-id", "a"}, {"response-required", "true"}}),
                        command_record({{"device_id", "other"}, {"subject", "x"}, {"correlation-id", "a"}, {"response-required", "true"}}),
                        command_record({{"device_id", "4711"}, {"subject", "x"}}, std::nullopt),
                        command_record({{"device_id", std::nullopt}, {"subject", "x"}})}) {
    auto c = parse_command("t", r);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, command_errc::dropped);
    EXPECT_FALSE(c.error().respond);
  }
}

TEST(ParseCommand, NoSubjectIsAnsweredOnlyWhenThereIsACorrelationId) {
  auto with_cid = parse_command("t", command_record({{"device_id", "4711"}, {"correlation-id", "abc"}, {"response-required", "true"}}));
  ASSERT_FALSE(with_cid.ok());
  EXPECT_EQ(with_cid.error().code, command_errc::malformed);
  EXPECT_TRUE(with_cid.error().respond);
  EXPECT_EQ(with_cid.error().partial.correlation_id, "abc");
  EXPECT_EQ(with_cid.error().partial.device_id, "4711");

  auto one_way = parse_command("t", command_record({{"device_id", "4711"}}));
  ASSERT_FALSE(one_way.ok());
  EXPECT_EQ(one_way.error().code, command_errc::malformed);
  EXPECT_FALSE(one_way.error().respond);

  auto empty_subject = parse_command("t", command_record({{"device_id", "4711"}, {"subject", ""}}));
  EXPECT_FALSE(empty_subject.ok());
}

TEST(ParseCommand, RequestResponseWithoutCorrelationIdIsMalformedAndUnanswerable) {
  for (const auto& r : {command_record({{"device_id", "4711"}, {"subject", "x"}, {"response-required", "true"}}),
                        command_record({{"device_id", "4711"}, {"subject", "x"}, {"response-required", "true"}, {"correlation-id", ""}}),
                        command_record({{"device_id", "4711"}, {"response-required", "true"}})}) {
    auto c = parse_command("t", r);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, command_errc::malformed);
    EXPECT_FALSE(c.error().respond);
  }
}

TEST(ParseCommand, CorrelationIdTooLongForARequestIdIsAnswered) {
  auto c = parse_command("t", command_record({{"device_id", "4711"}, {"subject", "x"}, {"response-required", "true"},
                                              {"correlation-id", std::string(256, 'c')}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, command_errc::malformed);
  EXPECT_TRUE(c.error().respond);
}

TEST(FailureResponse, HeadersAndPayloadOfSpec) {
  command c;
  c.tenant_id = "DEFAULT_TENANT";
  c.device_id = "4711";
  c.name = "setBrightness";
  c.correlation_id = "abc";
  c.failure_metadata = {{"delivery-failure-notification-metadata.app", "dashboard"},
                        {"delivery-failure-notification-metadata", "plain"}};
  const auto r = failure_response(c, 503, "no consumer available", 1700000000123);
  EXPECT_EQ(r.topic, "hono.command_response.DEFAULT_TENANT");
  EXPECT_EQ(r.key, "4711");
  EXPECT_EQ(r.value, R"({"error":"no consumer available"})");
  EXPECT_EQ(r.timestamp_ms, 1700000000123);
  const std::vector<messaging::record_header> expected = {
      {"correlation-id", "abc"},
      {"creation-time", "1700000000123"},
      {"device_id", "4711"},
      {"tenant_id", "DEFAULT_TENANT"},
      {"status", "503"},
      {"content-type", "application/vnd.eclipse-hono-delivery-failure-notification+json"},
      {"delivery-failure-notification-metadata.app", "dashboard"},
      {"delivery-failure-notification-metadata", "plain"}};
  EXPECT_EQ(r.headers, expected);
  EXPECT_EQ(header(r, "status")->value, "503");
}

}  // namespace
}  // namespace tributary::commands
