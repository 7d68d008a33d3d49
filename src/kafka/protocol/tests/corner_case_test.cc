// The generator on made-up messages (tests/messages/CornerCase*.json) that exercise what Kafka's
// own definitions for Tributary's APIs do not: keyword and reserved field names, a struct type
// named like its member, commonStructs used twice, uint16/uint32/float64, per-field
// flexibleVersions, tagged strings, arrays and structs written in tag order.
#include <gtest/gtest.h>

#include <limits>

#include "kafka/protocol/corner_cases/all.h"
#include "kafka/protocol/corner_cases/test_samples.h"
#include "kafka/protocol/tests/test_support.h"

namespace tributary::kafka::protocol::corner_cases {
namespace {

using protocol::testing::expect_round_trip;
using protocol::testing::hex;

TEST(CornerCases, RenamedMembersAndDefaults) {
  const corner_case_request m;
  EXPECT_EQ(m.default_, std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(m.encode_, 65535);
  EXPECT_EQ(m.writer_, 4294967295u);
  EXPECT_EQ(m.ratio, 0.5);
  EXPECT_EQ(m.replica_state.replica_epoch, -1);
  static_assert(std::is_same_v<decltype(corner_case_request::replica_state), corner_case_request::replica_state_data>);
  static_assert(std::is_same_v<decltype(corner_case_request::replica_state_data::class_), std::vector<std::int64_t>>);
  static_assert(std::is_same_v<decltype(corner_case_request::owned)::value_type, corner_case_request::topic_partition>);
  EXPECT_EQ(m.payload, std::nullopt);
  EXPECT_EQ(m.note, std::nullopt);
  ASSERT_TRUE(m.partitions.has_value());
  EXPECT_EQ(m.leader.leader_id, -1);
  EXPECT_EQ(api_name(1000), "CornerCase");
  EXPECT_EQ(request_header_version(1000, 2), 2);
}

TEST(CornerCases, RoundTripsAtEveryVersion) {
  for (std::int16_t v = 0; v <= 3; ++v) {
    expect_round_trip(corner_case_request{}, v);
    expect_round_trip(testing::sample<corner_case_request>(v, false), v);
    expect_round_trip(testing::sample<corner_case_request>(v, true), v);
    expect_round_trip(testing::sample<corner_case_response>(v, false), v);
  }
}

corner_case_request small() {
  corner_case_request m;
  m.default_ = 1;
  m.encode_ = 2;
  m.writer_ = 3;
  m.ratio = 1.5;
  m.replica_state.replica_epoch = 4;
  m.replica_state.class_ = {5};
  m.partitions = std::vector<corner_case_request::topic_partition>{{"t", {6}}};
  m.id[15] = 7;
  m.payload = "p";
  m.legacy = "l";
  return m;
}

TEST(CornerCases, NonFlexibleLayout) {
  // v1: no tags; Class present; Partitions nullable; Payload BYTES with an int32 length.
  EXPECT_EQ(hex(protocol::testing::encode(small(), 1)),
            "00000001" "0002" "00000003" "3ff8000000000000"
            "0000000000000004" "00000001" "0000000000000005"
            "00000001" "000174" "00000001" "00000006"
            "00000000000000000000000000000007"
            "0000000170" "00016c");
}

TEST(CornerCases, FlexibleLayoutWithTagsInTagOrder) {
  corner_case_request m = small();
  m.note = "n";
  m.counts = {8};
  m.leader.leader_id = 9;
  m.leader.leader_epoch = 10;
  // v3: compact forms, Class gone, Legacy keeps its int16 length, then tags 0 (Leader), 2 (Counts)
  // and 7 (Note) in that order although they are declared 7, 2, 0.
  EXPECT_EQ(hex(protocol::testing::encode(m, 3)),
            "00000001" "0002" "00000003" "3ff8000000000000"
            "0000000000000004" "00"
            "02" "0274" "02" "00000006" "00"
            "01"
            "00000000000000000000000000000007"
            "0270" "00016c"
            "03" "00" "09" "00000009" "0000000a" "00" "02" "05" "02" "00000008" "07" "02" "026e");
  m.replica_state.class_.clear();  // not in v3, so it would come back empty
  expect_round_trip(m, 3);
}

TEST(CornerCases, DefaultTaggedFieldsAreNotWritten) {
  const std::string v2 = protocol::testing::encode(corner_case_request{}, 2);
  EXPECT_EQ(v2.back(), '\0');  // an empty tag buffer
}

}  // namespace
}  // namespace tributary::kafka::protocol::corner_cases
