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
  action_ = action;
  due_ = std::chrono::steady_clock::now() + d;
  if (!armed_ || due_ < armed_for_) arm(due_);
}

void connection::expires_never() { due_ = std::chrono::steady_clock::time_point::max(); }

void connection::arm(std::chrono::steady_clock::time_point at) {
  armed_ = true;
  armed_for_ = at;
  deadline_.expires_at(at);  // a wait still pending completes with operation_aborted
  deadline_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_timer();  // aborted: re-armed, closed or destroyed; `this` may be gone
  });
}

void connection::on_timer() {
  armed_ = false;
  if (due_ == std::chrono::steady_clock::time_point::max()) return;
  if (std::chrono::steady_clock::now() < due_) return arm(due_);
  due_ = std::chrono::steady_clock::time_point::max();
  if (action_ == on_expiry::close) return close();
  timed_out_ = true;
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

void connection::close() {
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  due_ = std::chrono::steady_clock::time_point::max();
  armed_ = false;
  deadline_.cancel();
}

void connection::begin_drain() { draining_.store(true, std::memory_order_release); }

}  // namespace tributary::net
