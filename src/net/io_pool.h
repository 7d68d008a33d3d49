// io_pool: one Asio io_context per I/O thread (ARCHITECTURE.md §4). A connection is placed on one
// context by next() and lives there for its life. Created and stopped by server/ on the main thread;
// the contexts are destroyed in stop(), while the objects their handlers reference still live.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <thread>
#include <vector>

namespace tributary::net {

namespace asio = boost::asio;

class io_pool {
 public:
  // threads == 0 means one per CPU core.
  explicit io_pool(unsigned threads);
  ~io_pool();
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  std::size_t size() const { return contexts_.size(); }
  asio::io_context& at(std::size_t i) { return *contexts_.at(i); }
  // Round-robin choice of the context for a new connection.
  asio::io_context& next();

  void start();
  // The context the calling thread runs, when it is one of a pool's I/O threads; else nullptr.
  static asio::io_context* current();
  // Lets the threads finish the work in hand and exit; after `deadline` the contexts are stopped
  // with whatever work remains abandoned. Joins the threads. Idempotent.
  void stop(std::chrono::steady_clock::time_point deadline);

 private:
  using guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<guard> guards_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable exited_;
  std::size_t running_ = 0;
  std::atomic<std::size_t> next_{0};
};

}  // namespace tributary::net
