#include "log/flusher.h"

#include <algorithm>
#include <chrono>

#include "log/partition.h"

namespace tributary::log {

flusher::flusher(std::int64_t tick_ms, std::int64_t retention_check_ms)
    : tick_ms_(tick_ms), retention_check_ms_(retention_check_ms), thread_([this] { run(); }) {}

flusher::~flusher() { stop(); }

void flusher::add(const std::shared_ptr<partition>& p) {
  std::lock_guard lock(mutex_);
  all_.push_back(p);
}

void flusher::remove(const partition* p) {
  std::lock_guard lock(mutex_);
  std::erase_if(all_, [p](const auto& q) { return q.get() == p; });
}

void flusher::schedule(std::shared_ptr<partition> p) {
  {
    std::lock_guard lock(mutex_);
    due_.push_back(std::move(p));
  }
  wake_.notify_one();
}

void flusher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  // Acks still waiting are answered by partition::close().
}

void flusher::run() {
  using clock = std::chrono::steady_clock;
  auto next_tick = clock::now() + std::chrono::milliseconds(tick_ms_);
  auto next_retention = clock::now() + std::chrono::milliseconds(retention_check_ms_);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_until(lock, next_tick, [this] { return stopping_ || !due_.empty(); });
    if (stopping_) break;
    while (!due_.empty()) {
      auto p = std::move(due_.front());
      due_.pop_front();
      lock.unlock();
      p->sync_pending();
      lock.lock();
    }
    if (clock::now() >= next_tick) {
      auto partitions = all_;
      lock.unlock();
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      const bool retention = clock::now() >= next_retention;
      if (retention) next_retention = clock::now() + std::chrono::milliseconds(retention_check_ms_);
      for (const auto& p : partitions) p->background_work(now, retention);
      lock.lock();
      next_tick = clock::now() + std::chrono::milliseconds(tick_ms_);
    }
  }
}

}  // namespace tributary::log
