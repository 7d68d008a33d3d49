#include "net/parking_lot.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "net/connection.h"

namespace tributary::net {

parking_lot::parking_lot(asio::execution_context& context)
    : asio::execution_context::service(context),
      context_(static_cast<asio::io_context&>(context)),
      watcher_(context_.get_executor()),
      ticker_(context_.get_executor()) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    spdlog::warn("net: no parking lot for idle connections (epoll_create1: {}); they wait in asio instead",
                 std::error_code(errno, std::generic_category()).message());
    return;
  }
  boost::system::error_code ec;
  watcher_.assign(epoll_fd_, ec);  // the watcher owns the epoll set from here on
  if (ec) {
    ::close(epoll_fd_);
    epoll_fd_ = -1;
  }
}

parking_lot::~parking_lot() = default;

parking_lot& parking_lot::of(const asio::io_context::executor_type& ex) {
  return asio::use_service<parking_lot>(ex.context());
}

boost::system::error_code parking_lot::add(connection& c, int fd) {
  if (epoll_fd_ < 0) return asio::error::operation_not_supported;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.ptr = &c;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return {errno, boost::system::system_category()};
  if (!ticking_) {
    last_second_ = second_of(std::chrono::steady_clock::now());
    tick();
  }
  link(c);
  ++size_;
  if (!watching_) watch();
  return {};
}

void parking_lot::remove(connection& c) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.parked_fd_, nullptr);  // also drops its ready events
  unlink(c);
  --size_;
}

void parking_lot::watch() {
  watching_ = true;
  watcher_.async_wait(asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
    watching_ = false;
    if (ec) return;  // shut down
    on_events();
    if (size_ > 0) watch();
  });
}

void parking_lot::on_events() {
  // The set is level-triggered and every woken connection leaves it, so this empties its ready
  // list; the watcher's edge-triggered registration then reports the next readiness afresh.
  constexpr int batch = 64;
  epoll_event events[batch];
  for (;;) {
    const int n = ::epoll_wait(epoll_fd_, events, batch, 0);
    if (n < 0 && errno == EINTR) continue;
    // Waking only posts the connection's handler, so no event of the batch can be stale.
    for (int i = 0; i < n; ++i) static_cast<connection*>(events[i].data.ptr)->lot_readable();
    if (n < batch) return;
  }
}

void parking_lot::tick() {
  ticking_ = true;
  ticker_.expires_after(std::chrono::seconds(1));
  ticker_.async_wait([this](const boost::system::error_code& ec) {
    ticking_ = false;
    if (ec) return;
    const auto now = std::chrono::steady_clock::now();
    const std::int64_t second = second_of(now);
    // Every second since the last look, but each slot at most once when the thread was held up.
    for (std::int64_t s = last_second_ + 1; s <= second && s <= last_second_ + static_cast<std::int64_t>(slots); ++s) {
      connection* c = wheel_[static_cast<std::size_t>(s) % slots];
      while (c) {
        connection* next = c->lot_next_;
        if (c->due_ <= now) c->lot_deadline_passed();  // removes c from the wheel
        c = next;
      }
    }
    last_second_ = second;
    if (size_ > 0) tick();
  });
}

std::int64_t parking_lot::second_of(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

void parking_lot::link(connection& c) {
  std::size_t slot = no_deadline;
  if (c.due_ != std::chrono::steady_clock::time_point::max()) {
    // The first whole second after the deadline, and never a second already looked at.
    const std::int64_t second = std::max(second_of(c.due_) + 1, last_second_ + 1);
    slot = static_cast<std::size_t>(second) % slots;
  }
  c.lot_slot_ = static_cast<std::uint16_t>(slot);
  c.lot_prev_ = nullptr;
  c.lot_next_ = wheel_[slot];
  if (c.lot_next_) c.lot_next_->lot_prev_ = &c;
  wheel_[slot] = &c;
}

void parking_lot::unlink(connection& c) {
  if (c.lot_prev_) c.lot_prev_->lot_next_ = c.lot_next_;
  else wheel_[c.lot_slot_] = c.lot_next_;
  if (c.lot_next_) c.lot_next_->lot_prev_ = c.lot_prev_;
  c.lot_prev_ = c.lot_next_ = nullptr;
}

void parking_lot::shutdown() {
  // The io_context is going away with its handlers unrun: so go the parked connections' handlers
  // (and with them, the last references to their connections).
  for (auto& head : wheel_) {
    while (head) {
      connection& c = *head;
      remove(c);
      c.abandon_parked_descriptor();
    }
  }
  boost::system::error_code ignored;
  watcher_.close(ignored);
  ticker_.cancel();
}

}  // namespace tributary::net
