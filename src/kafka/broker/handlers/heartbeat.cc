// Heartbeat (12): keeps a member's session alive and tells it when to rejoin.
#include "kafka/broker/handlers/groups.h"
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_heartbeat(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::heartbeat_request, protocol::heartbeat_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::heartbeat_request& req)
                            -> boost::asio::awaitable<protocol::heartbeat_response> {
        protocol::heartbeat_response r;
        r.error_code = code(ctx.b.groups().heartbeat(req.group_id, req.generation_id, req.member_id, group_clock_ms()));
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
