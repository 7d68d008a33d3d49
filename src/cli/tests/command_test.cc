#include "cli/command.h"

#include <gtest/gtest.h>

namespace tributary::cli {
namespace {

std::vector<std::pair<std::string, std::optional<std::string>>> headers_of(const kafka::client::record& r) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  for (const auto& h : r.headers) out.emplace_back(h.name, h.value);
  return out;
}

TEST(CommandRecord, RequestResponseCarriesTheCorrelationAndAsksForAResponse) {
  const auto r = command_record("my-tenant", "my-device", "setBrightness", R"({"brightness": 87})", "application/json",
                                std::string("c-1"));
  EXPECT_EQ(r.topic, "hono.command.my-tenant");
  EXPECT_EQ(r.partition, -1);  // the key decides, as with Java producers
  EXPECT_EQ(r.key, "my-device");
  EXPECT_EQ(r.value, R"({"brightness": 87})");
  using h = std::pair<std::string, std::optional<std::string>>;
  EXPECT_EQ(headers_of(r), (std::vector<h>{{"device_id", "my-device"},
                                           {"subject", "setBrightness"},
                                           {"content-type", "application/json"},
                                           {"correlation-id", "c-1"},
                                           {"response-required", "true"}}));
}

TEST(CommandRecord, OneWayHasNeitherCorrelationNorResponseRequired) {
  const auto r = command_record("t", "d", "setVolume", "", "", std::nullopt);
  EXPECT_EQ(r.value, std::nullopt);
  using h = std::pair<std::string, std::optional<std::string>>;
  EXPECT_EQ(headers_of(r), (std::vector<h>{{"device_id", "d"}, {"subject", "setVolume"}}));
}

}  // namespace
}  // namespace tributary::cli
