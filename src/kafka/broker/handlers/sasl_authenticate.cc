// SaslAuthenticate (36): one token of the exchange SaslHandshake v1 started. A failure is answered
// with SASL_AUTHENTICATION_FAILED and then the connection is closed, as Kafka does.
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"
#include "kafka/broker/sasl.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_sasl_authenticate(request_context& ctx, std::string& frame, std::size_t body) {
  std::string failure;
  auto outcome = co_await typed<protocol::sasl_authenticate_request, protocol::sasl_authenticate_response>(
      ctx, frame, body, [&failure](request_context& ctx, const protocol::sasl_authenticate_request& req)
                            -> boost::asio::awaitable<protocol::sasl_authenticate_response> {
        protocol::sasl_authenticate_response r;
        if (!ctx.client.sasl || ctx.client.raw_sasl_tokens) {
          r.error_code = code(error_code::illegal_sasl_state);
          r.error_message = "SaslAuthenticate without a SaslHandshake v1";
          failure = *r.error_message;
          co_return r;
        }
        auto step = ctx.client.sasl->respond(req.auth_bytes);
        r.auth_bytes = step.challenge;
        if (step.st == sasl_exchange::state::failed) {
          r.error_code = code(error_code::sasl_authentication_failed);
          r.error_message = step.error;
          failure = step.error;
          ctx.client.sasl.reset();
        } else if (step.st == sasl_exchange::state::succeeded) {
          ctx.client.authenticated = true;
          ctx.client.principal = ctx.client.sasl->principal();
          ctx.client.sasl.reset();
        }
        co_return r;
      });
  if (!failure.empty() && !outcome.close) {
    outcome.close = true;
    outcome.reason = "SASL " + failure;
  }
  co_return outcome;
}

}  // namespace tributary::kafka::broker
