#include "net/connection.h"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include "net/exact_allocator.h"

namespace tributary::net {

connection::connection(tcp_socket socket)
    : socket_(std::move(socket)), deadline_(socket_.get_executor()) {
  boost::system::error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("unknown") : remote.address().to_string() + ":" + std::to_string(remote.port());
}

connection::~connection() {
  if (list_) list_->remove(*this);
}

const std::string& connection::service() const {
  static const std::string none;
  return list_ ? list_->service() : none;
}

void connection::session_ended(std::exception_ptr e) {
  if (!e) {
    if (!closed_by_session_) close();
    return;
  }
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    spdlog::warn("{}: session with {} ended: {}", service(), peer(), x.what());
  } catch (...) {
    spdlog::warn("{}: session with {} ended with an unknown exception", service(), peer());
  }
  close();
}

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
  // Armed for as long as the connection may be idle (an MQTT keep-alive): exactly its size.
  auto fired = [this](const boost::system::error_code& ec) {
    if (!ec) on_timer();  // aborted: re-armed, closed or destroyed; `this` may be gone
  };
  deadline_.async_wait(asio::bind_allocator(exact_allocator<void>(), std::move(fired)));
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
  socket_.shutdown(tcp_socket::shutdown_both, ignored);
  socket_.close(ignored);
  due_ = std::chrono::steady_clock::time_point::max();
  armed_ = false;
  deadline_.cancel();
}

void connection::begin_drain() { draining_.store(true, std::memory_order_release); }

bool connection_list::add(const std::shared_ptr<connection_list>& self, connection& c) {
  std::lock_guard lock(self->mutex_);
  if (!self->accepting_) return false;
  c.list_ = self;
  c.next_ = self->head_;
  if (self->head_) self->head_->prev_ = &c;
  self->head_ = &c;
  ++self->size_;
  return true;
}

void connection_list::remove(connection& c) {
  std::lock_guard lock(mutex_);
  if (c.prev_) c.prev_->next_ = c.next_;
  else head_ = c.next_;
  if (c.next_) c.next_->prev_ = c.prev_;
  c.prev_ = c.next_ = nullptr;
  if (--size_ == 0) empty_.notify_all();
}

void connection_list::set_accepting(bool accepting) {
  std::lock_guard lock(mutex_);
  accepting_ = accepting;
}

std::size_t connection_list::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

std::vector<std::shared_ptr<connection>> connection_list::alive() const {
  std::vector<std::shared_ptr<connection>> out;
  std::lock_guard lock(mutex_);
  out.reserve(size_);
  // A connection being destroyed (no owner left) waits for this lock in remove(); lock() skips it.
  for (connection* c = head_; c; c = c->next_) {
    if (auto strong = c->weak_from_this().lock()) out.push_back(std::move(strong));
  }
  return out;
}

bool connection_list::wait_until_empty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return empty_.wait_until(lock, deadline, [this] { return size_ == 0; });
}

}  // namespace tributary::net
