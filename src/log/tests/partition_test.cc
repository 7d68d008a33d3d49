#include "log/partition.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/big_endian.h"
#include "common/crc32c.h"
#include "log/flusher.h"
#include "log/tests/test_support.h"

namespace tributary::log {
namespace {

using testing::append_sync;
using testing::make_record;
using testing::records_of;

class Partition : public ::testing::Test {
 protected:
  std::shared_ptr<partition> open() {
    auto p = partition::open(dir_.path() / "t" / "0", "t-0", config_, flusher_);
    EXPECT_TRUE(p.ok()) << p.error().message;
    if (p) flusher_.add(*p);
    return p ? *p : nullptr;
  }
  std::size_t segment_files() const {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path() / "t" / "0")) n += e.path().extension() == ".log";
    return n;
  }

  testing::temp_dir dir_;
  topic_config config_;
  flusher flusher_{10};
};

TEST_F(Partition, AppendAssignsConsecutiveOffsetsAndReadsBack) {
  auto p = open();
  auto a = append_sync(*p, {make_record("k1", "v1"), make_record("k2", "v2")});
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->base_offset, 0);
  EXPECT_EQ(a->last_offset, 1);
  auto b = append_sync(*p, {make_record("k3", "v3")});
  EXPECT_EQ(b->base_offset, 2);
  EXPECT_EQ(p->high_watermark(), 3);
  EXPECT_EQ(p->log_end_offset(), 3);

  auto r = p->read(0, 1 << 20);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto records = records_of(*r);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].offset, 2);
  EXPECT_EQ(*records[2].value, "v3");
  EXPECT_EQ(r->high_watermark, 3);
}

TEST_F(Partition, ReadReturnsTheBatchContainingTheOffsetAndAtLeastOneBatch) {
  auto p = open();
  ASSERT_TRUE(append_sync(*p, {make_record("a", "1"), make_record("b", "2"), make_record("c", "3")}).ok());
  ASSERT_TRUE(append_sync(*p, {make_record("d", "4")}).ok());
  auto r = p->read(1, 1);  // inside the first batch, with a tiny byte limit
  ASSERT_TRUE(r.ok());
  auto records = records_of(*r);
  ASSERT_EQ(records.size(), 3u);  // the whole first batch, nothing more
  EXPECT_EQ(records.front().offset, 0);
  r = p->read(3, 1 << 20);
  ASSERT_EQ(records_of(*r).size(), 1u);
}

// Reads find their batch from a sparse index entry, or, after the last one, from the exact position
// kept for each batch: every offset, with a byte limit below and above a batch's size.
TEST_F(Partition, ReadsFindTheBatchOfEveryOffsetBeforeAndAfterTheLastIndexEntry) {
  auto p = open();
  constexpr int batches = 120;  // of three records of about 100 bytes: several index intervals
  for (int i = 0; i < batches; ++i) {
    std::vector<record> records;
    for (int j = 0; j < 3; ++j) records.push_back(make_record("k", std::string(100, static_cast<char>('a' + (3 * i + j) % 26))));
    ASSERT_TRUE(append_sync(*p, std::move(records)).ok());
  }
  for (const std::size_t max_bytes : {std::size_t{1}, std::size_t{1} << 20}) {
    for (int offset = 0; offset < 3 * batches; ++offset) {
      auto r = p->read(offset, max_bytes);
      ASSERT_TRUE(r.ok()) << r.error().message;
      auto records = records_of(*r);
      ASSERT_GE(records.size(), 3u) << "offset " << offset;
      EXPECT_EQ(records.front().offset, offset - offset % 3) << "offset " << offset;
      EXPECT_EQ(*records.front().value, std::string(100, static_cast<char>('a' + (offset - offset % 3) % 26)));
      if (max_bytes == 1) {
        EXPECT_EQ(records.size(), 3u) << "offset " << offset << ": one whole batch";
      } else {
        EXPECT_EQ(records.back().offset, 3 * batches - 1) << "offset " << offset << ": up to the end";
      }
    }
  }
}

TEST_F(Partition, ReadAtTheEndIsEmptyAndBeyondIsOutOfRange) {
  auto p = open();
  ASSERT_TRUE(append_sync(*p, {make_record("a", "1")}).ok());
  auto r = p->read(1, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->bytes.empty());
  auto beyond = p->read(2, 100);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.error().code, log_errc::offset_out_of_range);
}

TEST_F(Partition, ClientBatchIsValidatedAndStoredAsIs) {
  auto p = open();
  std::string batch = encode_batch(std::vector<record>{make_record("k", "v")});
  std::string corrupt = batch;
  corrupt[corrupt.size() - 1] ^= 1;
  std::promise<log_result<append_info>> bad;
  p->append_batch({reinterpret_cast<std::uint8_t*>(corrupt.data()), corrupt.size()},
                  [&](log_result<append_info> r) { bad.set_value(std::move(r)); });
  auto rejected = bad.get_future().get();
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().code, log_errc::invalid_batch);

  ASSERT_TRUE(append_sync(*p, {make_record("first", "x")}).ok());
  std::promise<log_result<append_info>> good;
  p->append_batch({reinterpret_cast<std::uint8_t*>(batch.data()), batch.size()},
                  [&](log_result<append_info> r) { good.set_value(std::move(r)); });
  auto accepted = good.get_future().get();
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->base_offset, 1);
  auto r = p->read(1, 1 << 20);
  // Stored byte for byte, with the assigned base offset.
  EXPECT_EQ(r->bytes.substr(8), batch.substr(8));
}

TEST_F(Partition, CompressedClientBatchStaysCompressed) {
  auto p = open();
  // A batch flagged zstd (the bytes after the count are opaque to the log); CRC recomputed as a
  // producer would.
  std::string batch = encode_batch(std::vector<record>{make_record("k", "v")});
  auto* bytes = reinterpret_cast<std::uint8_t*>(batch.data());
  write_be<std::int16_t>(bytes + 21, 4);
  write_be<std::uint32_t>(bytes + 17, crc32c(bytes + 21, batch.size() - 21));
  std::promise<log_result<append_info>> done;
  p->append_batch({bytes, batch.size()}, [&](log_result<append_info> r) { done.set_value(std::move(r)); });
  ASSERT_TRUE(done.get_future().get().ok());
  auto r = p->read(0, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->bytes, batch);
  EXPECT_EQ(parse_batch_header(as_bytes(r->bytes))->codec(), compression::zstd);
}

TEST_F(Partition, IntervalPolicyAcknowledgesAtOnceAndSyncsInTheBackground) {
  config_.flush = flush_policy::interval;
  config_.flush_ms = 1;
  auto p = open();
  bool acked_inline = false;
  p->append_records(std::vector<record>{make_record("k", "v")}, [&](log_result<append_info> r) { acked_inline = r.ok(); });
  EXPECT_TRUE(acked_inline);
  EXPECT_EQ(p->high_watermark(), 1);
  p->background_work(testing::now_ms() + 10, false);  // an interval fsync is due; it must not disturb reads
  auto r = p->read(0, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(records_of(*r).size(), 1u);
}

// append_combining: appenders on several threads, each record its own batch, every callback once,
// offsets consecutive, each thread's records in the order it appended them, all of it readable;
// for the os policy (answered at once) and for always (answered after the group's fsync).
void append_combining_from_threads(partition& p, int threads, int per_thread) {
  std::atomic<int> answered{0}, failed{0};
  std::vector<std::thread> appenders;
  for (int t = 0; t < threads; ++t) {
    appenders.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::vector<record> one{make_record("t" + std::to_string(t), std::to_string(i))};
        p.append_combining(one, [&](log_result<append_info> r) {
          if (!r || r->last_offset != r->base_offset) ++failed;
          ++answered;
        });
      }
    });
  }
  for (auto& a : appenders) a.join();
  const int total = threads * per_thread;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (answered < total && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(answered.load(), total);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(p.high_watermark(), total);
  std::vector<record> all;
  for (std::int64_t offset = 0; offset < total;) {
    auto r = p.read(offset, 1 << 20);
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto records = records_of(*r);
    ASSERT_FALSE(records.empty());
    for (auto& rec : records) {
      EXPECT_EQ(rec.offset, offset++);
      all.push_back(std::move(rec));
    }
  }
  std::vector<int> next(threads, 0);
  for (const auto& rec : all) {
    const int t = std::stoi(rec.key->substr(1));
    EXPECT_EQ(*rec.value, std::to_string(next[t]++)) << "thread " << t;
  }
  for (int t = 0; t < threads; ++t) EXPECT_EQ(next[t], per_thread);
}

TEST_F(Partition, CombiningAppendsFromManyThreadsKeepEachThreadsOrder) {
  auto p = open();
  append_combining_from_threads(*p, 4, 2000);
}

TEST_F(Partition, CombiningAppendsWithFlushAlwaysAnswerAfterTheFsync) {
  config_.flush = flush_policy::always;
  auto p = open();
  append_combining_from_threads(*p, 3, 300);
}

TEST_F(Partition, CombiningAppendRefusesOversizedBatchesAndAppendsAfterClose) {
  config_.max_message_bytes = 100;
  auto p = open();
  std::optional<log_errc> error;
  const std::vector<record> big{make_record("k", std::string(200, 'x'))};
  p->append_combining(big, [&](log_result<append_info> r) { error = r ? std::nullopt : std::optional(r.error().code); });
  EXPECT_EQ(error, log_errc::message_too_large);
  ASSERT_TRUE(p->close().ok());
  const std::vector<record> small{make_record("k", "v")};
  p->append_combining(small, [&](log_result<append_info> r) { error = r ? std::nullopt : std::optional(r.error().code); });
  EXPECT_EQ(error, log_errc::closed);
}

TEST_F(Partition, SegmentsRollBySizeAndReadsCrossThem) {
  config_.segment_bytes = 300;
  auto p = open();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(append_sync(*p, {make_record("k", std::string(100, 'a' + i % 26))}).ok());
  EXPECT_GE(segment_files(), 9u);
  for (int offset = 0; offset < 20; ++offset) {
    auto r = p->read(offset, 1);
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto records = records_of(*r);
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records.front().offset, offset);
    EXPECT_EQ(*records.front().value, std::string(100, 'a' + offset % 26));
  }
}

TEST_F(Partition, SegmentsRollByAge) {
  config_.segment_ms = 1;
  auto p = open();
  // Appends until one finds the active segment older than 1 ms (a condition, not a sleep).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (segment_files() < 2 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(append_sync(*p, {make_record("k", "v")}).ok());
  }
  EXPECT_EQ(segment_files(), 2u);
}

TEST_F(Partition, FlushAlwaysAcknowledgesFromTheFlusherWithGroupCommit) {
  config_.flush = flush_policy::always;
  auto p = open();
  constexpr int threads = 8, per_thread = 50;
  std::atomic<int> acked{0};
  std::vector<std::thread> appenders;
  for (int t = 0; t < threads; ++t) {
    appenders.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto r = append_sync(*p, {make_record(std::to_string(t), std::to_string(i))});
        if (r.ok()) ++acked;
      }
    });
  }
  for (auto& t : appenders) t.join();
  EXPECT_EQ(acked.load(), threads * per_thread);
  EXPECT_EQ(p->high_watermark(), threads * per_thread);
  auto r = p->read(0, 64 << 20);
  EXPECT_EQ(records_of(*r).size(), static_cast<std::size_t>(threads * per_thread));
}

TEST_F(Partition, WaitersAreNotifiedWhenDataArrives) {
  auto p = open();
  std::promise<void> woke;
  p->wait_for_data(0, [&] { woke.set_value(); });
  auto f = woke.get_future();
  EXPECT_EQ(f.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  ASSERT_TRUE(append_sync(*p, {make_record("k", "v")}).ok());
  EXPECT_EQ(f.wait_for(std::chrono::seconds(30)), std::future_status::ready);

  bool immediate = false;
  p->wait_for_data(0, [&] { immediate = true; });  // data already there
  EXPECT_TRUE(immediate);

  bool never = false;
  auto id = p->wait_for_data(5, [&] { never = true; });
  EXPECT_TRUE(p->cancel_wait(id));
  ASSERT_TRUE(append_sync(*p, {make_record("k", "v")}).ok());
  EXPECT_FALSE(never);
}

TEST_F(Partition, TimestampLookup) {
  auto p = open();
  ASSERT_TRUE(append_sync(*p, {make_record("a", "1", 1000), make_record("b", "2", 2000)}).ok());
  ASSERT_TRUE(append_sync(*p, {make_record("c", "3", 3000)}).ok());
  auto at = [&](std::int64_t ts) { return *p->offset_for_timestamp(ts); };
  EXPECT_EQ(at(0), 0);
  EXPECT_EQ(at(1000), 0);
  EXPECT_EQ(at(1500), 1);
  EXPECT_EQ(at(2000), 1);
  EXPECT_EQ(at(2500), 2);
  EXPECT_EQ(at(3001), std::nullopt);
}

TEST_F(Partition, TimestampLookupAcrossManyIndexedSegments) {
  config_.segment_bytes = 64 * 1024;
  auto p = open();
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(append_sync(*p, {make_record("k", std::string(1000, 'x'), 10 * i)}).ok());
  for (int i : {0, 1, 77, 250, 499}) EXPECT_EQ(*p->offset_for_timestamp(10 * i), i);
  EXPECT_EQ(*p->offset_for_timestamp(10 * 77 - 5), 77);
}

TEST_F(Partition, RetentionByBytesDeletesWholeOldSegments) {
  config_.segment_bytes = 1000;
  config_.retention_bytes = 2500;
  auto p = open();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(append_sync(*p, {make_record("k", std::string(200, 'x'))}).ok());
  p->background_work(testing::now_ms(), true);
  EXPECT_LE(p->size_bytes(), 2500u + 1000u);
  const std::int64_t start = p->log_start_offset();
  EXPECT_GT(start, 0);
  auto below = p->read(start - 1, 100);
  ASSERT_FALSE(below.ok());
  EXPECT_EQ(below.error().code, log_errc::offset_out_of_range);
  auto r = p->read(start, 100);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(records_of(*r).front().offset, start);
}

TEST_F(Partition, RetentionByTime) {
  config_.segment_bytes = 500;
  config_.retention_ms = 1000;
  auto p = open();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(append_sync(*p, {make_record("old", std::string(200, 'o'), 1000 + i)}).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(append_sync(*p, {make_record("new", std::string(200, 'n'), 100000 + i)}).ok());
  p->background_work(100500, true);  // "now": the old records are 99 s old, the new ones 0.5 s
  const std::int64_t start = p->log_start_offset();
  EXPECT_GE(start, 9);
  EXPECT_LE(start, 10);
  auto r = p->read(start, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(records_of(*r).front().offset, start);
  auto newest = p->read(12, 1);
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(*records_of(*newest).front().value, std::string(200, 'n'));
}

TEST_F(Partition, LatestPerKey) {
  auto p = open();
  ASSERT_TRUE(append_sync(*p, {make_record("a", "1"), make_record("b", "1")}).ok());
  ASSERT_TRUE(append_sync(*p, {make_record("a", "2")}).ok());
  record tombstone = make_record("b", "");
  tombstone.value.reset();
  ASSERT_TRUE(append_sync(*p, {tombstone, make_record("c", "1")}).ok());
  auto latest = p->latest_per_key();
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ(*(*latest)[0].key, "a");
  EXPECT_EQ(*(*latest)[0].value, "2");
  EXPECT_EQ(*(*latest)[1].key, "c");
}

TEST_F(Partition, ReopenKeepsEverythingAndContinuesOffsets) {
  config_.segment_bytes = 400;
  {
    auto p = open();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(append_sync(*p, {make_record("k", std::string(100, '0' + i))}).ok());
    p->background_work(0, false);  // seal rolled segments (index files)
    flusher_.remove(p.get());
    ASSERT_TRUE(p->close().ok());
  }
  auto p = open();
  EXPECT_EQ(p->log_end_offset(), 10);
  auto r = p->read(7, 1);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*records_of(*r).front().value, std::string(100, '7'));
  auto next = append_sync(*p, {make_record("k", "again")});
  EXPECT_EQ(next->base_offset, 10);
}

TEST_F(Partition, TooLargeBatchIsRejected) {
  config_.max_message_bytes = 100;
  auto p = open();
  auto r = append_sync(*p, {make_record("k", std::string(200, 'x'))});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, log_errc::message_too_large);
}

}  // namespace
}  // namespace tributary::log
