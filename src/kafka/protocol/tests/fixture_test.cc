// Frames produced by implementations independent of this codec (kafka-python 2.0.2's protocol
// classes, librdkafka 2.0.2 via kcat; tests/fixtures/kafka/make_fixtures.py): each decodes to the
// values the script put in and re-encodes to the identical bytes.
#include <gtest/gtest.h>

#include <optional>

#include "common/big_endian.h"
#include "kafka/protocol/messages/all.h"
#include "kafka/protocol/tests/test_support.h"

namespace tributary::kafka::protocol {
namespace {

using testing::as_span;
using testing::hex;
using testing::load_fixture;

template <typename Header, typename Body>
struct frame {
  Header header;
  Body body;
};

// size + header + body: decodes, checks that exactly the frame is consumed, and that encoding the
// decoded header and body gives back the same bytes.
template <typename Header, typename Body>
std::optional<frame<Header, Body>> decode_frame(const std::string& bytes, std::int16_t header_version,
                                                 std::int16_t version) {
  reader r(as_span(bytes));
  const std::int32_t size = r.int32();
  EXPECT_EQ(static_cast<std::size_t>(size) + 4, bytes.size());
  auto header = Header::decode(r, header_version);
  if (!header.ok()) {
    ADD_FAILURE() << header.error().message;
    return std::nullopt;
  }
  auto body = Body::decode(r, version);
  if (!body.ok()) {
    ADD_FAILURE() << body.error().message;
    return std::nullopt;
  }
  EXPECT_TRUE(r.at_end()) << r.remaining() << " bytes left after " << Body::message_name;

  std::string out;
  writer w(out);
  w.int32(0);
  header->encode(w, header_version);
  body->encode(w, version);
  EXPECT_TRUE(w.ok()) << w.error();
  write_be<std::int32_t>(reinterpret_cast<std::uint8_t*>(out.data()), static_cast<std::int32_t>(out.size() - 4));
  EXPECT_EQ(hex(out), hex(bytes)) << Body::message_name << " v" << version;
  return frame<Header, Body>{std::move(*header), std::move(*body)};
}

// A request frame says its own api key and version (the first fields of every header version).
template <typename Body>
std::optional<frame<request_header, Body>> decode_request(std::string_view fixture, std::int16_t expect_version) {
  const std::string bytes = load_fixture(fixture);
  if (bytes.size() < 8) {
    ADD_FAILURE() << fixture << ": too short";
    return std::nullopt;
  }
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto api_key = read_be<std::int16_t>(p + 4);
  const auto version = read_be<std::int16_t>(p + 6);
  EXPECT_EQ(api_key, Body::api_key) << fixture;
  EXPECT_EQ(version, expect_version) << fixture;
  auto f = decode_frame<request_header, Body>(bytes, request_header_version(api_key, version), version);
  if (f) {
    EXPECT_EQ(f->header.request_api_key, Body::api_key);
    EXPECT_EQ(f->header.request_api_version, version);
  }
  return f;
}

// A response frame does not: the caller knows the version from its request.
template <typename Body>
std::optional<frame<response_header, Body>> decode_response(std::string_view fixture, std::int16_t version) {
  return decode_frame<response_header, Body>(load_fixture(fixture), response_header_version(Body::api_key, version),
                                             version);
}

constexpr const char* kClientId = "fixture-client";

// The RecordBatch kafka-python built: magic 2 at byte 16, two records.
void expect_record_batch(const std::optional<std::string>& records) {
  ASSERT_TRUE(records.has_value());
  ASSERT_GE(records->size(), 61u);
  EXPECT_EQ((*records)[16], 2) << "magic";
  const auto* p = reinterpret_cast<const std::uint8_t*>(records->data());
  EXPECT_EQ(read_be<std::int32_t>(p + 8) + 12u, records->size()) << "batchLength";
  EXPECT_EQ(read_be<std::int32_t>(p + 57), 2) << "record count";
}

TEST(KafkaPythonFixtures, ApiVersionsRequestsV0ToV2) {
  for (std::int16_t v = 0; v <= 2; ++v) {
    auto f = decode_request<api_versions_request>("api_versions_v" + std::to_string(v) + "_request", v);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->header.correlation_id, 100 + v);
    EXPECT_EQ(f->header.client_id, kClientId);
  }
}

TEST(KafkaPythonFixtures, ApiVersionsResponsesV0ToV2) {
  for (std::int16_t v = 0; v <= 2; ++v) {
    auto f = decode_response<api_versions_response>("api_versions_v" + std::to_string(v) + "_response", v);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->header.correlation_id, 100 + v);
    EXPECT_EQ(f->body.error_code, 0);
    ASSERT_EQ(f->body.api_keys.size(), 3u);
    EXPECT_EQ(f->body.api_keys[0].api_key, 0);
    EXPECT_EQ(f->body.api_keys[0].min_version, 3);
    EXPECT_EQ(f->body.api_keys[0].max_version, 7);
    EXPECT_EQ(f->body.api_keys[2].api_key, 18);
    EXPECT_EQ(f->body.throttle_time_ms, v == 2 ? 7 : 0);
  }
}

TEST(KafkaPythonFixtures, MetadataRequests) {
  auto v0 = decode_request<metadata_request>("metadata_v0_request", 0);
  ASSERT_TRUE(v0);
  EXPECT_EQ(v0->header.correlation_id, 1);
  ASSERT_TRUE(v0->body.topics);
  EXPECT_TRUE(v0->body.topics->empty());

  auto v1 = decode_request<metadata_request>("metadata_v1_request", 1);
  ASSERT_TRUE(v1);
  ASSERT_TRUE(v1->body.topics);
  ASSERT_EQ(v1->body.topics->size(), 1u);
  EXPECT_EQ((*v1->body.topics)[0].name, "telemetry");

  auto all = decode_request<metadata_request>("metadata_v1_null_request", 1);
  ASSERT_TRUE(all);
  EXPECT_FALSE(all->body.topics.has_value());

  auto v5 = decode_request<metadata_request>("metadata_v5_request", 5);
  ASSERT_TRUE(v5);
  ASSERT_EQ(v5->body.topics->size(), 2u);
  EXPECT_EQ((*v5->body.topics)[1].name, "event");
  EXPECT_FALSE(v5->body.allow_auto_topic_creation);
}

TEST(KafkaPythonFixtures, MetadataResponses) {
  auto v1 = decode_response<metadata_response>("metadata_v1_response", 1);
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->header.correlation_id, 2);
  ASSERT_EQ(v1->body.brokers.size(), 1u);
  EXPECT_EQ(v1->body.brokers[0].node_id, 1);
  EXPECT_EQ(v1->body.brokers[0].host, "localhost");
  EXPECT_EQ(v1->body.brokers[0].port, 9092);
  EXPECT_EQ(v1->body.brokers[0].rack, std::nullopt);
  EXPECT_EQ(v1->body.controller_id, 1);
  ASSERT_EQ(v1->body.topics.size(), 1u);
  const auto& t = v1->body.topics[0];
  EXPECT_EQ(t.name, "telemetry");
  EXPECT_FALSE(t.is_internal);
  ASSERT_EQ(t.partitions.size(), 2u);
  EXPECT_EQ(t.partitions[1].partition_index, 1);
  EXPECT_EQ(t.partitions[1].leader_id, 1);
  EXPECT_EQ(t.partitions[1].replica_nodes, std::vector<std::int32_t>{1});
  EXPECT_EQ(t.partitions[1].isr_nodes, std::vector<std::int32_t>{1});

  auto v5 = decode_response<metadata_response>("metadata_v5_response", 5);
  ASSERT_TRUE(v5);
  EXPECT_EQ(v5->body.brokers[0].host, "broker-1");
  EXPECT_EQ(v5->body.brokers[0].rack, "rack-a");
  EXPECT_EQ(v5->body.cluster_id, "cluster-x");
  ASSERT_EQ(v5->body.topics.size(), 2u);
  EXPECT_EQ(v5->body.topics[0].error_code, 5);
  EXPECT_EQ(v5->body.topics[0].name, "event");
  EXPECT_TRUE(v5->body.topics[0].partitions.empty());
  EXPECT_TRUE(v5->body.topics[1].partitions[0].offline_replicas.empty());
}

TEST(KafkaPythonFixtures, ProduceRequestsV3AndV7) {
  auto v3 = decode_request<produce_request>("produce_v3_request", 3);
  ASSERT_TRUE(v3);
  EXPECT_EQ(v3->header.correlation_id, 5);
  EXPECT_EQ(v3->body.transactional_id, std::nullopt);
  EXPECT_EQ(v3->body.acks, 1);
  EXPECT_EQ(v3->body.timeout_ms, 30000);
  ASSERT_EQ(v3->body.topic_data.size(), 1u);
  EXPECT_EQ(v3->body.topic_data[0].name, "telemetry");
  ASSERT_EQ(v3->body.topic_data[0].partition_data.size(), 1u);
  EXPECT_EQ(v3->body.topic_data[0].partition_data[0].index, 0);
  expect_record_batch(v3->body.topic_data[0].partition_data[0].records);

  auto v7 = decode_request<produce_request>("produce_v7_request", 7);
  ASSERT_TRUE(v7);
  EXPECT_EQ(v7->body.transactional_id, "txn-1");
  EXPECT_EQ(v7->body.acks, -1);
  EXPECT_EQ(v7->body.timeout_ms, 1500);
  ASSERT_EQ(v7->body.topic_data[0].partition_data.size(), 2u);
  EXPECT_EQ(v7->body.topic_data[0].partition_data[1].index, 1);
  expect_record_batch(v7->body.topic_data[0].partition_data[1].records);
}

TEST(KafkaPythonFixtures, ProduceResponsesV3AndV7) {
  auto v3 = decode_response<produce_response>("produce_v3_response", 3);
  ASSERT_TRUE(v3);
  const auto& p3 = v3->body.responses[0].partition_responses[0];
  EXPECT_EQ(p3.base_offset, 42);
  EXPECT_EQ(p3.log_append_time_ms, -1);

  auto v7 = decode_response<produce_response>("produce_v7_response", 7);
  ASSERT_TRUE(v7);
  EXPECT_EQ(v7->body.throttle_time_ms, 10);
  const auto& parts = v7->body.responses[0].partition_responses;
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].log_start_offset, 0);
  EXPECT_EQ(parts[1].index, 1);
  EXPECT_EQ(parts[1].error_code, 3);
  EXPECT_EQ(parts[1].base_offset, -1);
}

TEST(KafkaPythonFixtures, FetchRequestsV4AndV11) {
  auto v4 = decode_request<fetch_request>("fetch_v4_request", 4);
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->header.correlation_id, 7);
  EXPECT_EQ(v4->body.replica_id, -1);
  EXPECT_EQ(v4->body.max_wait_ms, 500);
  EXPECT_EQ(v4->body.min_bytes, 1);
  EXPECT_EQ(v4->body.max_bytes, 52428800);
  EXPECT_EQ(v4->body.isolation_level, 1);
  ASSERT_EQ(v4->body.topics.size(), 1u);
  EXPECT_EQ(v4->body.topics[0].topic, "telemetry");
  EXPECT_EQ(v4->body.topics[0].partitions[0].fetch_offset, 42);
  EXPECT_EQ(v4->body.topics[0].partitions[0].partition_max_bytes, 1048576);

  auto v11 = decode_request<fetch_request>("fetch_v11_request", 11);
  ASSERT_TRUE(v11);
  EXPECT_EQ(v11->body.session_id, 0);
  EXPECT_EQ(v11->body.session_epoch, -1);
  const auto& parts = v11->body.topics[0].partitions;
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].partition, 1);
  EXPECT_EQ(parts[1].current_leader_epoch, 5);
  EXPECT_EQ(parts[1].fetch_offset, 7);
  EXPECT_EQ(parts[1].log_start_offset, 0);
  EXPECT_EQ(parts[1].partition_max_bytes, 65536);
  EXPECT_TRUE(v11->body.forgotten_topics_data.empty());
  EXPECT_EQ(v11->body.rack_id, "rack-a");
}

TEST(KafkaPythonFixtures, FetchResponsesV4AndV11) {
  auto v4 = decode_response<fetch_response>("fetch_v4_response", 4);
  ASSERT_TRUE(v4);
  const auto& p = v4->body.responses[0].partitions;
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].high_watermark, 44);
  EXPECT_EQ(p[0].last_stable_offset, 44);
  ASSERT_TRUE(p[0].aborted_transactions);
  EXPECT_TRUE(p[0].aborted_transactions->empty());
  expect_record_batch(p[0].records);
  EXPECT_EQ(p[1].error_code, 1);
  ASSERT_EQ(p[1].aborted_transactions->size(), 1u);
  EXPECT_EQ((*p[1].aborted_transactions)[0].producer_id, 7);
  EXPECT_EQ((*p[1].aborted_transactions)[0].first_offset, 3);
  EXPECT_EQ(p[1].records, std::string());

  auto v11 = decode_response<fetch_response>("fetch_v11_response", 11);
  ASSERT_TRUE(v11);
  const auto& q = v11->body.responses[0].partitions[0];
  EXPECT_EQ(q.log_start_offset, 0);
  EXPECT_FALSE(q.aborted_transactions.has_value());
  EXPECT_EQ(q.preferred_read_replica, -1);
  expect_record_batch(q.records);
}

TEST(KafkaPythonFixtures, ListOffsetsAndFindCoordinator) {
  auto rq = decode_request<list_offsets_request>("list_offsets_v1_request", 1);
  ASSERT_TRUE(rq);
  EXPECT_EQ(rq->body.replica_id, -1);
  EXPECT_EQ(rq->body.topics[0].partitions[1].timestamp, -2);
  auto rs = decode_response<list_offsets_response>("list_offsets_v1_response", 1);
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->body.topics[0].partitions[0].offset, 44);
  EXPECT_EQ(rs->body.topics[0].partitions[0].timestamp, -1);

  auto fq = decode_request<find_coordinator_request>("find_coordinator_v0_request", 0);
  ASSERT_TRUE(fq);
  EXPECT_EQ(fq->body.key, "group-1");
  auto fs = decode_response<find_coordinator_response>("find_coordinator_v0_response", 0);
  ASSERT_TRUE(fs);
  EXPECT_EQ(fs->body.node_id, 1);
  EXPECT_EQ(fs->body.host, "localhost");
  EXPECT_EQ(fs->body.port, 9092);
}

// The consumer-protocol blobs: int16 version, then the struct at that version.
template <typename T>
std::optional<T> decode_consumer_blob(const std::string& bytes) {
  reader r(as_span(bytes));
  const std::int16_t version = r.int16();
  auto d = T::decode(r, version);
  if (!d.ok()) {
    ADD_FAILURE() << d.error().message;
    return std::nullopt;
  }
  EXPECT_TRUE(r.at_end());
  std::string out;
  writer w(out);
  w.int16(version);
  d->encode(w, version);
  EXPECT_EQ(hex(out), hex(bytes));
  return std::move(*d);
}

TEST(KafkaPythonFixtures, ConsumerProtocolPayloads) {
  auto s = decode_consumer_blob<consumer_protocol_subscription>(load_fixture("consumer_subscription_v0"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->topics, (std::vector<std::string>{"telemetry", "event"}));
  EXPECT_EQ(s->user_data, std::string());
  auto a = decode_consumer_blob<consumer_protocol_assignment>(load_fixture("consumer_assignment_v0"));
  ASSERT_TRUE(a);
  ASSERT_EQ(a->assigned_partitions.size(), 1u);
  EXPECT_EQ(a->assigned_partitions[0].topic, "telemetry");
  EXPECT_EQ(a->assigned_partitions[0].partitions, (std::vector<std::int32_t>{0, 1}));
}

TEST(KafkaPythonFixtures, ConsumerGroupRound) {
  auto join = decode_request<join_group_request>("join_group_v2_request", 2);
  ASSERT_TRUE(join);
  EXPECT_EQ(join->body.group_id, "group-1");
  EXPECT_EQ(join->body.session_timeout_ms, 10000);
  EXPECT_EQ(join->body.rebalance_timeout_ms, 300000);
  EXPECT_EQ(join->body.member_id, "");
  EXPECT_EQ(join->body.protocol_type, "consumer");
  ASSERT_EQ(join->body.protocols.size(), 2u);
  EXPECT_EQ(join->body.protocols[1].name, "roundrobin");
  auto sub = decode_consumer_blob<consumer_protocol_subscription>(join->body.protocols[0].metadata);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->topics[0], "telemetry");

  auto joined = decode_response<join_group_response>("join_group_v2_response", 2);
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->body.generation_id, 1);
  EXPECT_EQ(joined->body.protocol_name, "range");
  EXPECT_EQ(joined->body.leader, "member-1");
  ASSERT_EQ(joined->body.members.size(), 1u);
  EXPECT_EQ(joined->body.members[0].metadata, join->body.protocols[0].metadata);

  auto sync = decode_request<sync_group_request>("sync_group_v1_request", 1);
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->body.generation_id, 1);
  ASSERT_EQ(sync->body.assignments.size(), 1u);
  EXPECT_EQ(sync->body.assignments[0].member_id, "member-1");
  auto synced = decode_response<sync_group_response>("sync_group_v1_response", 1);
  ASSERT_TRUE(synced);
  EXPECT_EQ(synced->body.assignment, sync->body.assignments[0].assignment);
  EXPECT_TRUE(decode_consumer_blob<consumer_protocol_assignment>(synced->body.assignment));

  auto hb = decode_request<heartbeat_request>("heartbeat_v1_request", 1);
  ASSERT_TRUE(hb);
  EXPECT_EQ(hb->body.member_id, "member-1");
  auto hb_resp = decode_response<heartbeat_response>("heartbeat_v1_response", 1);
  ASSERT_TRUE(hb_resp);
  EXPECT_EQ(hb_resp->body.error_code, 27);

  auto leave = decode_request<leave_group_request>("leave_group_v1_request", 1);
  ASSERT_TRUE(leave);
  EXPECT_EQ(leave->body.member_id, "member-1");
}

TEST(KafkaPythonFixtures, OffsetCommitAndFetch) {
  auto commit = decode_request<offset_commit_request>("offset_commit_v2_request", 2);
  ASSERT_TRUE(commit);
  EXPECT_EQ(commit->body.group_id, "group-1");
  EXPECT_EQ(commit->body.generation_id_or_member_epoch, 1);
  EXPECT_EQ(commit->body.member_id, "member-1");
  EXPECT_EQ(commit->body.retention_time_ms, -1);
  const auto& parts = commit->body.topics[0].partitions;
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].committed_offset, 44);
  EXPECT_EQ(parts[0].committed_metadata, "");
  EXPECT_EQ(parts[1].committed_metadata, "meta");
  auto committed = decode_response<offset_commit_response>("offset_commit_v2_response", 2);
  ASSERT_TRUE(committed);
  EXPECT_EQ(committed->body.topics[0].partitions[1].error_code, 22);

  auto fetch = decode_request<offset_fetch_request>("offset_fetch_v1_request", 1);
  ASSERT_TRUE(fetch);
  ASSERT_TRUE(fetch->body.topics);
  EXPECT_EQ((*fetch->body.topics)[0].partition_indexes, (std::vector<std::int32_t>{0, 1}));
  auto fetched = decode_response<offset_fetch_response>("offset_fetch_v1_response", 1);
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->body.topics[0].partitions[0].committed_offset, 44);
  EXPECT_EQ(fetched->body.topics[0].partitions[1].committed_offset, -1);
}

TEST(KafkaPythonFixtures, AdminAndSasl) {
  auto create = decode_request<create_topics_request>("create_topics_v3_request", 3);
  ASSERT_TRUE(create);
  const auto& t = create->body.topics[0];
  EXPECT_EQ(t.name, "telemetry");
  EXPECT_EQ(t.num_partitions, 4);
  EXPECT_EQ(t.replication_factor, 1);
  ASSERT_EQ(t.configs.size(), 2u);
  EXPECT_EQ(t.configs[0].value, "60000");
  EXPECT_EQ(t.configs[1].value, std::nullopt);
  EXPECT_EQ(create->body.timeout_ms, 30000);
  EXPECT_TRUE(create->body.validate_only);

  auto del = decode_request<delete_topics_request>("delete_topics_v1_request", 1);
  ASSERT_TRUE(del);
  EXPECT_EQ(del->body.topic_names, (std::vector<std::string>{"old-1", "old-2"}));
  EXPECT_EQ(del->body.timeout_ms, 5000);

  // kafka-python names v1's ConfigSource "is_default" (a bool); both are one byte on the wire.
  auto configs = decode_response<describe_configs_response>("describe_configs_v1_response", 1);
  ASSERT_TRUE(configs);
  const auto& r = configs->body.results[0];
  EXPECT_EQ(r.error_message, std::nullopt);
  EXPECT_EQ(r.resource_type, 2);
  EXPECT_EQ(r.resource_name, "telemetry");
  EXPECT_EQ(r.configs[0].value, "60000");
  EXPECT_EQ(r.configs[0].config_source, 1);
  ASSERT_EQ(r.configs[0].synonyms.size(), 1u);
  EXPECT_EQ(r.configs[0].synonyms[0].source, 1);

  auto groups = decode_response<list_groups_response>("list_groups_v2_response", 2);
  ASSERT_TRUE(groups);
  EXPECT_EQ(groups->body.groups[0].group_id, "group-1");
  EXPECT_EQ(groups->body.groups[0].protocol_type, "consumer");

  auto hs = decode_request<sasl_handshake_request>("sasl_handshake_v1_request", 1);
  ASSERT_TRUE(hs);
  EXPECT_EQ(hs->body.mechanism, "PLAIN");
  auto hs_resp = decode_response<sasl_handshake_response>("sasl_handshake_v1_response", 1);
  ASSERT_TRUE(hs_resp);
  EXPECT_EQ(hs_resp->body.mechanisms, (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256"}));
  auto auth = decode_request<sasl_authenticate_request>("sasl_authenticate_v0_request", 0);
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->body.auth_bytes, std::string("\0user\0secret", 12));
}

// librdkafka 2.0.2 (kcat -L): its first request is ApiVersions v3, flexible, in request header v2
// whose client_id keeps the int16 length; the next one is Metadata v4. An idempotent kcat -P goes
// on to InitProducerId v4 (flexible) and Produce v7 with its own RecordBatch.
TEST(LibrdkafkaFixtures, ApiVersionsV3InRequestHeaderV2) {
  auto f = decode_request<api_versions_request>("librdkafka_api_versions_v3_request", 3);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->header.correlation_id, 1);
  EXPECT_EQ(f->header.client_id, "kcat-fixture");
  EXPECT_EQ(f->body.client_software_name, "librdkafka");
  EXPECT_EQ(f->body.client_software_version, "2.0.2");
}

TEST(LibrdkafkaFixtures, MetadataV4) {
  auto f = decode_request<metadata_request>("librdkafka_metadata_request", 4);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->header.correlation_id, 2);
  EXPECT_EQ(f->header.client_id, "kcat-fixture");
  ASSERT_TRUE(f->body.topics);  // empty, not null: brokers only
  EXPECT_TRUE(f->body.topics->empty());
  EXPECT_FALSE(f->body.allow_auto_topic_creation);
}

TEST(LibrdkafkaFixtures, InitProducerIdV4IsFlexible) {
  auto f = decode_request<init_producer_id_request>("librdkafka_init_producer_id_request", 4);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->header.client_id, "kcat-fixture");
  EXPECT_EQ(f->body.transactional_id, std::nullopt);  // COMPACT_NULLABLE_STRING 0
  EXPECT_EQ(f->body.transaction_timeout_ms, -1);
  EXPECT_EQ(f->body.producer_id, -1);
  EXPECT_EQ(f->body.producer_epoch, -1);
}

TEST(LibrdkafkaFixtures, IdempotentProduceV7) {
  auto f = decode_request<produce_request>("librdkafka_produce_request", 7);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->body.transactional_id, std::nullopt);
  EXPECT_EQ(f->body.acks, -1);  // idempotence implies acks=all
  ASSERT_EQ(f->body.topic_data.size(), 1u);
  EXPECT_EQ(f->body.topic_data[0].name, "telemetry");
  const auto& records = f->body.topic_data[0].partition_data[0].records;
  ASSERT_TRUE(records.has_value());
  ASSERT_GE(records->size(), 61u);
  const auto* p = reinterpret_cast<const std::uint8_t*>(records->data());
  EXPECT_EQ(p[16], 2) << "magic";
  EXPECT_EQ(read_be<std::int64_t>(p + 43), 1000) << "producer id from the fake broker's InitProducerId answer";
  EXPECT_EQ(read_be<std::int32_t>(p + 57), 1) << "record count";
}

}  // namespace
}  // namespace tributary::kafka::protocol
