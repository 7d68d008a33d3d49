// error_code: the Kafka protocol error codes the broker returns (../shared/spec/kafka-protocol.md §9),
// and the one table that maps the embedded log's errors onto them.
#pragma once

#include <cstdint>

#include "log/log_error.h"

namespace tributary::kafka::broker {

enum class error_code : std::int16_t {
  unknown_server_error = -1,
  none = 0,
  offset_out_of_range = 1,
  corrupt_message = 2,
  unknown_topic_or_partition = 3,
  leader_not_available = 5,
  request_timed_out = 7,
  message_too_large = 10,
  offset_metadata_too_large = 12,
  coordinator_load_in_progress = 14,
  coordinator_not_available = 15,
  not_coordinator = 16,
  invalid_topic_exception = 17,
  invalid_required_acks = 21,
  illegal_generation = 22,
  inconsistent_group_protocol = 23,
  invalid_group_id = 24,
  unknown_member_id = 25,
  invalid_session_timeout = 26,
  rebalance_in_progress = 27,
  unsupported_sasl_mechanism = 33,
  illegal_sasl_state = 34,
  unsupported_version = 35,
  topic_already_exists = 36,
  invalid_partitions = 37,
  invalid_replication_factor = 38,
  invalid_config = 40,
  invalid_request = 42,
  out_of_order_sequence_number = 45,
  duplicate_sequence_number = 46,
  invalid_producer_epoch = 47,
  sasl_authentication_failed = 58,
  unknown_producer_id = 59,
  non_empty_group = 68,
  group_id_not_found = 69,
  kafka_storage_error = 56,
  unsupported_compression_type = 76,
  member_id_required = 79,
  invalid_record = 87,
};

// The Kafka answer to a failed log operation.
error_code to_kafka(log::log_errc e);

}  // namespace tributary::kafka::broker
