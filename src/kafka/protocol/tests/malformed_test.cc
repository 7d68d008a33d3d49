// Malformed input is expected input: truncation at every byte of every message sample and fixture,
// corrupted bytes, lengths and counts far beyond the input (refused without allocating for them),
// nulls and tags where the wire forbids them. Failures must be decode_errors, never crashes, UB
// (this runs under ASan/UBSan) or exceptions.
#include <gtest/gtest.h>


#include "kafka/protocol/messages/all.h"
#include "kafka/protocol/messages/test_samples.h"
#include "kafka/protocol/tests/allocation_tracker.h"
#include "kafka/protocol/tests/test_support.h"

namespace tributary::kafka::protocol {
namespace {

using testing::as_span;
using testing::hex;
using testing::unhex;

template <typename T>
void expect_every_truncation_fails(const std::string& bytes, std::int16_t version) {
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    const std::string prefix = bytes.substr(0, k);
    reader r(as_span(prefix));
    auto d = T::decode(r, version);
    ASSERT_FALSE(d.ok()) << T::message_name << " v" << version << " decoded from " << k << " of "
                         << bytes.size() << " bytes";
    EXPECT_TRUE(d.error().code == decode_errc::truncated || d.error().code == decode_errc::invalid_length)
        << d.error().message;
    EXPECT_EQ(d.error().message.rfind(std::string(T::message_name) + " v" + std::to_string(version) + ": ", 0), 0u)
        << d.error().message;
    EXPECT_LE(r.error_position(), k);
  }
}

template <typename T>
class Malformed : public ::testing::Test {};
TYPED_TEST_SUITE(Malformed, testing::gtest_types<all_messages>::type, testing::message_names);

TYPED_TEST(Malformed, TruncatedAtEveryByteOfEverySample) {
  for (std::int16_t v = TypeParam::min_version; v <= TypeParam::max_version; ++v) {
    expect_every_truncation_fails<TypeParam>(testing::encode(TypeParam{}, v), v);
    expect_every_truncation_fails<TypeParam>(testing::encode(testing::sample<TypeParam>(v, false), v), v);
    expect_every_truncation_fails<TypeParam>(testing::encode(testing::sample<TypeParam>(v, true), v), v);
  }
}

// Each byte of a populated sample set to 0xff and to 0x80 (negative lengths, huge counts, varint
// continuation bits): decoding may succeed or fail, but whatever it accepts encodes and decodes to
// the same value again.
TYPED_TEST(Malformed, CorruptedBytesNeverBreakTheDecoder) {
  for (std::int16_t v = TypeParam::min_version; v <= TypeParam::max_version; ++v) {
    const std::string bytes = testing::encode(testing::sample<TypeParam>(v, false), v);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      for (char c : {'\xff', '\x80'}) {
        std::string bad = bytes;
        bad[i] = c;
        reader r(as_span(bad));
        auto d = TypeParam::decode(r, v);
        if (!d.ok()) continue;
        std::string again;
        writer w(again);
        d->encode(w, v);
        ASSERT_TRUE(w.ok()) << w.error();
        reader r2(as_span(again));
        auto d2 = TypeParam::decode(r2, v);
        ASSERT_TRUE(d2.ok()) << d2.error().message;
        EXPECT_TRUE(*d2 == *d) << TypeParam::message_name << " v" << v << " byte " << i;
      }
    }
  }
}

TEST(MalformedFixtures, EveryFixtureTruncatedAtEveryByte) {
  // Request frames: header then body, as a broker reads them (size prefix stripped).
  for (const char* name : {"metadata_v5_request", "produce_v7_request", "fetch_v11_request", "join_group_v2_request",
                           "offset_commit_v2_request", "librdkafka_api_versions_v3_request",
                           "librdkafka_init_producer_id_request", "librdkafka_produce_request"}) {
    SCOPED_TRACE(name);
    const std::string frame = testing::load_fixture(name);
    ASSERT_GT(frame.size(), 8u);
    const std::string message = frame.substr(4);
    const auto key = static_cast<std::int16_t>(static_cast<std::uint8_t>(message[0]) << 8 | static_cast<std::uint8_t>(message[1]));
    const auto version =
        static_cast<std::int16_t>(static_cast<std::uint8_t>(message[2]) << 8 | static_cast<std::uint8_t>(message[3]));
    for (std::size_t k = 0; k < message.size(); ++k) {
      const std::string prefix = message.substr(0, k);
      reader r(as_span(prefix));
      auto header = request_header::decode(r, request_header_version(key, version));
      if (!header.ok()) continue;
      bool ok = false;
      switch (key) {
        case metadata_request::api_key: ok = metadata_request::decode(r, version).ok(); break;
        case produce_request::api_key: ok = produce_request::decode(r, version).ok(); break;
        case fetch_request::api_key: ok = fetch_request::decode(r, version).ok(); break;
        case join_group_request::api_key: ok = join_group_request::decode(r, version).ok(); break;
        case offset_commit_request::api_key: ok = offset_commit_request::decode(r, version).ok(); break;
        case api_versions_request::api_key: ok = api_versions_request::decode(r, version).ok(); break;
        case init_producer_id_request::api_key: ok = init_producer_id_request::decode(r, version).ok(); break;
        default: FAIL() << "no decoder for key " << key;
      }
      EXPECT_FALSE(ok) << "decoded from " << k << " of " << message.size() << " bytes";
    }
  }
}

TEST(MalformedCounts, HugeArrayCountsFailFastWithoutAllocating) {
  struct huge_case {
    const char* what;
    std::string bytes;
    std::int16_t version;
  };
  const huge_case cases[] = {
      {"Metadata v1 topics: 2^31-1 in 4 bytes", unhex("7fffffff"), 1},
      {"Metadata v9 topics: compact 2^32-2", unhex("ffffffff0f"), 9},
      {"Metadata v1 topics: 2^31-1 then one name", unhex("7fffffff 0001 61"), 1},
  };
  for (const auto& c : cases) {
    testing::allocation_tracker t;
    reader r(as_span(c.bytes));
    auto d = metadata_request::decode(r, c.version);
    ASSERT_FALSE(d.ok()) << c.what;
    EXPECT_EQ(d.error().code, decode_errc::invalid_length) << c.what;
    EXPECT_LT(t.largest(), 4096u) << c.what;
  }
  {
    // Fetch v4 response: one topic whose partition array claims 2^31-1 entries.
    const std::string bytes = unhex("00000000 00000001 0001 74 7fffffff");
    testing::allocation_tracker t;
    reader r(as_span(bytes));
    auto d = fetch_response::decode(r, 4);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, decode_errc::invalid_length);
    EXPECT_NE(d.error().message.find("fetchable_topic_response.partitions"), std::string::npos) << d.error().message;
    EXPECT_LT(t.largest(), 4096u);
  }
  {
    // Produce v3: records claiming 2 GiB.
    const std::string bytes = unhex("ffff 0001 00000000 00000001 0001 74 00000001 00000000 7fffffff");
    testing::allocation_tracker t;
    reader r(as_span(bytes));
    auto d = produce_request::decode(r, 3);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, decode_errc::invalid_length);
    EXPECT_LT(t.largest(), 4096u);
  }
  {
    // An int32 array is checked at 4 bytes per element: 3 claimed, 8 bytes present.
    const std::string bytes = unhex("0000 00000001 0001 74 00000003 00000001 00000001");
    reader r(as_span(bytes));
    auto d = offset_fetch_request::decode(r, 1);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, decode_errc::invalid_length);
  }
}

TEST(MalformedLengths, NegativeLengthsAndForbiddenNulls) {
  {
    const std::string r_bytes = unhex("fffe");  // FindCoordinator v0 key: length -2
    reader r(as_span(r_bytes));
    auto d = find_coordinator_request::decode(r, 0);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, decode_errc::invalid_length);
    EXPECT_EQ(d.error().message, "FindCoordinatorRequest v0: invalid length at byte 0 in "
                                 "find_coordinator_request.key: length -2");
  }
  {
    const std::string r_bytes = unhex("ffff");  // the same key null: not nullable in any version
    reader r(as_span(r_bytes));
    auto d = find_coordinator_request::decode(r, 0);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, decode_errc::invalid_length);
  }
  {
    const std::string r_bytes = unhex("ffffffff");  // Metadata v0: null topics is not allowed before v1
    reader r(as_span(r_bytes));
    EXPECT_FALSE(metadata_request::decode(r, 0).ok());
    const std::string r1_bytes = unhex("ffffffff");
    reader r1(as_span(r1_bytes));
    EXPECT_TRUE(metadata_request::decode(r1, 1).ok());
  }
  {
    const std::string r_bytes = unhex("fffffffe");  // array length -2
    reader r(as_span(r_bytes));
    auto d = metadata_request::decode(r, 1);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, decode_errc::invalid_length);
  }
}

TEST(MalformedTags, UnknownTagsAreSkippedKnownTagsChecked) {
  // ApiVersions v3 request: two compact strings, then tags.
  const std::string body = "02" "61" "02" "62";
  {
    const std::string r_bytes = unhex(body + "02" "05" "02" "aabb" "09" "00");  // unknown tags 5 and 9
    reader r(as_span(r_bytes));
    auto d = api_versions_request::decode(r, 3);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(d->client_software_name, "a");
  }
  {
    const std::string r_bytes = unhex(body + "02" "09" "00" "05" "00");  // out of order
    reader r(as_span(r_bytes));
    auto d = api_versions_request::decode(r, 3);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, decode_errc::invalid_tagged_fields);
  }
  {
    // ApiVersions v3 response, tag 1 (FinalizedFeaturesEpoch, int64) carrying 9 bytes.
    const std::string r_bytes = unhex("0000" "01" "00000000" "01" "01" "09" "000000000000000700");
    reader r(as_span(r_bytes));
    auto d = api_versions_response::decode(r, 3);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, decode_errc::invalid_tagged_fields);
  }
  {
    // ... and carrying 7 bytes: the int64 inside is truncated.
    const std::string r_bytes = unhex("0000" "01" "00000000" "01" "01" "07" "00000000000007");
    reader r(as_span(r_bytes));
    auto d = api_versions_response::decode(r, 3);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, decode_errc::truncated);
    EXPECT_NE(d.error().message.find("api_versions_response.finalized_features_epoch"), std::string::npos)
        << d.error().message;
  }
  {
    const std::string r_bytes = unhex("0000" "01" "00000000" "01" "01" "08" "0000000000000007");
    reader r(as_span(r_bytes));
    auto d = api_versions_response::decode(r, 3);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->finalized_features_epoch, 7);
  }
}

TEST(MalformedTrailing, DecodeStopsAtTheMessageEndAndLeavesTheRestToTheCaller) {
  const std::string bytes = unhex("0001 61" "ffff");  // FindCoordinator v0 "a" + 2 extra bytes
  reader r(as_span(bytes));
  auto d = find_coordinator_request::decode(r, 0);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->key, "a");
  EXPECT_EQ(r.position(), 3u);
  EXPECT_EQ(r.remaining(), 2u);
}

TEST(MalformedVarints, OverlongCompactLength) {
  const std::string r_bytes = unhex("808080808000");  // ApiVersions v3: six-byte uvarint
  reader r(as_span(r_bytes));
  auto d = api_versions_request::decode(r, 3);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, decode_errc::invalid_varint);
}

}  // namespace
}  // namespace tributary::kafka::protocol
