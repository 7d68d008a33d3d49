// byte_stream: what a protocol session reads from and writes to, so that one session serves plain
// TCP and TLS alike: a plain connection is its own byte_stream (net/connection.h), a tls_stream
// borrows its connection's socket (the connection keeps ownership, deadlines and shutdown
// tracking). One read and one write may be outstanding at once, on the connection's executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <tuple>

namespace tributary::net {

namespace asio = boost::asio;

struct io_result {
  boost::system::error_code ec;
  std::size_t bytes = 0;
};

class byte_stream {
 public:
  virtual ~byte_stream() = default;
  virtual asio::awaitable<io_result> read_some(asio::mutable_buffer buffer) = 0;
  virtual asio::awaitable<io_result> write_all(asio::const_buffer buffer) = 0;
  // Writes what the stream takes at once, without waiting and without any asio operation, and
  // returns how many bytes that was; 0 when it would block, on an error, or when the stream cannot
  // (TLS: its records go through write_all). What it did not take goes through write_all, which
  // reports the error if there is one. Not while a write_all is under way.
  virtual std::size_t write_now(asio::const_buffer /*buffer*/) { return 0; }
  // Resumes once a read would not block, so that an idle session holds no read buffer. Streams
  // that buffer internally (TLS) resume at once. (A tuple: the socket's own wait, no frame of ours.)
  virtual asio::awaitable<std::tuple<boost::system::error_code>> wait_readable() {
    co_return std::tuple<boost::system::error_code>{};
  }
  // Whether an idle session may wait for readability with connection::park, holding no coroutine
  // at all; false when the stream buffers internally (TLS: use wait_readable).
  virtual bool parkable() const { return false; }
  // The peer's certificate (DER) when TLS authenticated one; empty otherwise.
  virtual std::string peer_certificate() const { return {}; }
  virtual std::string cipher_suite() const { return "UNKNOWN"; }
};

}  // namespace tributary::net
