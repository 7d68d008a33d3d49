// partition: one partition of a topic, an ordered list of segments of which the last takes
// appends. Appends are serialized by the partition's mutex and may come from any thread; reads run
// concurrently and never see bytes above the high watermark (whole, acknowledged batches only).
// fsyncs, index writes and retention run on the log's flusher thread (background_work), never on
// the caller's. Owned by its topic through shared_ptr, shared with the flusher.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "log/log_error.h"
#include "log/record_batch.h"
#include "log/segment.h"
#include "log/topic_config.h"

namespace tributary::log {

class flusher;

struct append_info {
  std::int64_t base_offset = 0;
  std::int64_t last_offset = 0;
  std::int64_t log_start_offset = 0;
};
// Called exactly once per append: before append_* returns for flush policies os and interval,
// from the flusher thread once the data is fsynced for policy always.
using append_callback = std::function<void(log_result<append_info>)>;

struct read_result {
  std::string bytes;  // whole record batches, exactly as stored
  std::int64_t high_watermark = 0;
  std::int64_t log_start_offset = 0;
};

class partition : public std::enable_shared_from_this<partition> {
 public:
  // Unflushed bytes a partition with policy always accepts before answering `overloaded`.
  static constexpr std::uint64_t max_unflushed_bytes = 64 << 20;

  // Opens (recovering the tail) or creates the partition in `dir`. `config` must outlive it.
  static log_result<std::shared_ptr<partition>> open(const std::filesystem::path& dir, std::string name,
                                                     const topic_config& config, flusher& flusher);
  ~partition();

  const std::string& name() const { return name_; }  // "topic-3", for messages
  std::int64_t max_message_bytes() const { return config_.max_message_bytes; }  // largest batch it takes
  // Closed (shut down, or its topic deleted): every later append fails with log_errc::closed.
  bool is_closed() const { return closed_flag_.load(std::memory_order_acquire); }

  // Appends a client's batch: validates it (framing, magic, CRC, codec), writes the assigned base
  // offset into it and stores it as is (compressed batches stay compressed).
  void append_batch(std::span<std::uint8_t> batch, append_callback done);
  // Encodes `records` as one batch and appends it.
  void append_records(std::span<const record> records, append_callback done);
  // The adapters' path: encodes `records` as one batch and appends it, combined with the batches
  // other threads append at the same time: while one appender writes, the others leave their
  // batches to it and return; it writes them all with one pwrite (each stays its own batch with
  // its own offsets, in the order they arrived). `done` may therefore run on another appender's
  // thread, after this call returns. At most max_staged batches wait; appenders beyond that block
  // until the writer took them (backpressure, like waiting for the mutex).
  void append_combining(std::span<const record> records, append_callback done);
  static constexpr std::size_t max_staged = 4096;

  // Whole batches starting with the one containing `offset`, up to `max_bytes` but always at least
  // one batch when there is data. offset == high watermark gives no bytes.
  log_result<read_result> read(std::int64_t offset, std::size_t max_bytes) const;
  // The first offset whose record timestamp is >= `timestamp` (for a compressed batch: its base
  // offset), or nullopt when no record is that recent.
  log_result<std::optional<std::int64_t>> offset_for_timestamp(std::int64_t timestamp) const;
  // Compacted view: the latest record per key in offset order, keys whose latest value is null
  // (tombstones) and records without a key left out.
  log_result<std::vector<record>> latest_per_key() const;

  std::int64_t log_start_offset() const;
  std::int64_t high_watermark() const;
  std::int64_t log_end_offset() const;
  std::uint64_t size_bytes() const;

  // Calls `notify` once, from whichever thread advances the high watermark past `offset` (at once,
  // on this thread, when it already is). Cancel returns false when notify already ran or runs.
  using waiter_id = std::uint64_t;
  waiter_id wait_for_data(std::int64_t offset, std::function<void()> notify);
  bool cancel_wait(waiter_id id);

  // Flusher thread only: fsync what acknowledgements wait for, and then acknowledge. When fewer
  // appends wait than joined the previous fsync, it first gives them up to commit_delay to arrive
  // (appenders woken by the last acknowledgement are usually re-appending right now).
  void sync_pending();
  static constexpr std::chrono::microseconds commit_delay{200};
  // Flusher thread only: seal rolled segments, interval fsyncs and, when asked, retention.
  void background_work(std::int64_t now_ms, bool check_retention);
  // Final flush on shutdown: every written byte synced, index files written. Fails later appends.
  log_result<void> close();

 private:
  struct pending_ack {
    append_info info;
    append_callback done;
    std::shared_ptr<segment> seg;
    std::uint64_t end_position;
  };
  struct waiter {
    waiter_id id;
    std::int64_t offset;
    std::function<void()> notify;
  };

  struct staged_batch {
    std::string bytes;
    batch_header header;
    append_callback done;
  };

  partition(std::filesystem::path dir, std::string name, const topic_config& config, flusher& f);
  void append(std::span<std::uint8_t> batch, batch_header h, append_callback done);
  // Mutex held, batches written: queues their acknowledgements for the fsync (policy always) or
  // commits them and answers at once. Unlocks.
  void acknowledge(std::unique_lock<std::mutex>& lock, std::vector<pending_ack>& acks, std::uint64_t bytes);
  // Appends a group of batches in one write (mutex not held on entry); answers every `done`.
  void append_group(std::vector<staged_batch>& group);
  log_result<void> roll_if_needed(std::size_t incoming, std::int64_t now_ms);
  // Advances the high watermark (mutex held) and moves due waiters into `ready`.
  void commit(std::int64_t high_watermark, std::vector<std::function<void()>>& ready);
  log_result<void> sync_segments(std::vector<std::shared_ptr<segment>> segments, bool directory);
  log_error corrupt_at(const segment& s, std::uint64_t position, const std::string& why) const;

  std::filesystem::path dir_;
  std::string name_;
  const topic_config& config_;
  flusher& flusher_;

  // append_combining: batches waiting for the appender that is writing (`combining_`).
  std::mutex staging_mutex_;
  std::condition_variable staging_room_;
  std::vector<staged_batch> staged_;
  bool combining_ = false;

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<segment>> segments_;  // oldest first; back() takes appends
  std::int64_t log_end_offset_ = 0;
  std::int64_t high_watermark_ = 0;
  std::vector<pending_ack> pending_;
  std::uint64_t pending_bytes_ = 0;
  std::condition_variable pending_grew_;  // for the commit delay in sync_pending
  std::size_t last_group_size_ = 0;
  std::vector<std::shared_ptr<segment>> to_seal_;  // rolled, index not yet written
  bool directory_dirty_ = false;                   // a segment file was created or removed
  bool dirty_ = false;                             // written since the last fsync
  std::int64_t last_sync_ms_ = 0;
  std::optional<log_error> failed_;  // an fsync failed: the partition takes no more appends
  bool closed_ = false;
  std::atomic<bool> closed_flag_{false};  // closed_, readable without the mutex
  std::vector<waiter> waiters_;
  waiter_id next_waiter_ = 1;
};

}  // namespace tributary::log
