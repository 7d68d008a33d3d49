#include "net/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

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

}  // namespace tributary::net
