// flusher: the log's one background thread. It fsyncs partitions whose appends wait for an ack
// (group commit: every append that arrived before the fsync shares it), and every tick does each
// partition's time-based work (interval fsyncs, sealing rolled segments, retention). Partitions
// register while they exist; the log stops the flusher before closing them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tributary::log {

class partition;

class flusher {
 public:
  flusher(std::int64_t tick_ms, std::int64_t retention_check_ms = 5000);
  ~flusher();

  void add(const std::shared_ptr<partition>& p);
  void remove(const partition* p);
  // Asks for p->sync_pending() soon; appends call it when they queue an ack.
  void schedule(std::shared_ptr<partition> p);
  void stop();

 private:
  void run();

  std::int64_t tick_ms_;
  std::int64_t retention_check_ms_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<partition>> due_;
  std::vector<std::shared_ptr<partition>> all_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tributary::log
