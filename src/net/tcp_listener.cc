#include "net/tcp_listener.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

namespace tributary::net {

result<std::unique_ptr<tcp_listener>, net_error> tcp_listener::bind(io_pool& pool, std::string name,
                                                                    const host_port& address, session serve) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address.host, ec);
  if (ec) {
    return fail(net_error{net_errc::resolve_failed, name + ": '" + address.host +
                                                        "' is not an IP address (use e.g. 127.0.0.1, 0.0.0.0 or [::])"});
  }
  const asio::ip::tcp::endpoint endpoint(ip, address.port);
  asio::ip::tcp::acceptor acceptor(pool.at(0));
  auto failed = [&](const char* step) {
    return fail(net_error{net_errc::bind_failed,
                          name + ": cannot listen on " + address.to_string() + " (" + step + "): " + ec.message()});
  };
  if (acceptor.open(endpoint.protocol(), ec)) return failed("open");
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec)) return failed("SO_REUSEADDR");
  if (acceptor.bind(endpoint, ec)) return failed("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) return failed("listen");
  return std::unique_ptr<tcp_listener>(new tcp_listener(pool, std::move(name), std::move(acceptor), std::move(serve)));
}

tcp_listener::tcp_listener(io_pool& pool, std::string name, asio::ip::tcp::acceptor acceptor, session serve)
    : pool_(pool),
      name_(std::move(name)),
      acceptor_(std::move(acceptor)),
      serve_(std::move(serve)),
      connections_(std::make_shared<connection_list>(name_)) {
  const auto bound = acceptor_.local_endpoint();
  local_ = host_port{bound.address().to_string(), bound.port()};
}

tcp_listener::~tcp_listener() = default;

std::size_t tcp_listener::connection_count() const { return connections_->size(); }

void tcp_listener::start() {
  connections_->set_accepting(true);
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

asio::awaitable<void> tcp_listener::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    tcp_socket socket =
        co_await acceptor_.async_accept(pool_.next(), asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of file descriptors or similar: back off instead of spinning, keep the listener up.
      spdlog::warn("{}: accept failed on {}: {}", name_, local_.to_string(), ec.message());
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    // Request/response protocols: a small last segment must not wait for the peer's delayed ACK
    // (Nagle); bench/kafka measured 2x consume throughput and no 40 ms stalls with this.
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    auto conn = std::make_shared<connection>(std::move(socket));
    if (!connection_list::add(connections_, *conn)) {
      conn->close();
      continue;
    }
    // No wrapper coroutine: the session's own is the only one a connection keeps, and the list
    // learns of the connection's end from its destructor.
    auto executor = conn->socket().get_executor();
    auto serving = serve_(conn);
    asio::co_spawn(executor, std::move(serving), [conn = std::move(conn)](std::exception_ptr e) { conn->session_ended(e); });
  }
}

void tcp_listener::stop_accepting() {
  connections_->set_accepting(false);
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

void tcp_listener::drain() {
  for (const auto& conn : connections_->alive()) {
    conn->begin_drain();
    asio::post(conn->socket().get_executor(), [conn] {
      if (conn->idle_) conn->close();
    });
  }
}

void tcp_listener::close_all() {
  for (const auto& conn : connections_->alive()) {
    conn->begin_drain();
    asio::post(conn->socket().get_executor(), [conn] { conn->close(); });
  }
}

bool tcp_listener::wait_until_empty(std::chrono::steady_clock::time_point deadline) {
  return connections_->wait_until_empty(deadline);
}

}  // namespace tributary::net
