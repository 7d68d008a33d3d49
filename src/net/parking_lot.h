// parking_lot: where the sockets of idle connections wait for their next bytes without asio
// keeping any state for them. asio's reactor keeps a ~170-byte state object per registered socket,
// and every pending wait is another heap block; a device that is quiet for minutes needs neither.
// A parked connection has released its descriptor to the lot, which watches it in an epoll set of
// its own (the kernel keeps that state, not the process's heap) and keeps the connection's
// deadline on a wheel of one-second slots. One lot per io_context (an asio service), used only on
// that context's thread; it owns the epoll set and the wheel's links, never the connections: a
// parked connection keeps itself alive (see connection::park). Knows nothing of any protocol.
#pragma once

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <boost/system/error_code.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace tributary::net {

namespace asio = boost::asio;

class connection;

class parking_lot : public asio::execution_context::service {
 public:
  using key_type = parking_lot;
  static inline asio::execution_context::id id;

  explicit parking_lot(asio::execution_context& context);
  ~parking_lot() override;

  // The lot of the io_context `ex` belongs to (made on first use).
  static parking_lot& of(const asio::io_context::executor_type& ex);

  // Watches `fd` for readability (or hang-up) on behalf of c, and c's deadline; c is then told
  // (connection::lot_readable, lot_deadline_passed) and must be remove()d. An error when the
  // kernel refuses (then nothing is watched).
  boost::system::error_code add(connection& c, int fd);
  // Stops watching c (parked by add); its descriptor is the caller's again.
  void remove(connection& c);
  std::size_t size() const { return size_; }

 private:
  void shutdown() override;  // the io_context goes away: drops every parked connection unwoken
  void watch();              // waits for the epoll set to become readable
  void on_events();
  void tick();               // once a second while anyone is parked: deadlines
  void link(connection& c);  // into the wheel slot of c's deadline
  void unlink(connection& c);
  static std::int64_t second_of(std::chrono::steady_clock::time_point t);

  static constexpr std::size_t slots = 256;  // a deadline further out is looked at every 256 s
  static constexpr std::size_t no_deadline = slots;

  asio::io_context& context_;
  int epoll_fd_ = -1;
  asio::posix::basic_stream_descriptor<asio::io_context::executor_type> watcher_;
  asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>,
                             asio::io_context::executor_type>
      ticker_;
  bool watching_ = false;
  bool ticking_ = false;
  std::int64_t last_second_ = 0;  // the wheel has been looked at up to here
  std::array<connection*, slots + 1> wheel_{};
  std::size_t size_ = 0;
};

}  // namespace tributary::net
