// Metadata (3): this node, and the requested (or all) topics, auto-creating missing ones when the
// request and the configuration allow it (kafka-protocol.md §7, §10).
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

namespace {

protocol::metadata_response::metadata_response_topic describe(request_context& ctx, const std::string& name,
                                                              const std::shared_ptr<log::topic>& t, error_code error) {
  protocol::metadata_response::metadata_response_topic out;
  out.name = name;
  out.error_code = code(error);
  if (!t) return out;
  out.is_internal = name.starts_with("__");
  const std::int32_t node = ctx.b.config().node_id;
  for (std::size_t i = 0; i < t->partition_count(); ++i) {
    protocol::metadata_response::metadata_response_partition p;
    p.partition_index = static_cast<std::int32_t>(i);
    p.leader_id = node;
    p.leader_epoch = 0;
    p.replica_nodes = {node};
    p.isr_nodes = {node};
    out.partitions.push_back(std::move(p));
  }
  return out;
}

}  // namespace

boost::asio::awaitable<api_outcome> handle_metadata(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::metadata_request, protocol::metadata_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::metadata_request& req)
                            -> boost::asio::awaitable<protocol::metadata_response> {
        protocol::metadata_response r;
        const host_port self = ctx.b.advertised(ctx.client.listener);
        r.brokers.push_back({ctx.b.config().node_id, self.host, self.port, std::nullopt});
        r.cluster_id = ctx.b.config().cluster_id;
        r.controller_id = ctx.b.config().node_id;
        // v0: an empty list means every topic; v1+: null means every topic, empty means none.
        const bool all = !req.topics || (ctx.version == 0 && req.topics->empty());
        if (all) {
          for (const auto& name : ctx.b.log().topic_names()) {
            r.topics.push_back(describe(ctx, name, ctx.b.log().find_topic(name), error_code::none));
          }
          co_return r;
        }
        const bool may_create = ctx.version < 4 || req.allow_auto_topic_creation;
        for (const auto& requested : *req.topics) {
          const std::string name = requested.name.value_or("");
          error_code error = error_code::none;
          auto t = ctx.b.find_or_create_topic(name, may_create, error);
          r.topics.push_back(describe(ctx, name, t, error));
        }
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
