// consumer_protocol: the bytes Kafka consumers put into JoinGroup/SyncGroup for protocol type
// "consumer" (ConsumerProtocolSubscription and ConsumerProtocolAssignment: version, topics,
// partitions, user data) and the "range" assignor the Java client and librdkafka both offer, so a
// REST consumer instance and native consumers can share one group. Decoding reads the fields every
// version starts with and ignores the rest. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tributary::restproxy {

struct topic_partition {
  std::string topic;
  std::int32_t partition = 0;
  friend auto operator<=>(const topic_partition&, const topic_partition&) = default;
};

std::string encode_subscription(const std::vector<std::string>& topics);
std::optional<std::vector<std::string>> decode_subscription(std::string_view bytes);

std::string encode_assignment(const std::vector<topic_partition>& partitions);
std::optional<std::vector<topic_partition>> decode_assignment(std::string_view bytes);

// Kafka's RangeAssignor: per topic, members subscribed to it in member-id order take consecutive
// ranges, the first (partitions % members) one partition more. Every member gets an entry.
std::map<std::string, std::vector<topic_partition>> range_assign(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& member_topics,
    const std::map<std::string, std::int32_t>& partition_counts);

}  // namespace tributary::restproxy
