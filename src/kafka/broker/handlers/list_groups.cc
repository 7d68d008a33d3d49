// ListGroups (16): groups with members, and groups known only by their committed offsets (Empty).
#include <set>

#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_list_groups(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::list_groups_request, protocol::list_groups_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::list_groups_request& req)
                            -> boost::asio::awaitable<protocol::list_groups_response> {
        protocol::list_groups_response r;
        std::set<std::string> seen;
        auto add = [&](const std::string& id, const std::string& type, const std::string& state) {
          if (!seen.insert(id).second) return;
          if (!req.states_filter.empty() &&
              std::find(req.states_filter.begin(), req.states_filter.end(), state) == req.states_filter.end()) {
            return;
          }
          protocol::list_groups_response::listed_group g;
          g.group_id = id;
          g.protocol_type = type;
          g.group_state = state;
          r.groups.push_back(std::move(g));
        };
        for (const auto& g : ctx.b.groups().list()) add(g.group_id, g.protocol_type, g.state);
        for (const auto& id : ctx.b.offsets().groups()) add(id, "consumer", "Empty");
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
