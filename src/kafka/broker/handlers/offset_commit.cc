// OffsetCommit (8): checks the member and generation with the coordinator (kafka-protocol.md §8.6),
// then stores the offsets durably before answering.
#include "kafka/broker/async_log.h"
#include "kafka/broker/handlers/groups.h"
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

namespace {
constexpr std::size_t max_metadata_bytes = 4096;  // Kafka's offset.metadata.max.bytes
}

boost::asio::awaitable<api_outcome> handle_offset_commit(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::offset_commit_request, protocol::offset_commit_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::offset_commit_request& req)
                            -> boost::asio::awaitable<protocol::offset_commit_response> {
        protocol::offset_commit_response r;
        const error_code allowed =
            ctx.b.groups().may_commit(req.group_id, req.generation_id_or_member_epoch, req.member_id, group_clock_ms());
        std::vector<offset_commit_entry> entries;
        for (const auto& t : req.topics) {
          protocol::offset_commit_response::offset_commit_response_topic rt;
          rt.name = t.name;
          auto topic = ctx.b.log().find_topic(t.name);
          for (const auto& p : t.partitions) {
            error_code e = allowed;
            if (e == error_code::none && (!topic || !topic->get(p.partition_index))) {
              e = error_code::unknown_topic_or_partition;
            }
            if (e == error_code::none && p.committed_metadata && p.committed_metadata->size() > max_metadata_bytes) {
              e = error_code::offset_metadata_too_large;
            }
            if (e == error_code::none) {
              entries.push_back({t.name, p.partition_index,
                                 {p.committed_offset, p.committed_leader_epoch, p.committed_metadata, -1}});
            }
            rt.partitions.push_back({p.partition_index, code(e)});
          }
          r.topics.push_back(std::move(rt));
        }
        if (!entries.empty()) {
          offset_store& store = ctx.b.offsets();
          auto start = [&store, group = req.group_id, entries = std::move(entries)](
                           std::function<void(log::log_result<void>)> done) mutable {
            store.commit(group, std::move(entries), std::move(done));
          };
          auto stored = co_await async_call<log::log_result<void>>(std::move(start));
          if (!stored) {
            for (auto& t : r.topics) {
              for (auto& p : t.partitions) {
                if (p.error_code == code(error_code::none)) p.error_code = code(to_kafka(stored.error().code));
              }
            }
          }
        }
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
