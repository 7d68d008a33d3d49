// InitProducerId (22): a new producer id with epoch 0 for idempotent producers (transactional_id
// null, kafka-protocol.md §7). As Kafka does for a null transactional id, the producer id and epoch
// that v3+ requests carry are not checked: every request gets a fresh id. Transactions are not
// supported: a transactional id is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53), which
// librdkafka (rd_kafka_idemp_check_error) and the Java producer treat as fatal instead of retrying.
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

namespace {
constexpr std::int16_t transactional_id_authorization_failed = 53;
}

boost::asio::awaitable<api_outcome> handle_init_producer_id(request_context& ctx, std::string& frame,
                                                            std::size_t body) {
  co_return co_await typed<protocol::init_producer_id_request, protocol::init_producer_id_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::init_producer_id_request& req)
                            -> boost::asio::awaitable<protocol::init_producer_id_response> {
        protocol::init_producer_id_response r;
        if (req.transactional_id) {
          // Kafka answers an empty transactional id with INVALID_REQUEST (TransactionCoordinator).
          r.error_code = req.transactional_id->empty() ? code(error_code::invalid_request)
                                                       : transactional_id_authorization_failed;
          r.producer_id = -1;
          r.producer_epoch = -1;
          co_return r;
        }
        r.producer_id = ctx.b.next_producer_id();
        r.producer_epoch = 0;
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
