#include "net/connection.h"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "net/exact_allocator.h"
#include "net/parking_lot.h"

namespace tributary::net {

connection::connection(tcp_socket socket)
    : socket_(std::move(socket)) {
  boost::system::error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("unknown") : remote.address().to_string() + ":" + std::to_string(remote.port());
  v6_ = !ec && remote.address().is_v6();
}

connection::~connection() {
  // Never parked here: a parked connection is kept alive by its own callback until a wake or the
  // lot's shutdown lets go of it.
  if (list_) list_->remove(*this);
}

void connection::park(std::shared_ptr<void> owner, woken_fn woken, bool socket_busy) {
  parked_owner_ = std::move(owner);
  woken_ = woken;
  if (socket_busy || !enter_lot()) wait_in_asio();
}

void connection::hold_for_io() {
  if (parked_fd_ < 0) return;
  if (leave_lot()) wait_in_asio();
  else wake(asio::error::operation_aborted);
}

void connection::settle() {
  if (parked_owner_ && parked_fd_ < 0 && socket_.is_open() && !enter_lot()) wait_in_asio();
}

bool connection::enter_lot() {
  if (!socket_.is_open()) return false;
  auto& lot = parking_lot::of(socket_.get_executor());
  ++wait_generation_;  // an asio wait of the park, aborted by release(), must not wake it
  boost::system::error_code ec;
  const int fd = socket_.release(ec);
  if (ec) return false;
  parked_fd_ = fd;
  if (lot.add(*this, fd)) {
    parked_fd_ = -1;
    socket_.assign(v6_ ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), fd, ec);
    if (ec) ::close(fd);  // the socket stays closed: the asio wait then ends at once, with an error
    return false;
  }
  // The lot keeps the deadline now: the timer goes, and with it its pending wait.
  armed_ = false;
  deadline_.reset();
  return true;
}

bool connection::leave_lot() {
  parking_lot::of(socket_.get_executor()).remove(*this);
  const int fd = std::exchange(parked_fd_, -1);
  boost::system::error_code ec;
  socket_.assign(v6_ ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), fd, ec);
  if (ec) {
    spdlog::warn("{}: cannot resume the parked connection with {}: {}", service(), peer_, ec.message());
    ::close(fd);
    return false;
  }
  if (due_ != std::chrono::steady_clock::time_point::max()) arm(due_);
  return true;
}

void connection::wait_in_asio() {
  const auto generation = ++wait_generation_;
  auto waited = [weak = weak_from_this(), generation](const boost::system::error_code& ec) {
    const auto self = weak.lock();
    if (self && self->wait_generation_ == generation) self->wake(ec);
  };
  socket_.async_wait(tcp_socket::wait_read, asio::bind_allocator(exact_allocator<void>(), std::move(waited)));
}

void connection::wake(const boost::system::error_code& ec) {
  if (!parked_owner_) return;
  asio::post(socket_.get_executor(), [owner = std::move(parked_owner_), woken = woken_, ec] { woken(owner.get(), ec); });
}

void connection::lot_readable() {
  if (leave_lot()) wake({});
  else wake(asio::error::operation_aborted);
}

void connection::lot_deadline_passed() {
  if (action_ == on_expiry::close) return close();
  // Only cancel: back to an asio wait, which on_timer() then cancels (waking with operation_aborted).
  if (!leave_lot()) return wake(asio::error::operation_aborted);
  wait_in_asio();
  on_timer();
}

void connection::abandon_parked_descriptor() {
  ::close(std::exchange(parked_fd_, -1));
  const auto owner = std::move(parked_owner_);
}  // `owner` goes here, and with it maybe the last reference to this connection

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
  if (!armed_ || due_ < deadline_->expiry()) arm(due_);
}

void connection::expires_never() { due_ = std::chrono::steady_clock::time_point::max(); }

void connection::arm(std::chrono::steady_clock::time_point at) {
  armed_ = true;
  if (!deadline_) deadline_ = std::make_unique<steady_timer>(socket_.get_executor());
  deadline_->expires_at(at);  // a wait still pending completes with operation_aborted
  // Armed for as long as the connection may be idle (an MQTT keep-alive): exactly its size.
  auto fired = [this](const boost::system::error_code& ec) {
    if (!ec) on_timer();  // aborted: re-armed, closed or destroyed; `this` may be gone
  };
  deadline_->async_wait(asio::bind_allocator(exact_allocator<void>(), std::move(fired)));
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
  if (parked_fd_ >= 0) {
    parking_lot::of(socket_.get_executor()).remove(*this);
    ::shutdown(parked_fd_, SHUT_RDWR);
    ::close(std::exchange(parked_fd_, -1));
    wake(asio::error::operation_aborted);
  }
  boost::system::error_code ignored;
  socket_.shutdown(tcp_socket::shutdown_both, ignored);
  socket_.close(ignored);
  due_ = std::chrono::steady_clock::time_point::max();
  armed_ = false;
  if (deadline_) deadline_->cancel();
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
