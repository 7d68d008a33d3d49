#include "kafka/broker/producer_state.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <thread>
#include <vector>

#include "log/log_manager.h"
#include "log/tests/test_support.h"

namespace tributary::kafka::broker {
namespace {

using verdict = sequence_check::verdict;

constexpr std::int64_t pid = 4242;

batch_sequence batch(std::int32_t first, std::int32_t count = 1, std::int16_t epoch = 0, std::int64_t producer = pid) {
  log::batch_header h;
  h.producer_id = producer;
  h.producer_epoch = epoch;
  h.base_sequence = first;
  h.last_offset_delta = count - 1;
  return batch_sequence::of(h);
}

// A partition's producers in front of a fake log that hands out consecutive offsets.
struct fake_log {
  partition_producers producers{partition_producers::default_expiration_ms};
  std::int64_t next_offset = 0;
  std::int64_t now_ms = 1000;

  sequence_check offer(const batch_sequence& b, bool log_takes_it = true) {
    return producers.offer(b, now_ms, [&]() -> std::optional<offset_range> {
      if (!log_takes_it) return std::nullopt;
      const std::int64_t count = static_cast<std::int64_t>(b.last_sequence) - b.first_sequence + 1;
      offset_range r{next_offset, next_offset + count - 1};
      next_offset += count;
      return r;
    });
  }
};

TEST(ProducerState, BatchSequenceRangeWrapsAfterInt32Max) {
  const auto max = std::numeric_limits<std::int32_t>::max();
  EXPECT_EQ(batch(0, 5).last_sequence, 4);
  EXPECT_EQ(batch(max, 1).last_sequence, max);
  EXPECT_EQ(batch(max, 2).last_sequence, 0);
  EXPECT_EQ(batch(max - 1, 4).last_sequence, 1);
  log::batch_header plain;  // not idempotent: no sequence range
  EXPECT_EQ(batch_sequence::of(plain).last_sequence, -1);
}

TEST(ProducerState, InSequenceBatchesAreAppended) {
  fake_log log;
  auto first = log.offer(batch(0, 3));
  EXPECT_EQ(first.kind, verdict::append);
  EXPECT_EQ(first.offsets.base_offset, 0);
  EXPECT_EQ(first.offsets.last_offset, 2);
  auto second = log.offer(batch(3, 2));
  EXPECT_EQ(second.kind, verdict::append);
  EXPECT_EQ(second.offsets.base_offset, 3);
  EXPECT_EQ(log.producers.producer_count(), 1u);
}

TEST(ProducerState, GapIsOutOfOrderSequence) {
  fake_log log;
  ASSERT_EQ(log.offer(batch(0, 3)).kind, verdict::append);
  auto gap = log.offer(batch(4));
  EXPECT_EQ(gap.kind, verdict::reject);
  EXPECT_EQ(gap.error, error_code::out_of_order_sequence_number);
  EXPECT_NE(gap.message.find("sequence 4 after 2"), std::string::npos) << gap.message;
  EXPECT_EQ(log.next_offset, 3) << "a rejected batch is not appended";
  EXPECT_EQ(log.offer(batch(3)).kind, verdict::append) << "the state did not move on the rejection";
}

TEST(ProducerState, RetryOfEachOfTheLastFiveBatchesGetsItsOriginalOffsets) {
  fake_log log;
  for (int i = 0; i < 7; ++i) ASSERT_EQ(log.offer(batch(i * 2, 2)).kind, verdict::append);
  ASSERT_EQ(log.next_offset, 14);
  for (int i = 2; i < 7; ++i) {  // batches 2..6 are the last five
    auto retry = log.offer(batch(i * 2, 2));
    EXPECT_EQ(retry.kind, verdict::duplicate) << "batch " << i;
    EXPECT_EQ(retry.error, error_code::none);
    EXPECT_EQ(retry.offsets.base_offset, i * 2);
    EXPECT_EQ(retry.offsets.last_offset, i * 2 + 1);
  }
  EXPECT_EQ(log.next_offset, 14) << "duplicates are not appended";
  auto too_old = log.offer(batch(2, 2));  // batch 1: no longer kept
  EXPECT_EQ(too_old.kind, verdict::reject);
  EXPECT_EQ(too_old.error, error_code::out_of_order_sequence_number);
  // Same first sequence, different range: not the same batch.
  EXPECT_EQ(log.offer(batch(12, 1)).error, error_code::out_of_order_sequence_number);
  EXPECT_EQ(log.offer(batch(14)).kind, verdict::append);
}

TEST(ProducerState, OlderEpochIsRejectedNewerEpochStartsAtZero) {
  fake_log log;
  ASSERT_EQ(log.offer(batch(0, 1, 3)).kind, verdict::append);
  ASSERT_EQ(log.offer(batch(1, 1, 3)).kind, verdict::append);
  auto fenced = log.offer(batch(2, 1, 2));
  EXPECT_EQ(fenced.kind, verdict::reject);
  EXPECT_EQ(fenced.error, error_code::invalid_producer_epoch);
  auto not_zero = log.offer(batch(2, 1, 4));
  EXPECT_EQ(not_zero.error, error_code::out_of_order_sequence_number);
  EXPECT_EQ(log.offer(batch(0, 1, 4)).kind, verdict::append);
  // The new epoch replaced the old one's batches: epoch 3 is now fenced, its batches no duplicates.
  EXPECT_EQ(log.offer(batch(1, 1, 3)).error, error_code::invalid_producer_epoch);
  EXPECT_EQ(log.offer(batch(1, 1, 4)).kind, verdict::append);
}

TEST(ProducerState, RetryWithAnotherEpochIsNoDuplicate) {
  fake_log log;
  ASSERT_EQ(log.offer(batch(0, 1, 0)).kind, verdict::append);
  EXPECT_EQ(log.offer(batch(0, 1, 0)).kind, verdict::duplicate);
  EXPECT_EQ(log.offer(batch(0, 1, 1)).kind, verdict::append) << "epoch bump restarts at sequence 0";
}

TEST(ProducerState, UnknownProducerIsAcceptedAtAnySequence) {
  // As Kafka when it knows no epoch for the producer id (e.g. this broker restarted and forgot it).
  fake_log log;
  auto late = log.offer(batch(57, 3, 2));
  EXPECT_EQ(late.kind, verdict::append);
  EXPECT_EQ(log.offer(batch(60, 1, 2)).kind, verdict::append);
  EXPECT_EQ(log.offer(batch(62, 1, 2)).error, error_code::out_of_order_sequence_number);
}

TEST(ProducerState, ProducersAreIndependent) {
  fake_log log;
  ASSERT_EQ(log.offer(batch(0, 1, 0, 1)).kind, verdict::append);
  ASSERT_EQ(log.offer(batch(0, 1, 0, 2)).kind, verdict::append);
  EXPECT_EQ(log.offer(batch(1, 1, 0, 1)).kind, verdict::append);
  EXPECT_EQ(log.offer(batch(0, 1, 0, 2)).kind, verdict::duplicate);
  EXPECT_EQ(log.producers.producer_count(), 2u);
}

TEST(ProducerState, SequenceContinuesPastInt32Max) {
  fake_log log;
  const auto max = std::numeric_limits<std::int32_t>::max();
  ASSERT_EQ(log.offer(batch(max - 1, 2)).kind, verdict::append);
  EXPECT_EQ(log.offer(batch(0, 2)).kind, verdict::append);
  EXPECT_EQ(log.offer(batch(max - 1, 2)).kind, verdict::duplicate);
}

TEST(ProducerState, BatchTheLogRefusedIsNotRemembered) {
  fake_log log;
  ASSERT_EQ(log.offer(batch(0)).kind, verdict::append);
  auto refused = log.offer(batch(1), false);
  EXPECT_EQ(refused.kind, verdict::append);
  EXPECT_EQ(refused.offsets.base_offset, -1);
  auto retry = log.offer(batch(1));
  EXPECT_EQ(retry.kind, verdict::append) << "a retry of a refused batch is appended, not a duplicate";
  EXPECT_EQ(retry.offsets.base_offset, 1);
}

TEST(ProducerState, ForgottenProducerStartsAfresh) {
  fake_log log;
  ASSERT_EQ(log.offer(batch(0)).kind, verdict::append);
  log.producers.forget(pid);
  EXPECT_EQ(log.producers.producer_count(), 0u);
  EXPECT_EQ(log.offer(batch(0)).kind, verdict::append) << "no duplicate once forgotten";
}

TEST(ProducerState, IdleProducersExpireWhenANewOneArrives) {
  partition_producers producers(1000);
  auto append_at = [&](std::int64_t producer, std::int64_t now) {
    auto append = [] { return std::optional<offset_range>(offset_range{0, 0}); };
    return producers.offer(batch(0, 1, 0, producer), now, append);
  };
  append_at(1, 0);
  append_at(2, 500);
  EXPECT_EQ(producers.producer_count(), 2u);
  append_at(3, 1200);  // producer 1 idle for 1200 ms
  EXPECT_EQ(producers.producer_count(), 2u);
  EXPECT_EQ(producers.check(batch(5, 1, 0, 1)).kind, verdict::append) << "producer 1 is unknown again";
  EXPECT_EQ(producers.check(batch(0, 1, 0, 2)).kind, verdict::duplicate) << "producer 2 is still known";
}

// Threads retrying the same batches at once: each sequence is appended exactly once, in order.
TEST(ProducerState, ConcurrentOffersAppendEachBatchOnce) {
  partition_producers producers;
  constexpr int batches = 2000;
  std::vector<int> appended;  // sequences, in append order (guarded by offer's lock)
  std::atomic<int> duplicates{0};
  auto run = [&] {
    for (int seq = 0; seq < batches; ++seq) {
      auto c = producers.offer(batch(seq), 0, [&]() -> std::optional<offset_range> {
        appended.push_back(seq);
        return offset_range{seq, seq};
      });
      if (c.kind == verdict::duplicate) {
        EXPECT_EQ(c.offsets.base_offset, seq);
        ++duplicates;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(run);
  for (auto& t : threads) t.join();
  ASSERT_EQ(appended.size(), static_cast<std::size_t>(batches));
  for (int i = 0; i < batches; ++i) ASSERT_EQ(appended[i], i);
  EXPECT_GT(duplicates.load(), 0);
}

TEST(ProducerState, PartitionsAreKeptApartAndARecreatedTopicStartsAfresh) {
  log::testing::temp_dir dir;
  auto log = log::log_manager::open({dir.path()});
  ASSERT_TRUE(log.ok());
  log::topic_config config;
  config.partitions = 2;
  ASSERT_TRUE((*log)->create_topic("t", config).ok());
  producer_state state;
  auto p0 = (*log)->find_partition("t", 0);
  auto p1 = (*log)->find_partition("t", 1);
  auto s0 = state.for_partition(p0);
  EXPECT_EQ(state.for_partition(p0), s0);
  EXPECT_NE(state.for_partition(p1), s0);
  s0->record(batch(0), {0, 0}, 0);
  EXPECT_EQ(s0->check(batch(0)).kind, verdict::duplicate);

  p0.reset();
  p1.reset();
  ASSERT_TRUE((*log)->delete_topic("t").ok());
  ASSERT_TRUE((*log)->create_topic("t", config).ok());
  auto again = state.for_partition((*log)->find_partition("t", 0));
  EXPECT_EQ(again->producer_count(), 0u);
  EXPECT_EQ(again->check(batch(0)).kind, verdict::append);
  ASSERT_TRUE((*log)->close().ok());
}

}  // namespace
}  // namespace tributary::kafka::broker
