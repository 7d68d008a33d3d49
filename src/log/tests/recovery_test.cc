// Crash and corruption: what opening a damaged partition does (LevelDB log_test style helpers).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>
#include <thread>

#include "log/flusher.h"
#include "log/log_manager.h"
#include "log/partition.h"
#include "log/segment.h"
#include "log/tests/test_support.h"

namespace tributary::log {
namespace {

using testing::append_sync;
using testing::flip_byte;
using testing::make_record;
using testing::records_of;
using testing::truncate_tail;

std::string value_for(int i) { return "value-" + std::to_string(i) + "-" + std::string(50, static_cast<char>('a' + i % 26)); }

class Recovery : public ::testing::Test {
 protected:
  std::filesystem::path partition_dir() const { return dir_.path() / "t" / "0"; }

  log_result<std::shared_ptr<partition>> open() { return partition::open(partition_dir(), "t-0", config_, flusher_); }

  // Writes `n` single-record batches and closes; returns each batch's file position.
  std::vector<std::uint64_t> write_batches(int n) {
    auto p = open();
    EXPECT_TRUE(p.ok());
    for (int i = 0; i < n; ++i) EXPECT_TRUE(append_sync(**p, {make_record("k", value_for(i))}).ok());
    (*p)->background_work(0, false);
    EXPECT_TRUE((*p)->close().ok());
    std::vector<std::uint64_t> positions;
    const std::string bytes = testing::read_file(segment_file(0));
    std::uint64_t pos = 0;
    while (pos < bytes.size()) {
      positions.push_back(pos);
      pos += parse_batch_header(as_bytes(bytes).subspan(pos))->size();
    }
    return positions;
  }

  std::filesystem::path segment_file(std::int64_t base) const { return segment::log_path(partition_dir(), base); }

  void expect_offsets_intact(partition& p, int n) {
    ASSERT_EQ(p.log_end_offset(), n);
    for (int i = 0; i < n; ++i) {
      auto r = p.read(i, 1);
      ASSERT_TRUE(r.ok()) << r.error().message;
      auto records = records_of(*r);
      ASSERT_FALSE(records.empty());
      EXPECT_EQ(*records.front().value, value_for(i));
    }
  }

  testing::temp_dir dir_;
  topic_config config_;
  flusher flusher_{10};
};

TEST_F(Recovery, TornLastBatchIsTruncated) {
  write_batches(10);
  truncate_tail(segment_file(0), 7);
  recovery_report report;
  auto s = segment::recover(partition_dir(), 0, report);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(report.batches, 9u);
  EXPECT_GT(report.truncated_bytes, 0u);
  EXPECT_NE(report.truncated_reason.find("offset 9"), std::string::npos) << report.truncated_reason;

  auto p = open();
  ASSERT_TRUE(p.ok());
  expect_offsets_intact(**p, 9);
  auto next = append_sync(**p, {make_record("k", value_for(9))});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->base_offset, 9);
  expect_offsets_intact(**p, 10);
}

TEST_F(Recovery, CorruptLastBatchIsTruncated) {
  auto positions = write_batches(5);
  flip_byte(segment_file(0), positions.back() + 70);
  auto p = open();
  ASSERT_TRUE(p.ok()) << p.error().message;
  expect_offsets_intact(**p, 4);
}

TEST_F(Recovery, ZeroFilledTailIsTruncated) {
  write_batches(5);
  const auto size = std::filesystem::file_size(segment_file(0));
  std::filesystem::resize_file(segment_file(0), size + 4096);  // pages allocated, never written
  auto p = open();
  ASSERT_TRUE(p.ok()) << p.error().message;
  expect_offsets_intact(**p, 5);
  EXPECT_EQ(std::filesystem::file_size(segment_file(0)), size);
}

TEST_F(Recovery, HeaderTornInsideTheLastBatchIsTruncated) {
  write_batches(3);
  truncate_tail(segment_file(0), parse_batch_header(as_bytes(testing::read_file(segment_file(0))))->size() - 20);
  auto p = open();
  ASSERT_TRUE(p.ok()) << p.error().message;
  expect_offsets_intact(**p, 2);
}

TEST_F(Recovery, CorruptionInTheMiddleOfTheTailRefusesWithFileAndOffset) {
  auto positions = write_batches(10);
  flip_byte(segment_file(0), positions[3] + 70);
  auto p = open();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, log_errc::corrupt);
  const std::string& m = p.error().message;
  EXPECT_NE(m.find(segment_file(0).string()), std::string::npos) << m;
  EXPECT_NE(m.find("position " + std::to_string(positions[3])), std::string::npos) << m;
  EXPECT_NE(m.find("offset 3"), std::string::npos) << m;
  // Nothing was cut: the data after the damage is still on disk for a human to rescue.
  EXPECT_EQ(std::filesystem::file_size(segment_file(0)), positions.back() + (positions[1] - positions[0]));
}

TEST_F(Recovery, GarbageHeaderInTheMiddleRefuses) {
  auto positions = write_batches(10);
  flip_byte(segment_file(0), positions[4] + 16);  // the magic byte
  auto p = open();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, log_errc::corrupt);
  EXPECT_NE(p.error().message.find("position " + std::to_string(positions[4])), std::string::npos) << p.error().message;
}

class SealedRecovery : public Recovery {
 protected:
  void SetUp() override {
    config_.segment_bytes = 1000;
    auto p = open();
    ASSERT_TRUE(p.ok());
    for (int i = 0; i < 60; ++i) ASSERT_TRUE(append_sync(**p, {make_record("k", value_for(i))}).ok());
    (*p)->background_work(0, false);
    ASSERT_TRUE((*p)->close().ok());
    first_ = segment_file(0);
    ASSERT_TRUE(std::filesystem::exists(segment::index_path(partition_dir(), 0)));
  }
  std::filesystem::path first_;
};

TEST_F(SealedRecovery, MissingIndexIsRebuilt) {
  std::filesystem::remove(segment::index_path(partition_dir(), 0));
  auto p = open();
  ASSERT_TRUE(p.ok()) << p.error().message;
  expect_offsets_intact(**p, 60);
}

TEST_F(SealedRecovery, DamagedIndexIsRebuilt) {
  testing::write_file(segment::index_path(partition_dir(), 0), std::string(48, '\x7f'));
  auto p = open();
  ASSERT_TRUE(p.ok()) << p.error().message;
  expect_offsets_intact(**p, 60);
  testing::write_file(segment::index_path(partition_dir(), 0), "short");
  p = open();
  ASSERT_TRUE(p.ok()) << p.error().message;
  expect_offsets_intact(**p, 60);
}

TEST_F(SealedRecovery, FlippedByteInASealedSegmentIsNeverServed) {
  flip_byte(first_, 200);
  auto p = open();
  ASSERT_TRUE(p.ok()) << p.error().message;
  bool refused = false;
  for (int i = 0; i < 60; ++i) {
    auto r = (*p)->read(i, 1);
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, log_errc::corrupt);
      EXPECT_NE(r.error().message.find(first_.string()), std::string::npos) << r.error().message;
      refused = true;
      continue;
    }
    EXPECT_EQ(*records_of(*r).front().value, value_for(i));
  }
  EXPECT_TRUE(refused);
}

TEST_F(SealedRecovery, TruncatedSealedSegmentRefusesWithFileAndOffset) {
  std::filesystem::remove(segment::index_path(partition_dir(), 0));
  truncate_tail(first_, 10);
  auto p = open();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, log_errc::corrupt);
  EXPECT_NE(p.error().message.find(first_.string()), std::string::npos) << p.error().message;
  EXPECT_NE(p.error().message.find("offset "), std::string::npos) << p.error().message;
}

// A child appends with flush policy `always` from several threads and reports each acknowledged
// offset; the parent kills it with SIGKILL after a random number of acks, then reopens and checks
// every acknowledged record, many rounds over the same directory.
TEST(CrashRecovery, EveryAcknowledgedRecordSurvivesKill9) {
  testing::temp_dir dir;
  topic_config config;
  config.flush = flush_policy::always;
  config.segment_bytes = 64 * 1024;  // rolls happen during the rounds too
  std::map<std::int64_t, std::string> acknowledged;
  std::mt19937 rng(20261122);
  constexpr int rounds = 25;

  for (int round = 0; round < rounds; ++round) {
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(pipe_fds[0]);
      auto log = log_manager::open({dir.path()});
      if (!log) _exit(3);
      auto t = (*log)->find_topic("crash");
      if (!t) {
        auto created = (*log)->create_topic("crash", config);
        if (!created) _exit(4);
        t = *created;
      }
      auto p = t->get(0);
      std::vector<std::thread> appenders;
      for (int a = 0; a < 4; ++a) {
        appenders.emplace_back([&, a] {
          for (int seq = 0;; ++seq) {
            const std::string value = "r" + std::to_string(round) + "a" + std::to_string(a) + "s" + std::to_string(seq);
            auto r = append_sync(*p, {make_record("k", value)});
            if (!r) _exit(5);
            const std::string line = std::to_string(r->base_offset) + " " + value + "\n";
            if (write(pipe_fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(6);
          }
        });
      }
      for (auto& th : appenders) th.join();
      _exit(0);
    }
    close(pipe_fds[1]);
    const int kill_after = std::uniform_int_distribution<int>(1, 300)(rng);
    int received = 0;
    std::string pending;
    char buf[4096];
    while (received < kill_after) {
      const ssize_t n = read(pipe_fds[0], buf, sizeof buf);
      if (n <= 0) break;
      pending.append(buf, static_cast<std::size_t>(n));
      for (auto eol = pending.find('\n'); eol != std::string::npos; eol = pending.find('\n')) {
        const std::string line = pending.substr(0, eol);
        pending.erase(0, eol + 1);
        const auto space = line.find(' ');
        acknowledged[std::stoll(line.substr(0, space))] = line.substr(space + 1);
        ++received;
      }
    }
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    close(pipe_fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status) << " in round " << round;

    auto log = log_manager::open({dir.path()});
    ASSERT_TRUE(log.ok()) << "round " << round << ": " << log.error().message;
    auto p = (*log)->find_partition("crash", 0);
    ASSERT_TRUE(p);
    std::map<std::int64_t, std::string> stored;
    for (std::int64_t offset = p->log_start_offset(); offset < p->high_watermark();) {
      auto r = p->read(offset, 1 << 20);
      ASSERT_TRUE(r.ok()) << r.error().message;
      for (const auto& rec : records_of(*r)) stored[rec.offset] = *rec.value;
      offset = stored.rbegin()->first + 1;
    }
    for (const auto& [offset, value] : acknowledged) {
      auto it = stored.find(offset);
      ASSERT_NE(it, stored.end()) << "round " << round << ": acknowledged offset " << offset << " lost";
      ASSERT_EQ(it->second, value) << "round " << round << ": offset " << offset;
    }
    auto again = append_sync(*p, {make_record("k", "after-round-" + std::to_string(round))});
    ASSERT_TRUE(again.ok()) << again.error().message;
    ASSERT_TRUE((*log)->close().ok());
    acknowledged[again->base_offset] = "after-round-" + std::to_string(round);
  }
  EXPECT_GT(acknowledged.size(), static_cast<std::size_t>(rounds));
}

}  // namespace
}  // namespace tributary::log
