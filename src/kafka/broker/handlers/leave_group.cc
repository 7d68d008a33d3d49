// LeaveGroup (13): v0-2 one member, v3+ a list of members with an error each.
#include "kafka/broker/handlers/groups.h"
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_leave_group(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::leave_group_request, protocol::leave_group_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::leave_group_request& req)
                            -> boost::asio::awaitable<protocol::leave_group_response> {
        protocol::leave_group_response r;
        std::vector<std::string> ids;
        if (ctx.version < 3) {
          ids.push_back(req.member_id);
        } else {
          for (const auto& m : req.members) ids.push_back(m.member_id);
        }
        const auto errors = ctx.b.groups().leave(req.group_id, ids, group_clock_ms());
        if (ctx.version < 3) {
          r.error_code = code(errors.front());
        } else {
          for (std::size_t i = 0; i < ids.size(); ++i) {
            r.members.push_back({ids[i], req.members[i].group_instance_id, code(errors[i])});
          }
        }
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
