#include "net/connection.h"

#include <boost/asio/post.hpp>

namespace tributary::net {

connection::connection(asio::ip::tcp::socket socket)
    : socket_(std::move(socket)), deadline_(socket_.get_executor()) {
  boost::system::error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("unknown") : remote.address().to_string() + ":" + std::to_string(remote.port());
}

connection::~connection() = default;

void connection::expires_after(std::chrono::steady_clock::duration d, on_expiry action) {
  timed_out_ = false;
  deadline_.expires_after(d);
  deadline_.async_wait([this, action](const boost::system::error_code& ec) {
    if (ec) return;
    if (action == on_expiry::close) return close();
    timed_out_ = true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  });
}

void connection::expires_never() { deadline_.cancel(); }

void connection::close() {
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  deadline_.cancel();
}

void connection::begin_drain() { draining_.store(true, std::memory_order_release); }

}  // namespace tributary::net
