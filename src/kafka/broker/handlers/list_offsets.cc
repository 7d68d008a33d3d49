// ListOffsets (2): latest (-1) is the high watermark, earliest (-2) the log start offset, anything
// else the first offset whose timestamp is at least the one asked for (kafka-protocol.md §7).
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

namespace {

constexpr std::int64_t latest = -1;
constexpr std::int64_t earliest = -2;

protocol::list_offsets_response::list_offsets_partition_response lookup(
    request_context& ctx, const std::string& topic, const protocol::list_offsets_request::list_offsets_partition& p) {
  protocol::list_offsets_response::list_offsets_partition_response out;
  out.partition_index = p.partition_index;
  auto t = ctx.b.log().find_topic(topic);
  auto partition = t ? t->get(p.partition_index) : nullptr;
  if (!partition) {
    out.error_code = code(error_code::unknown_topic_or_partition);
    return out;
  }
  std::int64_t offset = -1;
  if (p.timestamp == latest) {
    offset = partition->high_watermark();
  } else if (p.timestamp == earliest) {
    offset = partition->log_start_offset();
  } else {
    auto found = partition->offset_for_timestamp(p.timestamp);
    if (!found) {
      out.error_code = code(to_kafka(found.error().code));
      return out;
    }
    if (*found) {
      offset = **found;
      out.timestamp = p.timestamp;
    }
  }
  out.offset = offset;
  out.leader_epoch = 0;
  if (ctx.version == 0) {
    // v0: a list of offsets; -1 (none found) is answered with the high watermark, as Kafka did.
    out.old_style_offsets = {offset >= 0 ? offset : partition->high_watermark()};
  }
  return out;
}

}  // namespace

boost::asio::awaitable<api_outcome> handle_list_offsets(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::list_offsets_request, protocol::list_offsets_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::list_offsets_request& req)
                            -> boost::asio::awaitable<protocol::list_offsets_response> {
        protocol::list_offsets_response r;
        for (const auto& topic : req.topics) {
          protocol::list_offsets_response::list_offsets_topic_response t;
          t.name = topic.name;
          for (const auto& p : topic.partitions) t.partitions.push_back(lookup(ctx, topic.name, p));
          r.topics.push_back(std::move(t));
        }
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
