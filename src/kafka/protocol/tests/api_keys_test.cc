// The generated API table: names, versions from the JSON, and which header versions frame them.
#include "kafka/protocol/messages/api_keys.h"

#include <gtest/gtest.h>

#include <set>

#include "kafka/protocol/messages/all.h"

namespace tributary::kafka::protocol {
namespace {

TEST(ApiKeys, ExactlyTheApisTributarySpeaks) {
  std::set<std::int16_t> keys;
  for (const api_info& a : known_apis()) keys.insert(a.api_key);
  EXPECT_EQ(keys, (std::set<std::int16_t>{0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 32, 36}));
}

TEST(ApiKeys, NamesAndRangesComeFromTheMessageDefinitions) {
  EXPECT_EQ(api_name(3), "Metadata");
  EXPECT_EQ(api_name(18), "ApiVersions");
  EXPECT_EQ(api_name(22), "InitProducerId");
  EXPECT_EQ(api_name(57), "Unknown");
  EXPECT_EQ(find_api(57), nullptr);
  const api_info* produce = find_api(0);
  ASSERT_NE(produce, nullptr);
  EXPECT_EQ(produce->min_version, produce_request::min_version);
  EXPECT_EQ(produce->max_version, produce_request::max_version);
  EXPECT_EQ(produce->request_flexible_from, 9);
  EXPECT_EQ(find_api(17)->request_flexible_from, -1);  // SaslHandshake is never flexible
  static_assert(metadata_request::api_key == 3 && metadata_response::api_key == 3);
  static_assert(metadata_request::flexible_from == 9 && sasl_handshake_request::flexible_from == -1);
  static_assert(request_header::api_key == -1 && request_header::max_version == 2);
}

TEST(ApiKeys, RequestHeaderV2ForFlexibleVersionsElseV1) {
  EXPECT_EQ(request_header_version(3, 8), 1);
  EXPECT_EQ(request_header_version(3, 9), 2);
  EXPECT_EQ(request_header_version(18, 2), 1);
  EXPECT_EQ(request_header_version(18, 3), 2);
  EXPECT_EQ(request_header_version(17, 1), 1);
  EXPECT_EQ(request_header_version(22, 2), 2);
}

TEST(ApiKeys, ResponseHeaderV1ForFlexibleVersionsButNeverForApiVersions) {
  EXPECT_EQ(response_header_version(3, 8), 0);
  EXPECT_EQ(response_header_version(3, 9), 1);
  EXPECT_EQ(response_header_version(1, 12), 1);
  // KIP-511: ApiVersionsResponse keeps header v0 so that any client can read the error.
  EXPECT_EQ(response_header_version(18, 3), 0);
  EXPECT_EQ(response_header_version(18, 4), 0);
}

TEST(ApiKeys, UnknownKeysAndVersionsHaveNoHeaderVersion) {
  EXPECT_EQ(request_header_version(57, 0), -1);
  EXPECT_EQ(request_header_version(3, 13), -1);
  EXPECT_EQ(response_header_version(3, -1), -1);
}

}  // namespace
}  // namespace tributary::kafka::protocol
