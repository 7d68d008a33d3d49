// FindCoordinator (10): this node coordinates every group (and transactional id).
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_find_coordinator(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::find_coordinator_request, protocol::find_coordinator_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::find_coordinator_request&)
                            -> boost::asio::awaitable<protocol::find_coordinator_response> {
        protocol::find_coordinator_response r;
        const host_port self = ctx.b.advertised(ctx.client.listener);
        r.node_id = ctx.b.config().node_id;
        r.host = self.host;
        r.port = self.port;
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
