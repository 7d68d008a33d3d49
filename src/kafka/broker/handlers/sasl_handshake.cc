// SaslHandshake (17): picks the mechanism. v0: the tokens then follow as bare frames (handled in
// broker.cc); v1: they come in SaslAuthenticate requests.
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"
#include "kafka/broker/sasl.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_sasl_handshake(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::sasl_handshake_request, protocol::sasl_handshake_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::sasl_handshake_request& req)
                            -> boost::asio::awaitable<protocol::sasl_handshake_response> {
        protocol::sasl_handshake_response r;
        r.mechanisms = sasl_mechanisms();
        if (ctx.client.authenticated) {
          r.error_code = code(error_code::illegal_sasl_state);
          co_return r;
        }
        auto exchange = sasl_exchange::start(req.mechanism, ctx.b.config().users);
        if (!exchange) {
          r.error_code = code(error_code::unsupported_sasl_mechanism);
          co_return r;
        }
        ctx.client.sasl = std::move(exchange);
        ctx.client.raw_sasl_tokens = ctx.version == 0;
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
