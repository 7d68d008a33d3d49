#include "net/http_session.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <vector>

#include "net/http_wire.h"

namespace tributary::net {

http_response json_error(http::status status, std::string_view message, unsigned version) {
  http_response res{status, version};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.body() = boost::json::serialize(boost::json::value{{"error", message}});
  res.prepare_payload();
  return res;
}

namespace {

// The answer to a request Beast could not parse, or nullopt when the peer just went away.
std::optional<http_response> parse_failure(const boost::system::error_code& ec, const http_limits& limits) {
  if (ec == http::error::header_limit)
    return limits.error_response(http::status::request_header_fields_too_large, "request header too large", 11);
  if (ec == http::error::body_limit) return limits.error_response(http::status::payload_too_large, "request body too large", 11);
  const auto& beast_http = http::make_error_code(http::error::end_of_stream).category();
  if (ec.category() == beast_http && ec != http::error::end_of_stream &&
      ec != http::error::partial_message) {
    return limits.error_response(http::status::bad_request, "malformed HTTP request: " + ec.message(), 11);
  }
  return std::nullopt;
}

// wire: the connection's output buffer, reused from one response to the next.
template <typename Stream>
asio::awaitable<void> write_response(Stream& stream, connection& conn, const http_response& res, std::chrono::milliseconds timeout,
                                     std::string& wire, boost::system::error_code& ec) {
  conn.expires_after(timeout);
  wire.clear();
  append_response(res, wire);
  co_await asio::async_write(stream, asio::buffer(wire), asio::redirect_error(asio::use_awaitable, ec));
}

// After refusing a request whose body is still arriving (413): reads and drops what the client
// still sends, for up to a second and 1 MiB, before the connection closes. Closing with unread
// data would reset the connection, and the client, still writing its body, would never read the
// answer (nginx's lingering close).
template <typename Stream>
asio::awaitable<void> linger(Stream& stream, connection& conn) {
  conn.expires_after(std::chrono::seconds(1), connection::on_expiry::cancel);
  std::vector<char> sink(4096);
  for (std::size_t dropped = 0; dropped < (1u << 20);) {
    boost::system::error_code ec;
    const std::size_t n = co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    dropped += n;
  }
}

// A body of known length read straight into `body`: what the header read left in `buffer`, then
// the rest from the socket in reads of up to sized_body_step (no copy through `buffer`, no
// per-chunk parser steps). Memory is reserved for the whole length, as Beast's string body does,
// but only written as data comes, so a declared length costs nothing until it is sent. Bytes after
// the body (a pipelined request) stay in `buffer`.
constexpr std::size_t sized_body_step = 256 * 1024;

template <typename Stream>
asio::awaitable<void> read_sized_body(Stream& stream, boost::beast::flat_buffer& buffer, std::string& body,
                                      std::size_t length, boost::system::error_code& ec) {
  const std::size_t buffered = std::min(buffer.size(), length);
  body.reserve(length);
  body.resize(buffered);
  asio::buffer_copy(asio::buffer(body.data(), buffered), buffer.data());
  buffer.consume(buffered);
  while (body.size() < length) {
    const std::size_t at = body.size();
    body.resize(at + std::min(length - at, sized_body_step));
    const std::size_t n = co_await stream.async_read_some(asio::buffer(body.data() + at, body.size() - at),
                                                         asio::redirect_error(asio::use_awaitable, ec));
    body.resize(at + n);
    if (ec) co_return;
  }
}

template <typename Stream>
asio::awaitable<void> serve_requests(std::shared_ptr<connection> conn, Stream& stream, http_peer_handler handler,
                                     http_limits limits, http_peer peer) {
  boost::beast::flat_buffer buffer;
  std::string wire;
  for (;;) {
    conn->set_idle(buffer.size() == 0);
    if (conn->draining() && buffer.size() == 0) co_return;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
    parser.body_limit(limits.body_bytes);
    // Reads only cancel on their deadline, so that a started request can still get its 408.
    using expiry = connection::on_expiry;
    conn->expires_after(buffer.size() == 0 ? limits.idle_timeout : limits.request_timeout, expiry::cancel);
    boost::system::error_code ec;
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    conn->set_idle(false);
    if (!ec) {
      conn->expires_after(limits.request_timeout, expiry::cancel);
      const auto length = parser.content_length();
      if (length && *length > limits.body_bytes) {
        ec = http::error::body_limit;  // answered below without reading the body
      } else {
        const auto& header = parser.get();
        if (const auto expect = header.find(http::field::expect);
            expect != header.end() && boost::beast::iequals(expect->value(), "100-continue")) {
          static constexpr std::string_view proceed = "HTTP/1.1 100 Continue\r\n\r\n";
          co_await asio::async_write(stream, asio::buffer(proceed), asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec && !parser.is_done() && length && !parser.chunked()) {
          co_await read_sized_body(stream, buffer, parser.get().body(), static_cast<std::size_t>(*length), ec);
        } else if (!ec && !parser.is_done()) {
          co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        }
      }
    }
    if (ec) {
      const bool started = buffer.size() > 0 || parser.got_some();
      if (conn->timed_out() && started) {
        auto res = limits.error_response(http::status::request_timeout, "request not received in time", 11);
        res.keep_alive(false);
        co_await write_response(stream, *conn, res, limits.request_timeout, wire, ec);
        co_return;
      }
      if (auto res = parse_failure(ec, limits)) {
        const bool body_coming = ec == http::error::body_limit;
        res->keep_alive(false);
        co_await write_response(stream, *conn, *res, limits.request_timeout, wire, ec);
        if (body_coming && !ec) co_await linger(stream, *conn);
      }
      co_return;
    }
    const http_request& req = parser.get();
    conn->expires_never();
    http_response res = co_await handler(req, peer);
    res.version(req.version());
    res.keep_alive(req.keep_alive() && !conn->draining());
    co_await write_response(stream, *conn, res, limits.request_timeout, wire, ec);
    conn->expires_never();
    if (ec || !res.keep_alive()) co_return;
  }
}

std::string peer_certificate(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return {};
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  std::string out;
  if (len > 0) out.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  X509_free(cert);
  return out;
}

}  // namespace

asio::awaitable<void> serve_http(std::shared_ptr<connection> conn, http_peer_handler handler, http_limits limits) {
  http_peer peer{conn->peer(), {}, "UNKNOWN"};
  auto& socket = conn->socket();
  co_await serve_requests(std::move(conn), socket, std::move(handler), limits, std::move(peer));
}

asio::awaitable<void> serve_http(std::shared_ptr<connection> conn, http_handler handler, http_limits limits) {
  http_peer_handler with_peer = [handler = std::move(handler)](const http_request& req, const http_peer&) {
    return handler(req);
  };
  co_await serve_http(std::move(conn), std::move(with_peer), limits);
}

asio::awaitable<void> serve_https(std::shared_ptr<connection> conn, std::shared_ptr<asio::ssl::context> context,
                                  http_peer_handler handler, http_limits limits) {
  asio::ssl::stream<tcp_socket&> stream(conn->socket(), *context);
  conn->expires_after(limits.request_timeout);
  boost::system::error_code ec;
  co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  http_peer peer{conn->peer(), peer_certificate(stream.native_handle()), SSL_get_cipher_name(stream.native_handle())};
  co_await serve_requests(std::move(conn), stream, std::move(handler), limits, std::move(peer));
}

}  // namespace tributary::net
