// tcp_listener: accepts TCP connections for one service, spreads them over the io_pool, spawns one
// session coroutine per connection and lists the connections for a staged shutdown (stop
// accepting, drain, close). Created, stopped and destroyed by server/ on the main thread, after the io_pool has
// stopped and before it is destroyed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/host_port.h"
#include "common/result.h"
#include "net/connection.h"
#include "net/io_pool.h"

namespace tributary::net {

enum class net_errc {
  resolve_failed,  // the host of a listen address is not an IP address this machine can parse
  bind_failed,     // the port is taken, or the address is not local, or permission is denied
};
using net_error = coded_error<net_errc>;

class tcp_listener {
 public:
  // Serves a connection; the connection is closed when the returned coroutine ends, unless the
  // session took that over (connection::hand_over_closing).
  using session = std::function<asio::awaitable<void>(std::shared_ptr<connection>)>;

  // Binds and listens at once, so that a taken port fails start-up; accepting begins in start().
  static result<std::unique_ptr<tcp_listener>, net_error> bind(io_pool& pool, std::string name,
                                                               const host_port& address, session serve);
  ~tcp_listener();

  const std::string& name() const { return name_; }
  // The bound address, with the real port when port 0 was asked for.
  const host_port& local_address() const { return local_; }
  std::size_t connection_count() const;

  void start();
  void stop_accepting();
  // Tells every connection to finish its request in hand; idle ones are closed at once.
  void drain();
  // Closes every remaining connection.
  void close_all();
  // Waits until no connection remains or the deadline passes; true when none remains.
  bool wait_until_empty(std::chrono::steady_clock::time_point deadline);

 private:
  tcp_listener(io_pool& pool, std::string name, asio::ip::tcp::acceptor acceptor, session serve);
  asio::awaitable<void> accept_loop();

  io_pool& pool_;
  std::string name_;
  asio::ip::tcp::acceptor acceptor_;
  host_port local_;
  session serve_;

  // Shared with every connection, which may outlive the listener when the pool abandons work.
  std::shared_ptr<connection_list> connections_;
};

}  // namespace tributary::net
