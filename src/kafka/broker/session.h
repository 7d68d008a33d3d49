// session: one Kafka client connection. Reads size-prefixed request frames, hands each to the
// request handler and writes its response before reading the next frame, so responses go out in
// request order (as Kafka does: it mutes a connection while a request is in progress); a slow
// request (long-poll Fetch, JoinGroup) holds up only its own connection. Framing errors close the
// connection with a log line saying why. Runs on the connection's executor.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/connection.h"

namespace tributary::kafka::broker {

class sasl_exchange;

// Per-connection state that outlives a request: authentication, the client's name.
struct client_state {
  std::string peer;
  std::string listener;      // "kafka" or "kafka-sasl"
  bool sasl_required = false;
  bool authenticated = false;
  std::shared_ptr<sasl_exchange> sasl;  // the exchange SaslHandshake started, until it ends
  bool raw_sasl_tokens = false;         // SaslHandshake v0: tokens follow as bare size-prefixed frames
  std::string principal;
  std::string client_id;
};

struct handler_result {
  std::optional<std::string> response;  // without the size prefix; nullopt = no response (acks=0)
  bool close = false;                    // close the connection after the response, if any
  std::string reason;                    // why, for the log, when closing
};

// `frame` is the request without its size prefix; the handler may modify it (Produce assigns
// offsets inside the record batches in place).
using request_handler = std::function<boost::asio::awaitable<handler_result>(std::string& frame, client_state& client)>;

struct session_limits {
  std::size_t max_request_bytes = 100 * 1024 * 1024;  // Kafka's socket.request.max.bytes
  std::chrono::milliseconds idle_timeout{600000};     // Kafka's connections.max.idle.ms
  std::chrono::milliseconds io_timeout{60000};        // reading one frame, writing one response
};

boost::asio::awaitable<void> serve_kafka(std::shared_ptr<net::connection> conn, request_handler handler,
                                         session_limits limits, client_state client);

}  // namespace tributary::kafka::broker
