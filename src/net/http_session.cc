#include "net/http_session.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace tributary::net {

http_response json_error(http::status status, std::string_view message, unsigned version) {
  http_response res{status, version};
  res.set(http::field::content_type, "application/json");
  res.body() = boost::json::serialize(boost::json::value{{"error", message}});
  res.prepare_payload();
  return res;
}

namespace {

// The answer to a request Beast could not parse, or nullopt when the peer just went away.
std::optional<http_response> parse_failure(const boost::system::error_code& ec) {
  if (ec == http::error::header_limit) return json_error(http::status::request_header_fields_too_large, "request header too large");
  if (ec == http::error::body_limit) return json_error(http::status::payload_too_large, "request body too large");
  const auto& beast_http = http::make_error_code(http::error::end_of_stream).category();
  if (ec.category() == beast_http && ec != http::error::end_of_stream &&
      ec != http::error::partial_message) {
    return json_error(http::status::bad_request, "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

}  // namespace

asio::awaitable<void> serve_http(std::shared_ptr<connection> conn, http_handler handler, http_limits limits) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    conn->set_idle(buffer.size() == 0);
    if (conn->draining() && buffer.size() == 0) co_return;
    http::request_parser<http::string_body> parser;
    parser.header_limit(limits.header_bytes);
    parser.body_limit(limits.body_bytes);
    conn->expires_after(buffer.size() == 0 ? limits.idle_timeout : limits.request_timeout);
    boost::system::error_code ec;
    co_await http::async_read(conn->socket(), buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    conn->set_idle(false);
    if (ec) {
      if (auto res = parse_failure(ec)) {
        res->keep_alive(false);
        conn->expires_after(limits.request_timeout);
        co_await http::async_write(conn->socket(), *res, asio::redirect_error(asio::use_awaitable, ec));
      }
      co_return;
    }
    const http_request& req = parser.get();
    http_response res = co_await handler(req);
    res.version(req.version());
    res.keep_alive(req.keep_alive() && !conn->draining());
    conn->expires_after(limits.request_timeout);
    co_await http::async_write(conn->socket(), res, asio::redirect_error(asio::use_awaitable, ec));
    conn->expires_never();
    if (ec || !res.keep_alive()) co_return;
  }
}

}  // namespace tributary::net
