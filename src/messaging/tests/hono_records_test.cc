#include "messaging/hono_records.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <map>

namespace tributary::messaging {
namespace {

std::map<std::string, std::string> headers_of(const outgoing_record& r) {
  std::map<std::string, std::string> out;
  for (const auto& h : r.headers) out[h.name] = h.value;
  return out;
}

boost::json::object obj(const char* json) { return boost::json::parse(json).as_object(); }

hono_message telemetry(int qos = 0) {
  hono_message m;
  m.endpoint = hono_endpoint::telemetry;
  m.tenant_id = "DEFAULT_TENANT";
  m.device_id = "4711";
  m.qos = qos;
  m.orig_adapter = "hono-mqtt";
  m.orig_address = "telemetry";
  m.payload = R"({"temp": 5})";
  m.creation_time_ms = 1711790000000;
  return m;
}

TEST(HonoRecords, TelemetryRecordHasExactlyTheSpecHeaders) {
  const auto r = to_record(telemetry(), {}, {});
  EXPECT_EQ(r.topic, "hono.telemetry.DEFAULT_TENANT");
  EXPECT_EQ(r.key, "4711");
  EXPECT_EQ(r.value, R"({"temp": 5})");
  EXPECT_EQ(r.timestamp_ms, 1711790000000);
  const std::map<std::string, std::string> expected{{"content-type", "application/octet-stream"},
                                                    {"creation-time", "1711790000000"},
                                                    {"device_id", "4711"},
                                                    {"qos", "0"},
                                                    {"orig_adapter", "hono-mqtt"},
                                                    {"orig_address", "telemetry"}};
  EXPECT_EQ(headers_of(r), expected);
}

TEST(HonoRecords, MovingTheMessageGivesTheSameRecord) {
  const auto defaults = obj(R"({"content-type": "text/x", "ttl": 5, "importance": "high"})");
  for (auto m : {telemetry(0), telemetry(1)}) {
    for (std::optional<std::string> payload : {std::optional<std::string>("x"), std::optional<std::string>(""), std::optional<std::string>()}) {
      m.payload = payload;
      m.content_type.reset();
      const auto copied = to_record(m, defaults, {});
      const auto moved = to_record(hono_message(m), defaults, {});
      EXPECT_EQ(moved.topic, copied.topic);
      EXPECT_EQ(moved.key, copied.key);
      EXPECT_EQ(moved.value, copied.value);
      EXPECT_EQ(moved.headers, copied.headers);
      EXPECT_EQ(moved.timestamp_ms, copied.timestamp_ms);
    }
  }
  auto without_type = telemetry();
  EXPECT_EQ(headers_of(to_record(std::move(without_type), {}, {})).at("content-type"), "application/octet-stream");
}

TEST(HonoRecords, EventsAreAlwaysQos1AndGoToTheEventTopic) {
  auto m = telemetry(0);
  m.endpoint = hono_endpoint::event;
  const auto r = to_record(m, {}, {});
  EXPECT_EQ(r.topic, "hono.event.DEFAULT_TENANT");
  EXPECT_EQ(headers_of(r).at("qos"), "1");
}

TEST(HonoRecords, ContentTypeFromMessageThenDefaultsThenOctetStream) {
  auto m = telemetry();
  m.content_type = "text/plain";
  EXPECT_EQ(headers_of(to_record(m, obj(R"({"content-type": "application/vnd.bumlux"})"), {})).at("content-type"), "text/plain");
  m.content_type.reset();
  EXPECT_EQ(headers_of(to_record(m, obj(R"({"content-type": "application/vnd.bumlux"})"), {})).at("content-type"),
            "application/vnd.bumlux");
  m.payload.reset();
  EXPECT_FALSE(headers_of(to_record(m, {}, {})).contains("content-type"));
}

TEST(HonoRecords, DefaultsBecomeHeadersButNeverOverrideTheMessage) {
  auto m = telemetry();
  m.properties.push_back({"importance", "low"});
  const auto h = headers_of(to_record(m, obj(R"({"importance": "high", "level": 3, "flag": true, "qos": 7,
                                                  "ttl-telemetry-qos0": 10})"), {}));
  EXPECT_EQ(h.at("importance"), "low");
  EXPECT_EQ(h.at("level"), "3");     // JSON-encoded
  EXPECT_EQ(h.at("flag"), "true");
  EXPECT_EQ(h.at("qos"), "0");       // the adapter's own header wins
  EXPECT_FALSE(h.contains("ttl-telemetry-qos0"));  // used up
  EXPECT_EQ(h.at("ttl"), "10000");
}

TEST(HonoRecords, RetainAndTtd) {
  auto m = telemetry();
  m.retain = true;
  m.ttd_seconds = 30;
  const auto h = headers_of(to_record(m, {}, {}));
  EXPECT_EQ(h.at("x-opt-retain"), "true");
  EXPECT_EQ(h.at("ttd"), "30");
}

// spec/hono.md §1.3 TTL algorithm.
TEST(EffectiveTtl, Events) {
  auto m = telemetry();
  m.endpoint = hono_endpoint::event;
  EXPECT_EQ(effective_ttl(m, {}, {}), -1);
  EXPECT_EQ(effective_ttl(m, obj(R"({"ttl": 30})"), {}), 30);
  ttl_limits max20;
  max20.max_ttl = 20;
  EXPECT_EQ(effective_ttl(m, {}, max20), 20);
  EXPECT_EQ(effective_ttl(m, obj(R"({"ttl": 30})"), max20), 20);
  m.ttl_seconds = 10;  // hono-ttl beats the defaults
  EXPECT_EQ(effective_ttl(m, obj(R"({"ttl": 30})"), max20), 10);
  m.ttl_seconds = -5;  // negative values are ignored
  EXPECT_EQ(effective_ttl(m, obj(R"({"ttl": 15})"), max20), 15);
}

TEST(EffectiveTtl, TelemetryByQos) {
  auto m = telemetry(1);
  m.ttl_seconds = 5;  // not read for telemetry
  const auto defaults = obj(R"({"ttl-telemetry-qos0": 10, "ttl-telemetry-qos1": 20})");
  EXPECT_EQ(effective_ttl(m, defaults, {}), 20);
  ttl_limits limits;
  limits.max_ttl_telemetry_qos1 = 15;
  EXPECT_EQ(effective_ttl(m, defaults, limits), 15);
  EXPECT_EQ(effective_ttl(m, obj(R"({"ttl": 12, "ttl-telemetry-qos1": 20})"), limits), 12);
  m.qos = 0;
  EXPECT_EQ(effective_ttl(m, defaults, limits), 10);
  EXPECT_EQ(headers_of(to_record(m, defaults, limits)).at("ttl"), "10000");
}

TEST(EffectiveTtl, CommandResponses) {
  auto m = telemetry();
  m.endpoint = hono_endpoint::command_response;
  ttl_limits limits;
  limits.max_ttl_command_response = 25;
  EXPECT_EQ(effective_ttl(m, obj(R"({"ttl-command-response": 30})"), limits), 25);
  EXPECT_EQ(hono_topic(hono_endpoint::command_response, "t"), "hono.command_response.t");
}

TEST(TtlLimits, FromResourceLimits) {
  const auto l = ttl_limits::from_resource_limits(obj(R"({"max-ttl": 20, "max-ttl-telemetry-qos0": 5})"));
  EXPECT_EQ(l.max_ttl, 20);
  EXPECT_EQ(l.max_ttl_telemetry_qos0, 5);
  EXPECT_EQ(l.max_ttl_telemetry_qos1, -1);
}

}  // namespace
}  // namespace tributary::messaging
