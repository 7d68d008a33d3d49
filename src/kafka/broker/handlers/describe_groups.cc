// DescribeGroups (15): state, protocol and members (metadata and assignment bytes as the clients
// sent them); unknown groups are reported Dead, as Kafka does.
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_describe_groups(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::describe_groups_request, protocol::describe_groups_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::describe_groups_request& req)
                            -> boost::asio::awaitable<protocol::describe_groups_response> {
        protocol::describe_groups_response r;
        const auto with_offsets = ctx.b.offsets().groups();
        for (const auto& id : req.groups) {
          protocol::describe_groups_response::described_group g;
          g.group_id = id;
          if (auto s = ctx.b.groups().describe(id)) {
            g.group_state = s->state;
            g.protocol_type = s->protocol_type;
            g.protocol_data = s->protocol_name;
            for (const auto& m : s->members) {
              g.members.push_back({m.member_id, m.group_instance_id, m.client_id, m.client_host, m.metadata, m.assignment});
            }
          } else {
            const bool known = std::find(with_offsets.begin(), with_offsets.end(), id) != with_offsets.end();
            g.group_state = known ? "Empty" : "Dead";
            g.protocol_type = known ? "consumer" : "";
          }
          r.groups.push_back(std::move(g));
        }
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
