#include "kafka/broker/session.h"

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "common/big_endian.h"

namespace tributary::kafka::broker {

namespace asio = boost::asio;

namespace {

// One recv(2) takes up to this much: a small request and the size of the next one arrive together.
constexpr std::size_t read_chunk = 16 * 1024;

// Bytes read from the socket and not yet handed out as frames: the start of the next request, or
// whole requests of a client that sends several before reading a response.
class read_buffer {
 public:
  std::size_t size() const { return end_ - begin_; }
  const std::uint8_t* data() const { return bytes_.data() + begin_; }
  void consume(std::size_t n) { begin_ += n; }
  // Room for one more read after what is held.
  asio::mutable_buffer room() {
    if (bytes_.empty()) bytes_.resize(read_chunk);
    if (begin_ == end_) {
      begin_ = end_ = 0;
    } else if (bytes_.size() - end_ < read_chunk / 2) {
      std::memmove(bytes_.data(), bytes_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    return asio::buffer(bytes_.data() + end_, bytes_.size() - end_);
  }
  void filled(std::size_t n) { end_ += n; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t begin_ = 0, end_ = 0;
};

}  // namespace

asio::awaitable<void> serve_kafka(std::shared_ptr<net::connection> conn, request_handler handler,
                                  session_limits limits, client_state client) {
  client.peer = conn->peer();
  read_buffer in;
  std::string frame;
  for (;;) {
    conn->set_idle(in.size() == 0);
    if (conn->draining()) co_return;
    boost::system::error_code ec;
    // The size prefix: at hand when the client sent more than one request, else read with
    // whatever else has arrived.
    while (in.size() < 4) {
      conn->expires_after(in.size() == 0 ? limits.idle_timeout : limits.io_timeout);
      const std::size_t n =
          co_await conn->socket().async_read_some(in.room(), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;  // closed by the client, idle timeout, or shutdown
      in.filled(n);
      conn->set_idle(false);
    }
    const std::int32_t size = read_be<std::int32_t>(in.data());
    if (size < 0 || static_cast<std::size_t>(size) > limits.max_request_bytes) {
      spdlog::warn("kafka: closing connection from {} (client {}): request of {} bytes exceeds the limit of {}",
                   client.peer, client.client_id.empty() ? "?" : client.client_id, size, limits.max_request_bytes);
      co_return;
    }
    in.consume(4);
    frame.resize(static_cast<std::size_t>(size));
    const std::size_t buffered = std::min(frame.size(), in.size());
    std::memcpy(frame.data(), in.data(), buffered);
    in.consume(buffered);
    if (buffered < frame.size()) {  // the rest straight into the frame
      conn->expires_after(limits.io_timeout);
      co_await asio::async_read(conn->socket(), asio::buffer(frame.data() + buffered, frame.size() - buffered),
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
    conn->expires_never();
    handler_result result = co_await handler(frame, client);
    if (result.response) {
      std::array<std::uint8_t, 4> prefix{};
      write_be(prefix.data(), static_cast<std::int32_t>(result.response->size()));
      // Most responses fit the socket's buffer: one send, no asynchronous write. What did not fit
      // goes through async_write, which also reports an error.
      const std::array<asio::const_buffer, 2> whole{asio::buffer(prefix), asio::buffer(*result.response)};
      const std::size_t total = prefix.size() + result.response->size();
      const std::size_t sent = conn->write_now(whole);
      if (sent < total) {
        const std::size_t prefix_left = sent < prefix.size() ? prefix.size() - sent : 0;
        const std::size_t body_sent = sent > prefix.size() ? sent - prefix.size() : 0;
        const std::array<asio::const_buffer, 2> rest{
            asio::buffer(prefix.data() + (prefix.size() - prefix_left), prefix_left),
            asio::buffer(result.response->data() + body_sent, result.response->size() - body_sent)};
        conn->expires_after(limits.io_timeout);
        co_await asio::async_write(conn->socket(), rest, asio::redirect_error(asio::use_awaitable, ec));
        conn->expires_never();
        if (ec) co_return;
      }
    }
    if (result.close) {
      spdlog::warn("kafka: closing connection from {} (client {}): {}", client.peer,
                   client.client_id.empty() ? "?" : client.client_id, result.reason);
      co_return;
    }
  }
}

}  // namespace tributary::kafka::broker
