#include "kafka/broker/session.h"

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <array>

#include "common/big_endian.h"

namespace tributary::kafka::broker {

namespace asio = boost::asio;

asio::awaitable<void> serve_kafka(std::shared_ptr<net::connection> conn, request_handler handler,
                                  session_limits limits, client_state client) {
  client.peer = conn->peer();
  std::array<std::uint8_t, 4> size_bytes{};
  std::string frame;
  for (;;) {
    conn->set_idle(true);
    if (conn->draining()) co_return;
    conn->expires_after(limits.idle_timeout);
    boost::system::error_code ec;
    co_await asio::async_read(conn->socket(), asio::buffer(size_bytes), asio::redirect_error(asio::use_awaitable, ec));
    conn->set_idle(false);
    if (ec) co_return;  // closed by the client, idle timeout, or shutdown
    const std::int32_t size = read_be<std::int32_t>(size_bytes.data());
    if (size < 0 || static_cast<std::size_t>(size) > limits.max_request_bytes) {
      spdlog::warn("kafka: closing connection from {} (client {}): request of {} bytes exceeds the limit of {}",
                   client.peer, client.client_id.empty() ? "?" : client.client_id, size, limits.max_request_bytes);
      co_return;
    }
    frame.resize(static_cast<std::size_t>(size));
    conn->expires_after(limits.io_timeout);
    co_await asio::async_read(conn->socket(), asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    conn->expires_never();
    handler_result result = co_await handler(frame, client);
    if (result.response) {
      std::array<std::uint8_t, 4> prefix{};
      write_be(prefix.data(), static_cast<std::int32_t>(result.response->size()));
      const std::array<asio::const_buffer, 2> buffers{asio::buffer(prefix), asio::buffer(*result.response)};
      conn->expires_after(limits.io_timeout);
      co_await asio::async_write(conn->socket(), buffers, asio::redirect_error(asio::use_awaitable, ec));
      conn->expires_never();
      if (ec) co_return;
    }
    if (result.close) {
      spdlog::warn("kafka: closing connection from {} (client {}): {}", client.peer,
                   client.client_id.empty() ? "?" : client.client_id, result.reason);
      co_return;
    }
  }
}

}  // namespace tributary::kafka::broker
