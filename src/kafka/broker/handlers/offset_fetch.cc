// OffsetFetch (9): committed offsets, -1 where nothing is committed; v2+ null topics means every
// committed partition of the group. Readable whatever the group's state.
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_offset_fetch(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::offset_fetch_request, protocol::offset_fetch_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::offset_fetch_request& req)
                            -> boost::asio::awaitable<protocol::offset_fetch_response> {
        protocol::offset_fetch_response r;
        using partition = protocol::offset_fetch_response::offset_fetch_response_partition;
        auto entry = [](std::int32_t index, const std::optional<committed_offset>& c) {
          partition p;
          p.partition_index = index;
          p.committed_offset = c ? c->offset : -1;
          p.committed_leader_epoch = c ? c->leader_epoch : -1;
          p.metadata = c && c->metadata ? *c->metadata : std::string();
          return p;
        };
        if (!req.topics) {
          std::map<std::string, std::vector<partition>> by_topic;
          for (const auto& e : ctx.b.offsets().fetch_all(req.group_id)) by_topic[e.topic].push_back(entry(e.partition, e.value));
          for (auto& [name, partitions] : by_topic) r.topics.push_back({name, std::move(partitions)});
          co_return r;
        }
        for (const auto& t : *req.topics) {
          protocol::offset_fetch_response::offset_fetch_response_topic rt;
          rt.name = t.name;
          for (auto index : t.partition_indexes) rt.partitions.push_back(entry(index, ctx.b.offsets().fetch(req.group_id, t.name, index)));
          r.topics.push_back(std::move(rt));
        }
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
