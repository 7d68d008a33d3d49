// typed: decodes a request struct, runs a handler body that returns the response struct, and
// encodes it; a request that does not decode closes the connection with the decoder's message.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "kafka/broker/handler.h"
#include "kafka/protocol/messages/all.h"

namespace tributary::kafka::broker {

template <typename Request, typename Response, typename Body>
boost::asio::awaitable<api_outcome> typed(request_context& ctx, std::string& frame, std::size_t body_offset, Body body) {
  protocol::reader r({reinterpret_cast<const std::uint8_t*>(frame.data()) + body_offset, frame.size() - body_offset},
                     body_offset);
  auto request = Request::decode(r, ctx.version);
  if (!request) co_return api_outcome{std::nullopt, true, request.error().message};
  Response response = co_await body(ctx, *request);
  std::string out;
  protocol::writer w(out);
  response.encode(w, ctx.version);
  if (!w.ok()) co_return api_outcome{std::nullopt, true, std::string(Response::message_name) + ": " + w.error()};
  co_return api_outcome{std::move(out), false, {}};
}

inline std::int16_t code(error_code e) { return static_cast<std::int16_t>(e); }

}  // namespace tributary::kafka::broker
