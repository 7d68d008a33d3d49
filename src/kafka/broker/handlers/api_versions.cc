// ApiVersions (18): the table of handler_table.cc, answerable before authentication.
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_api_versions(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::api_versions_request, protocol::api_versions_response>(
      ctx, frame, body, [](request_context&, const protocol::api_versions_request&)
                            -> boost::asio::awaitable<protocol::api_versions_response> {
        protocol::api_versions_response r;
        for (const auto& h : api_handlers()) r.api_keys.push_back({h.api_key, h.min_version, h.max_version});
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
