// read_ahead: a consumer instance's next records response, built on a background thread while the
// client is still taking in the previous one: the REST counterpart of a Kafka client's fetch queue,
// so that a consumer that is behind gets its records with the proxy's work and the client's
// overlapped instead of taking turns. Owns the one-shot slot a records request waits on and the
// proxy-wide memory budget of responses built ahead. Does not move positions: the consumer does,
// when a response read ahead is delivered (consumer::advance), and refuses when it went stale.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "restproxy/cluster.h"

namespace tributary::restproxy {

// Bytes of responses built ahead, across every instance; a read ahead that does not fit is not made.
class read_ahead_budget {
 public:
  explicit read_ahead_budget(std::size_t limit) : limit_(limit) {}
  read_ahead_budget(const read_ahead_budget&) = delete;
  read_ahead_budget& operator=(const read_ahead_budget&) = delete;

  // Bytes taken from the budget, given back when the lease goes.
  class lease {
   public:
    lease() = default;
    lease(lease&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) { other.budget_ = nullptr; }
    lease& operator=(lease&& other) noexcept;
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease() { release(); }
    std::size_t bytes() const { return bytes_; }

   private:
    friend class read_ahead_budget;
    lease(read_ahead_budget* budget, std::size_t bytes) : budget_(budget), bytes_(bytes) {}
    void release();
    read_ahead_budget* budget_ = nullptr;
    std::size_t bytes_ = 0;
  };

  std::optional<lease> try_take(std::size_t bytes);
  // Whether `bytes` more would fit now (a hint: try_take decides).
  bool has_room(std::size_t bytes) const { return bytes <= limit_ && used_.load() <= limit_ - bytes; }
  std::size_t in_use() const { return used_.load(); }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

// A records response read ahead for requests with this max_bytes.
struct read_ahead_response {
  std::size_t max_bytes = 0;
  std::size_t bytes = 0;  // key and value bytes in it
  std::string body;       // the records response's JSON
  std::vector<position_move> moves;
  read_ahead_budget::lease lease;
};

// Filled once (by the background read), taken once (by the next records request).
class read_ahead_slot {
 public:
  // nullopt: nothing was read ahead (no records, an error, no budget).
  void fulfil(std::optional<read_ahead_response> response);
  // Resumes, on the caller's executor, once fulfil() has been called.
  boost::asio::awaitable<std::optional<read_ahead_response>> take();

 private:
  using result = std::optional<read_ahead_response>;
  std::mutex mutex_;
  bool filled_ = false;
  result value_;
  std::function<void(result)> waiter_;
};

}  // namespace tributary::restproxy
