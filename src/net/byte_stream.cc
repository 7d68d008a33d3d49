#include "net/byte_stream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace tributary::net {

asio::awaitable<io_result> tcp_stream::read_some(asio::mutable_buffer buffer) {
  io_result r;
  r.bytes = co_await conn_.socket().async_read_some(buffer, asio::redirect_error(asio::use_awaitable, r.ec));
  co_return r;
}

// Not a coroutine: an idle session waits in the socket's operation alone.
asio::awaitable<std::tuple<boost::system::error_code>> tcp_stream::wait_readable() {
  return conn_.socket().async_wait(tcp_socket::wait_read, asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<io_result> tcp_stream::write_all(asio::const_buffer buffer) {
  io_result r;
  r.bytes = co_await asio::async_write(conn_.socket(), buffer, asio::redirect_error(asio::use_awaitable, r.ec));
  co_return r;
}

}  // namespace tributary::net
