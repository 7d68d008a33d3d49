// Every generated message at every version it has: a default-constructed instance, one with every
// present field set to a non-default value, and one with nulls wherever the version allows them,
// each encoded, decoded to an equal value and re-encoded to the same bytes.
#include <gtest/gtest.h>

#include "kafka/protocol/messages/all.h"
#include "kafka/protocol/messages/test_samples.h"
#include "kafka/protocol/tests/test_support.h"

namespace tributary::kafka::protocol {
namespace {

template <typename T>
class RoundTrip : public ::testing::Test {};
TYPED_TEST_SUITE(RoundTrip, testing::gtest_types<all_messages>::type, testing::message_names);

TYPED_TEST(RoundTrip, DefaultInstanceAtEveryVersion) {
  for (std::int16_t v = TypeParam::min_version; v <= TypeParam::max_version; ++v) {
    testing::expect_round_trip(TypeParam{}, v);
  }
}

TYPED_TEST(RoundTrip, PopulatedInstanceAtEveryVersion) {
  for (std::int16_t v = TypeParam::min_version; v <= TypeParam::max_version; ++v) {
    testing::expect_round_trip(testing::sample<TypeParam>(v, false), v);
  }
  // The sample sets fields: it is not just another default instance.
  EXPECT_FALSE(testing::sample<TypeParam>(TypeParam::max_version, false) == TypeParam{});
}

TYPED_TEST(RoundTrip, NullsWhereTheVersionAllowsThem) {
  for (std::int16_t v = TypeParam::min_version; v <= TypeParam::max_version; ++v) {
    testing::expect_round_trip(testing::sample<TypeParam>(v, true), v);
  }
}

TYPED_TEST(RoundTrip, VersionsOutsideTheRangeAreRefused) {
  std::string out;
  writer w(out);
  TypeParam{}.encode(w, static_cast<std::int16_t>(TypeParam::max_version + 1));
  EXPECT_FALSE(w.ok());
  EXPECT_TRUE(out.empty());
  const std::string bytes(64, '\0');
  reader r(testing::as_span(bytes));
  auto d = TypeParam::decode(r, static_cast<std::int16_t>(TypeParam::max_version + 1));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, decode_errc::unsupported_version);
  EXPECT_EQ(r.position(), 0u);
  auto below = TypeParam::decode(r, -1);
  EXPECT_FALSE(below.ok());
}

// Fields absent from a version are not written, so they come back as their defaults.
TEST(RoundTripDetail, FieldsAbsentFromAVersionAreNotSent) {
  metadata_request m;
  m.topics = std::vector<metadata_request::metadata_request_topic>(1);
  (*m.topics)[0].name = "t";
  m.allow_auto_topic_creation = false;  // v4+
  const std::string v3 = testing::encode(m, 3);
  EXPECT_EQ(testing::hex(v3), "00000001" "000174");
  reader r(testing::as_span(v3));
  auto d = metadata_request::decode(r, 3);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->allow_auto_topic_creation);
}

TEST(RoundTripDetail, NullWhereTheVersionForbidsItIsAnEncodeError) {
  metadata_request m;
  m.topics = std::nullopt;  // "all topics" is an empty array in v0, null from v1
  std::string out;
  writer w(out);
  m.encode(w, 0);
  EXPECT_FALSE(w.ok());
  EXPECT_NE(w.error().find("metadata_request.topics"), std::string::npos) << w.error();
  EXPECT_EQ(testing::hex(testing::encode(m, 1)), "ffffffff");
}

TEST(RoundTripDetail, TaggedFieldsAreWrittenOnlyWhenNotDefault) {
  api_versions_response m;
  m.api_keys.push_back({18, 0, 3});
  EXPECT_EQ(testing::hex(testing::encode(m, 3)), "0000" "02" "001200000003" "00" "00000000" "00");
  m.finalized_features_epoch = 7;
  m.zk_migration_ready = true;
  EXPECT_EQ(testing::hex(testing::encode(m, 3)),
            "0000" "02" "001200000003" "00" "00000000" "02" "01" "08" "0000000000000007" "03" "01" "01");
  testing::expect_round_trip(m, 3);
}

TEST(RoundTripDetail, RequestHeaderClientIdStaysNonCompactInV2) {
  request_header h;
  h.request_api_key = 18;
  h.request_api_version = 3;
  h.correlation_id = 1;
  h.client_id = "ab";
  EXPECT_EQ(testing::hex(testing::encode(h, 2)), "0012" "0003" "00000001" "00026162" "00");
  EXPECT_EQ(testing::hex(testing::encode(h, 1)), "0012" "0003" "00000001" "00026162");
  EXPECT_EQ(testing::hex(testing::encode(h, 0)), "0012" "0003" "00000001");
}

}  // namespace
}  // namespace tributary::kafka::protocol
