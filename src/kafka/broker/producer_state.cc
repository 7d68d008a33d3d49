#include "kafka/broker/producer_state.h"

#include <algorithm>
#include <limits>

namespace tributary::kafka::broker {

namespace {

// Kafka's ProducerAppendInfo.inSequence: the next sequence, or 0 after INT32_MAX.
bool in_sequence(std::int32_t last, std::int32_t next) {
  return static_cast<std::int64_t>(next) == static_cast<std::int64_t>(last) + 1 ||
         (next == 0 && last == std::numeric_limits<std::int32_t>::max());
}

}  // namespace

batch_sequence batch_sequence::of(const log::batch_header& h) {
  batch_sequence b;
  b.producer_id = h.producer_id;
  b.producer_epoch = h.producer_epoch;
  b.first_sequence = h.base_sequence;
  if (h.base_sequence < 0) return b;
  // DefaultRecordBatch.incrementSequence: sequences wrap from INT32_MAX to 0.
  std::int64_t last = static_cast<std::int64_t>(h.base_sequence) + h.last_offset_delta;
  if (last > std::numeric_limits<std::int32_t>::max()) last -= std::int64_t{1} << 31;
  b.last_sequence = static_cast<std::int32_t>(last);
  return b;
}

// The order of the checks is Kafka's (UnifiedLog.analyzeAndValidateProducerState, then
// ProducerAppendInfo): a retry of a kept batch first, then the epoch, then the sequence.
sequence_check partition_producers::check(const batch_sequence& b) const {
  using verdict = sequence_check::verdict;
  auto it = producers_.find(b.producer_id);
  // A producer this partition has no state for (new, expired, or known before a restart): any
  // sequence is accepted, as Kafka does when it knows no epoch for the producer id.
  if (it == producers_.end()) return {};
  const producer& p = it->second;
  if (b.producer_epoch == p.epoch) {
    for (const auto& kept : p.batches) {
      if (kept.first_sequence == b.first_sequence && kept.last_sequence == b.last_sequence) {
        return {verdict::duplicate, error_code::none, {}, kept.offsets};
      }
    }
  }
  if (b.producer_epoch < p.epoch) {
    return {verdict::reject, error_code::invalid_producer_epoch,
            "producer " + std::to_string(b.producer_id) + " epoch " + std::to_string(b.producer_epoch) +
                " is older than its current epoch " + std::to_string(p.epoch),
            {}};
  }
  if (b.producer_epoch > p.epoch) {
    if (b.first_sequence == 0) return {};
    return {verdict::reject, error_code::out_of_order_sequence_number,
            "producer " + std::to_string(b.producer_id) + " starts epoch " + std::to_string(b.producer_epoch) +
                " at sequence " + std::to_string(b.first_sequence) + " instead of 0",
            {}};
  }
  if (p.batches.empty() || in_sequence(p.batches.back().last_sequence, b.first_sequence)) return {};
  return {verdict::reject, error_code::out_of_order_sequence_number,
          "producer " + std::to_string(b.producer_id) + " sent sequence " + std::to_string(b.first_sequence) +
              " after " + std::to_string(p.batches.back().last_sequence),
          {}};
}

void partition_producers::record(const batch_sequence& b, offset_range offsets, std::int64_t now_ms) {
  auto [it, inserted] = producers_.try_emplace(b.producer_id);
  if (inserted) {
    // New producers are rare next to batches: the moment to drop the ones idle for too long.
    for (auto e = producers_.begin(); e != producers_.end();) {
      if (e != it && now_ms - e->second.last_update_ms >= expiration_ms_) {
        e = producers_.erase(e);
      } else {
        ++e;
      }
    }
  }
  producer& p = it->second;
  if (p.epoch != b.producer_epoch) {
    p.epoch = b.producer_epoch;
    p.batches.clear();
  }
  p.batches.push_back({b.first_sequence, b.last_sequence, offsets});
  if (p.batches.size() > kept_batches) p.batches.pop_front();
  p.last_update_ms = now_ms;
}

void partition_producers::forget(std::int64_t producer_id) {
  std::lock_guard lock(mutex_);
  producers_.erase(producer_id);
}

std::size_t partition_producers::producer_count() const {
  std::lock_guard lock(mutex_);
  return producers_.size();
}

std::shared_ptr<partition_producers> producer_state::for_partition(const std::shared_ptr<log::partition>& p) {
  std::lock_guard lock(mutex_);
  auto it = partitions_.find(p.get());
  if (it != partitions_.end() && it->second.partition.lock() == p) return it->second.producers;
  // A partition seen for the first time (or a new one at a freed one's address): drop the state of
  // partitions that no longer exist.
  std::erase_if(partitions_, [](const auto& entry) { return entry.second.partition.expired(); });
  auto producers = std::make_shared<partition_producers>(expiration_ms_);
  partitions_[p.get()] = slot{p, producers};
  return producers;
}

}  // namespace tributary::kafka::broker
