// producer_state: what the broker remembers about idempotent producers (producer id >= 0), per
// partition: each producer's epoch and its last five batches' sequence ranges and offsets, for the
// duplicate, gap and epoch checks of Produce (kafka-protocol.md §6 "Broker duties on Produce" 7).
// Kept in memory only: a restart forgets every producer (a known producer id then starts afresh).
// partition_producers is thread-safe; offer() holds its mutex across check, append and record, so
// the batches of one partition are sequence-checked and appended one at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kafka/broker/error_code.h"
#include "log/partition.h"

namespace tributary::kafka::broker {

// The producer fields of one RecordBatch v2 header.
struct batch_sequence {
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t first_sequence = -1;
  std::int32_t last_sequence = -1;

  // first_sequence + last_offset_delta, wrapping from INT32_MAX to 0 as Kafka's sequences do.
  static batch_sequence of(const log::batch_header& h);
};

struct offset_range {
  std::int64_t base_offset = -1;
  std::int64_t last_offset = -1;
};

struct sequence_check {
  enum class verdict {
    append,     // next in sequence (or a producer seen for the first time): append it
    duplicate,  // a retry of one of the producer's last batches: answer with `offsets`, append nothing
    reject,     // answer `error` with `message`
  };
  verdict kind = verdict::append;
  error_code error = error_code::none;
  std::string message;
  // duplicate: the original batch's offsets; append: what the log assigned (base -1 when it refused).
  offset_range offsets;
};

class partition_producers {
 public:
  static constexpr std::size_t kept_batches = 5;  // Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN
  static constexpr std::int64_t default_expiration_ms = 24LL * 3600 * 1000;  // producer.id.expiration.ms

  explicit partition_producers(std::int64_t expiration_ms = default_expiration_ms) : expiration_ms_(expiration_ms) {}

  // Checks `b` and, when it is to be appended, calls `append()` (which returns the offsets the log
  // assigned, or nullopt when the log refused the batch) and records the batch if the log took it;
  // all under this partition's mutex. `append` must not block for long and must not call back in.
  template <typename Append>
  sequence_check offer(const batch_sequence& b, std::int64_t now_ms, Append&& append) {
    std::lock_guard lock(mutex_);
    sequence_check c = check(b);
    if (c.kind != sequence_check::verdict::append) return c;
    std::optional<offset_range> taken = append();
    if (taken) {
      record(b, *taken, now_ms);
      c.offsets = *taken;
    }
    return c;
  }

  // Forgets a producer, e.g. after the log failed a batch it had already accepted.
  void forget(std::int64_t producer_id);

  // The pieces of offer(), for tests; callers outside tests use offer().
  sequence_check check(const batch_sequence& b) const;
  void record(const batch_sequence& b, offset_range offsets, std::int64_t now_ms);
  std::size_t producer_count() const;

 private:
  struct batch_metadata {
    std::int32_t first_sequence;
    std::int32_t last_sequence;
    offset_range offsets;
  };
  struct producer {
    std::int16_t epoch = -1;
    std::deque<batch_metadata> batches;  // oldest first, at most kept_batches
    std::int64_t last_update_ms = 0;
  };

  const std::int64_t expiration_ms_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, producer> producers_;
};

// Every partition's producers, found by partition identity: a partition that is deleted and
// created again (same topic name) starts with no producers. Thread-safe.
class producer_state {
 public:
  explicit producer_state(std::int64_t expiration_ms = partition_producers::default_expiration_ms)
      : expiration_ms_(expiration_ms) {}

  std::shared_ptr<partition_producers> for_partition(const std::shared_ptr<log::partition>& p);

 private:
  struct slot {
    std::weak_ptr<log::partition> partition;
    std::shared_ptr<partition_producers> producers;
  };
  const std::int64_t expiration_ms_;
  std::mutex mutex_;
  std::map<const log::partition*, slot> partitions_;
};

}  // namespace tributary::kafka::broker
