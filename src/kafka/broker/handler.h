// handler: what a per-API handler sees and returns, and the table of handlers that feeds both the
// dispatch and the ApiVersions answer (so an API is advertised exactly when it is implemented).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <span>
#include <string>

#include "kafka/broker/broker.h"
#include "kafka/broker/session.h"
#include "kafka/protocol/wire.h"

namespace tributary::kafka::broker {

struct request_context {
  broker& b;
  client_state& client;
  std::int16_t api_key;
  std::int16_t version;
  std::int32_t correlation_id;
};

struct api_outcome {
  std::optional<std::string> body;  // the response body; nullopt = send nothing (acks=0)
  bool close = false;               // close the connection (after sending `body`, if any)
  std::string reason;
};

// `frame` is the whole request, `body_offset` where the body starts after the header; Produce
// rewrites base offsets inside `frame` in place.
using handler_fn = boost::asio::awaitable<api_outcome> (*)(request_context& ctx, std::string& frame,
                                                           std::size_t body_offset);

struct api_handler {
  std::int16_t api_key;
  std::int16_t min_version;  // advertised range (Profile A, kafka-protocol.md §4)
  std::int16_t max_version;
  bool before_authentication;  // allowed before SASL completes
  handler_fn handle;
};

std::span<const api_handler> api_handlers();
const api_handler* find_handler(std::int16_t api_key);

}  // namespace tributary::kafka::broker
