#include "net/io_pool.h"

#include <spdlog/spdlog.h>

namespace tributary::net {
namespace {

thread_local asio::io_context* current_context = nullptr;

}  // namespace

asio::io_context* io_pool::current() { return current_context; }

io_pool::io_pool(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    guards_.push_back(asio::make_work_guard(*contexts_.back()));
  }
}

io_pool::~io_pool() { stop(std::chrono::steady_clock::now()); }

asio::io_context& io_pool::next() { return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()]; }

void io_pool::start() {
  running_ = contexts_.size();
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      current_context = contexts_[i].get();
      for (;;) {
        try {
          contexts_[i]->run();
          break;
        } catch (const std::exception& e) {
          // Sessions catch their own errors; anything reaching here is a bug, logged and survived.
          spdlog::error("io thread {}: unhandled exception: {}", i, e.what());
        }
      }
      std::lock_guard lock(mutex_);
      if (--running_ == 0) exited_.notify_all();
    });
  }
}

void io_pool::stop(std::chrono::steady_clock::time_point deadline) {
  if (threads_.empty()) return;
  guards_.clear();
  {
    std::unique_lock lock(mutex_);
    if (!exited_.wait_until(lock, deadline, [this] { return running_ == 0; })) {
      spdlog::warn("io threads still busy at the shutdown deadline; abandoning their remaining work");
      for (auto& c : contexts_) c->stop();
    }
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace tributary::net
