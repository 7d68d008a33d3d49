#include "net/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>

namespace tributary::net {

asio::awaitable<io_result> connection::read_some(asio::mutable_buffer buffer) {
  io_result r;
  r.bytes = co_await socket_.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, r.ec));
  co_return r;
}

// Not a coroutine: an idle session waits in the socket's operation alone.
asio::awaitable<std::tuple<boost::system::error_code>> connection::wait_readable() {
  return socket_.async_wait(tcp_socket::wait_read, asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<io_result> connection::write_all(asio::const_buffer buffer) {
  io_result r;
  r.bytes = co_await asio::async_write(socket_, buffer, asio::redirect_error(asio::use_awaitable, r.ec));
  co_return r;
}

std::size_t connection::write_now(asio::const_buffer buffer) { return write_now(std::span(&buffer, 1)); }

std::size_t connection::write_now(std::span<const asio::const_buffer> buffers) {
  const int fd = parked_fd_ >= 0 ? parked_fd_ : socket_.is_open() ? socket_.native_handle() : -1;
  if (fd < 0 || buffers.empty() || buffers.size() > 8) return 0;
  std::array<iovec, 8> parts{};
  std::size_t total = 0;
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    parts[i] = iovec{const_cast<void*>(buffers[i].data()), buffers[i].size()};
    total += buffers[i].size();
  }
  if (total == 0) return 0;
  msghdr msg{};
  msg.msg_iov = parts.data();
  msg.msg_iovlen = buffers.size();
  const auto sent = ::sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  return sent > 0 ? static_cast<std::size_t>(sent) : 0;
}

}  // namespace tributary::net
