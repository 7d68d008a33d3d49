#include "net/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>

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

std::size_t connection::write_now(asio::const_buffer buffer) {
  const int fd = parked_fd_ >= 0 ? parked_fd_ : socket_.is_open() ? socket_.native_handle() : -1;
  if (fd < 0 || buffer.size() == 0) return 0;
  const auto sent = ::send(fd, buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  return sent > 0 ? static_cast<std::size_t>(sent) : 0;
}

}  // namespace tributary::net
