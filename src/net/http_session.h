// http_session: serves HTTP/1.1 (keep-alive, pipelined requests answered in order) on one
// connection with Boost.Beast, calling a handler per request. Owns the read/write deadlines and size
// limits; the handler owns what a request means. Runs on the connection's executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <functional>
#include <memory>

#include "net/connection.h"
#include "net/tls.h"

namespace tributary::net {

namespace http = boost::beast::http;
using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;

http::response<http::string_body> json_error(http::status status, std::string_view message, unsigned version);

struct http_limits {
  std::size_t header_bytes = 8 * 1024;
  std::size_t body_bytes = 64 * 1024;
  std::chrono::milliseconds idle_timeout{30000};     // waiting for the next request
  std::chrono::milliseconds request_timeout{30000};  // reading one request / writing one response
  // The answer to a request refused before any handler saw it (400, 408, 413, 431), for APIs with
  // their own error shape.
  std::function<http::response<http::string_body>(http::status, std::string_view message, unsigned version)>
      error_response = [](http::status status, std::string_view message, unsigned version) {
        return json_error(status, message, version);
      };
};

using http_handler = std::function<asio::awaitable<http_response>(const http_request&)>;

// Who sent a request: for handlers that authenticate by client certificate or log the peer.
struct http_peer {
  std::string address;      // "host:port"
  std::string certificate;  // DER of the TLS client certificate; empty without one
  std::string cipher_suite = "UNKNOWN";
};
using http_peer_handler = std::function<asio::awaitable<http_response>(const http_request&, const http_peer&)>;

// Parameters are taken by value: they must live as long as the coroutine, not the caller's frame.
// A request with `Expect: 100-continue` gets "100 Continue" once its header is accepted; one whose
// Content-Length is above the body limit gets 413 without its body being read.
asio::awaitable<void> serve_http(std::shared_ptr<connection> conn, http_handler handler, http_limits limits);
asio::awaitable<void> serve_http(std::shared_ptr<connection> conn, http_peer_handler handler, http_limits limits);
// HTTPS: the TLS handshake (under the request timeout), then requests as serve_http.
asio::awaitable<void> serve_https(std::shared_ptr<connection> conn, std::shared_ptr<asio::ssl::context> context,
                                  http_peer_handler handler, http_limits limits);

// A response with a JSON body `{"error": message}` (the error shape shared by Hono and Tributary),
// also what the session answers to requests it refuses unless http_limits says otherwise.
inline http_response json_error(http::status status, std::string_view message) { return json_error(status, message, 11); }

}  // namespace tributary::net
