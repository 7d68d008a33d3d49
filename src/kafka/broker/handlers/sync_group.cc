// SyncGroup (14): followers wait here until the leader's assignment arrives.
#include "kafka/broker/async_log.h"
#include "kafka/broker/handlers/groups.h"
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_sync_group(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::sync_group_request, protocol::sync_group_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::sync_group_request& req)
                            -> boost::asio::awaitable<protocol::sync_group_response> {
        sync_group_request s{req.group_id, req.generation_id, req.member_id, {}};
        for (const auto& a : req.assignments) s.assignments.emplace_back(a.member_id, a.assignment);
        group_coordinator& groups = ctx.b.groups();
        auto start = [&groups, s = std::move(s)](std::function<void(sync_group_response)> done) mutable {
          groups.sync(std::move(s), group_clock_ms(), std::move(done));
        };
        auto answer = co_await async_call<sync_group_response>(std::move(start));
        protocol::sync_group_response r;
        r.error_code = code(answer.error);
        r.assignment = answer.assignment;
        if (!answer.protocol_type.empty()) r.protocol_type = answer.protocol_type;
        if (!answer.protocol_name.empty()) r.protocol_name = answer.protocol_name;
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
