// connection: one accepted TCP connection, owned by the session that serves it and listed (without
// a reference) in its listener's connection_list for shutdown until it is destroyed; also the plain
// byte_stream over its socket (a TLS session reads through a tls_stream instead). Everything but
// draining() must be called on the socket's executor (the io_context the connection lives on).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "net/byte_stream.h"

namespace tributary::net {

namespace asio = boost::asio;

// Sockets and timers typed on their io_context's executor: an any_io_executor costs 48 more bytes
// in every socket, timer and pending operation, and an idle device keeps one of each.
using tcp_socket = asio::basic_stream_socket<asio::ip::tcp, asio::io_context::executor_type>;
using steady_timer = asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>,
                                                asio::io_context::executor_type>;

class connection_list;
class parking_lot;

class connection final : public byte_stream, public std::enable_shared_from_this<connection> {
 public:
  explicit connection(tcp_socket socket);
  ~connection() override;

  // The plain stream (byte_stream.cc).
  asio::awaitable<io_result> read_some(asio::mutable_buffer buffer) override;
  asio::awaitable<io_result> write_all(asio::const_buffer buffer) override;
  // A non-blocking send(2), parked or not: writing does not take the descriptor out of the lot.
  std::size_t write_now(asio::const_buffer buffer) override;
  // The same for up to 8 buffers in one sendmsg(2) (a Kafka response's size prefix and body); 0
  // for more.
  std::size_t write_now(std::span<const asio::const_buffer> buffers);
  asio::awaitable<std::tuple<boost::system::error_code>> wait_readable() override;
  bool parkable() const override { return true; }

  tcp_socket& socket() { return socket_; }
  const std::string& peer() const { return peer_; }

  // True once the server is shutting down: finish the request in hand, then close.
  bool draining() const { return draining_.load(std::memory_order_acquire); }

  // A session marks itself idle while it waits for the peer's next request; a drain closes idle
  // connections at once. Check draining() after set_idle(true) and before the next read.
  void set_idle(bool idle) { idle_ = idle; }

  // What a deadline does when it passes first: close the socket, or only cancel the pending
  // operations (so that the session can still answer, e.g. HTTP 408) and set timed_out().
  enum class on_expiry : std::uint8_t { close, cancel };
  // Every read and write of a session runs under one deadline. Moving the deadline is cheap (a
  // clock read): the timer is re-armed only when the new deadline is earlier than the one it is
  // armed for; when it fires before the current deadline, it re-arms itself for it.
  void expires_after(std::chrono::steady_clock::duration d, on_expiry action = on_expiry::close);
  bool timed_out() const { return timed_out_; }
  void expires_never();

  void close();

  // The service of the listener that accepted it ("mqtt", ...), for logs; empty when unlisted.
  const std::string& service() const;

  // Waits for the peer's next bytes with a plain callback instead of a coroutine (an idle MQTT
  // device's session) and calls `woken(owner.get(), ec)` once, on the socket's executor: without
  // error when bytes (or the peer's FIN) arrived, with operation_aborted when the connection was
  // closed meanwhile (close(), a drain, its deadline). Until then the connection keeps `owner`
  // alive (and itself, through an owner that holds it). When nothing else is pending on the socket
  // (`socket_busy` false) the descriptor waits in its io_context's parking_lot and asio keeps no
  // state for it: socket() is then not open. Call hold_for_io() before any other operation on a
  // parked socket, and settle() when the socket has nothing pending but the park again.
  // (A function pointer and an owner, not a std::function: 8 bytes less per idle device.)
  using woken_fn = void (*)(void* owner, const boost::system::error_code& ec);
  void park(std::shared_ptr<void> owner, woken_fn woken, bool socket_busy);
  bool parked() const { return static_cast<bool>(parked_owner_); }
  // A parked socket becomes usable (its wait continues in asio). No-op when not in the lot.
  void hold_for_io();
  // A parked socket whose other operations are done moves (back) to the parking lot.
  void settle();

  // A session that goes on after the coroutine its listener spawned has ended (an idle MQTT
  // session waits with no coroutine at all) calls this first: closing the connection is then the
  // session's business, not session_ended()'s.
  void hand_over_closing() { closed_by_session_ = true; }
  // The completion of every session coroutine: logs an exception (with the service and the peer)
  // and closes the connection, unless the session took closing over and ended without one.
  void session_ended(std::exception_ptr e);

 private:
  friend class tcp_listener;
  friend class connection_list;
  friend class parking_lot;
  void begin_drain();  // any thread

  bool enter_lot();     // false (still in asio) when the lot cannot take the descriptor
  bool leave_lot();     // false when the descriptor cannot go back to asio (then closed)
  void wait_in_asio();  // the park's wait, as an asio wait on the socket
  void wake(const boost::system::error_code& ec);  // posts `woken`
  // From the parking lot: the descriptor is readable; its deadline passed; the lot shuts down.
  void lot_readable();
  void lot_deadline_passed();
  void abandon_parked_descriptor();

  tcp_socket socket_;
  void arm(std::chrono::steady_clock::time_point at);
  void on_timer();

  // Made by the first arm(), none while in the parking lot; while armed_, armed for its expiry().
  std::unique_ptr<steady_timer> deadline_;
  std::chrono::steady_clock::time_point due_ = std::chrono::steady_clock::time_point::max();
  std::string peer_;
  // Parking: the callback and its owner (set while parked) and the lot's wheel links; below, the
  // descriptor while it is in the lot and a count that tells a current asio wait from one aborted
  // by a move to the lot.
  std::shared_ptr<void> parked_owner_;
  woken_fn woken_ = nullptr;
  connection* lot_prev_ = nullptr;
  connection* lot_next_ = nullptr;
  // Set while listed: the list (shared, as connections may outlive their listener) and the links
  // of its intrusive list, guarded by the list's mutex.
  std::shared_ptr<connection_list> list_;
  connection* prev_ = nullptr;
  connection* next_ = nullptr;
  // The small members together (an idle device keeps one connection).
  int parked_fd_ = -1;
  std::uint16_t wait_generation_ = 0;  // wraps: only "not the current one" matters
  std::uint16_t lot_slot_ = 0;
  on_expiry action_ = on_expiry::close;
  bool armed_ = false;
  std::atomic<bool> draining_{false};
  bool idle_ = false;
  bool timed_out_ = false;
  bool closed_by_session_ = false;
  bool v6_ = false;  // the socket's protocol, to hand a parked descriptor back to asio
};

// connection_list: the connections of one listener, for a staged shutdown. A connection links
// itself in when accepted and out in its destructor, so the list holds no references: a session
// needs no frame of the listener's to watch the connection's end, and a connection lives exactly
// as long as whoever serves it keeps it. Thread-safe.
class connection_list {
 public:
  explicit connection_list(std::string service) : service_(std::move(service)) {}
  const std::string& service() const { return service_; }

  // Links c in until it is destroyed; false (c not listed) while the list does not accept.
  // `self` is this list's owner, kept by c.
  static bool add(const std::shared_ptr<connection_list>& self, connection& c);
  void set_accepting(bool accepting);
  std::size_t size() const;
  // The connections still alive, as references taken under the lock (act on them after it).
  std::vector<std::shared_ptr<connection>> alive() const;
  // Waits until no connection remains or the deadline passes; true when none remains.
  bool wait_until_empty(std::chrono::steady_clock::time_point deadline);

 private:
  friend class connection;
  void remove(connection& c);  // from ~connection

  const std::string service_;
  mutable std::mutex mutex_;
  std::condition_variable empty_;
  connection* head_ = nullptr;
  std::size_t size_ = 0;
  bool accepting_ = false;
};

}  // namespace tributary::net
