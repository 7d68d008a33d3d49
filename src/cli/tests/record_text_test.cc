#include "cli/record_text.h"

#include <gtest/gtest.h>

namespace tributary::cli {
namespace {

kafka::client::record telemetry() {
  kafka::client::record r;
  r.topic = "hono.telemetry.my-tenant";
  r.key = "my-device";
  r.value = R"({"temp": 5})";
  r.headers = {{"content-type", "application/json"}, {"device_id", "my-device"}, {"qos", "0"}, {"orig_adapter", "hono-http"}};
  return r;
}

TEST(RecordText, ReceivedTelemetryReadsLikeHonosReceiver) {
  EXPECT_EQ(received_message_text(telemetry()),
            "received telemetry message [device: my-device, content-type: application/json]: {\"temp\": 5}\n"
            "... with properties: {content-type=application/json, device_id=my-device, qos=0, orig_adapter=hono-http}");
}

TEST(RecordText, TheTopicNamesTheTypeAndTheKeyStandsInForAMissingDeviceHeader) {
  auto r = telemetry();
  r.topic = "hono.event.my-tenant";
  r.headers = {{"ttl", "30"}};
  EXPECT_EQ(received_message_text(r),
            "received event message [device: my-device, content-type: ]: {\"temp\": 5}\n... with properties: {ttl=30}");
  r.topic = "other";
  EXPECT_TRUE(received_message_text(r).starts_with("received other message"));
}

TEST(RecordText, BinaryPayloadsPrintAsHexAndEmptyOnesAsEmpty) {
  EXPECT_EQ(payload_text(std::string("\x00\x01\xff", 3)), "0x0001ff");
  EXPECT_EQ(payload_text(std::string("a\tb\r\n")), "a\tb\r\n");
  EXPECT_EQ(payload_text(std::string("temp \xc2\xb0" "C")), "temp \xc2\xb0" "C");
  EXPECT_EQ(payload_text(std::string()), "<empty>");
  EXPECT_EQ(payload_text(std::nullopt), "<empty>");
}

TEST(RecordText, NullAndEmptyHeaderValues) {
  kafka::client::record r;
  r.headers = {{"a", std::nullopt}, {"b", ""}, {"c", std::string("\x01", 1)}};
  EXPECT_EQ(properties_text(r), "{a=null, b=, c=0x01}");
}

}  // namespace
}  // namespace tributary::cli
