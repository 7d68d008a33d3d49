// connection: one accepted TCP connection, shared between the session coroutine that serves it and
// the tcp_listener that tracks it for shutdown. Everything but draining() must be called on the
// socket's executor (the io_context the connection lives on).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <string>

namespace tributary::net {

namespace asio = boost::asio;

class connection {
 public:
  explicit connection(asio::ip::tcp::socket socket);
  ~connection();

  asio::ip::tcp::socket& socket() { return socket_; }
  const std::string& peer() const { return peer_; }

  // True once the server is shutting down: finish the request in hand, then close.
  bool draining() const { return draining_.load(std::memory_order_acquire); }

  // A session marks itself idle while it waits for the peer's next request; a drain closes idle
  // connections at once. Check draining() after set_idle(true) and before the next read.
  void set_idle(bool idle) { idle_ = idle; }

  // What a deadline does when it passes first: close the socket, or only cancel the pending
  // operations (so that the session can still answer, e.g. HTTP 408) and set timed_out().
  enum class on_expiry { close, cancel };
  // Every read and write of a session runs under one deadline. Moving the deadline is cheap (a
  // clock read): the timer is re-armed only when the new deadline is earlier than the one it is
  // armed for; when it fires before the current deadline, it re-arms itself for it.
  void expires_after(std::chrono::steady_clock::duration d, on_expiry action = on_expiry::close);
  bool timed_out() const { return timed_out_; }
  void expires_never();

  void close();

 private:
  friend class tcp_listener;
  void begin_drain();  // any thread

  asio::ip::tcp::socket socket_;
  void arm(std::chrono::steady_clock::time_point at);
  void on_timer();

  asio::steady_timer deadline_;
  std::chrono::steady_clock::time_point due_ = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point armed_for_;  // valid while armed_
  bool armed_ = false;
  on_expiry action_ = on_expiry::close;
  std::string peer_;
  std::atomic<bool> draining_{false};
  bool idle_ = false;
  bool timed_out_ = false;
};

}  // namespace tributary::net
