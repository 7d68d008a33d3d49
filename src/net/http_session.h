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

namespace tributary::net {

namespace http = boost::beast::http;
using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;

struct http_limits {
  std::size_t header_bytes = 8 * 1024;
  std::size_t body_bytes = 64 * 1024;
  std::chrono::milliseconds idle_timeout{30000};     // waiting for the next request
  std::chrono::milliseconds request_timeout{30000};  // reading one request / writing one response
};

using http_handler = std::function<asio::awaitable<http_response>(const http_request&)>;

// Parameters are taken by value: they must live as long as the coroutine, not the caller's frame.
asio::awaitable<void> serve_http(std::shared_ptr<connection> conn, http_handler handler, http_limits limits);

// A response with a JSON body `{"error": message}` (the error shape shared by Hono and Tributary).
http_response json_error(http::status status, std::string_view message, unsigned version = 11);

}  // namespace tributary::net
