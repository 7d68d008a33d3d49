// JoinGroup (11): hands the request to the group coordinator and waits for its (possibly deferred)
// answer: the rebalance completes when every member has rejoined or its timeout passes.
#include "kafka/broker/async_log.h"
#include "kafka/broker/handlers/groups.h"
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_join_group(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::join_group_request, protocol::join_group_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::join_group_request& req)
                            -> boost::asio::awaitable<protocol::join_group_response> {
        join_group_request j;
        j.group_id = req.group_id;
        j.member_id = req.member_id;
        j.group_instance_id = req.group_instance_id;
        j.client_id = ctx.client.client_id;
        j.protocol_type = req.protocol_type;
        j.session_timeout_ms = req.session_timeout_ms;
        j.rebalance_timeout_ms = req.rebalance_timeout_ms;
        for (const auto& p : req.protocols) j.protocols.emplace_back(p.name, p.metadata);
        j.version = ctx.version;
        group_coordinator& groups = ctx.b.groups();
        auto start = [&groups, j = std::move(j)](std::function<void(join_group_response)> done) mutable {
          groups.join(std::move(j), group_clock_ms(), std::move(done));
        };
        auto answer = co_await async_call<join_group_response>(std::move(start));
        protocol::join_group_response r;
        r.error_code = code(answer.error);
        r.generation_id = answer.generation_id;
        r.protocol_type = answer.protocol_type;
        r.protocol_name = answer.protocol_name;
        r.leader = answer.leader;
        r.member_id = answer.member_id;
        for (auto& m : answer.members) r.members.push_back({m.member_id, m.group_instance_id, m.metadata});
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
