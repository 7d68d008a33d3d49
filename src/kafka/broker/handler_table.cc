#include "kafka/broker/handler.h"
#include "kafka/broker/handlers/handlers.h"

namespace tributary::kafka::broker {

// Advertised versions: "Profile A" of kafka-protocol.md §4. Keep in step with handlers/.
std::span<const api_handler> api_handlers() {
  static constexpr api_handler table[] = {
      {0, 3, 7, false, handle_produce},
      {1, 4, 11, false, handle_fetch},
      {2, 0, 5, false, handle_list_offsets},
      {3, 0, 8, false, handle_metadata},
      {8, 0, 7, false, handle_offset_commit},
      {9, 0, 5, false, handle_offset_fetch},
      {10, 0, 2, false, handle_find_coordinator},
      {11, 0, 5, false, handle_join_group},
      {12, 0, 3, false, handle_heartbeat},
      {13, 0, 3, false, handle_leave_group},
      {14, 0, 3, false, handle_sync_group},
      {15, 0, 4, false, handle_describe_groups},
      {16, 0, 2, false, handle_list_groups},
      {17, 0, 1, true, handle_sasl_handshake},
      {18, 0, 3, true, handle_api_versions},
      {19, 0, 4, false, handle_create_topics},
      {20, 0, 3, false, handle_delete_topics},
      // v2+ flexible; librdkafka 2.0.2 sends up to v4 (v3+ carry the producer id/epoch, which a
      // null transactional id ignores), kafkajs up to v1.
      {22, 0, 4, false, handle_init_producer_id},
      {32, 0, 3, false, handle_describe_configs},
      {36, 0, 1, true, handle_sasl_authenticate},
  };
  return table;
}

const api_handler* find_handler(std::int16_t api_key) {
  for (const auto& h : api_handlers()) {
    if (h.api_key == api_key) return &h;
  }
  return nullptr;
}

}  // namespace tributary::kafka::broker
