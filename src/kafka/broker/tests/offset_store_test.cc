#include "kafka/broker/offset_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "log/tests/test_support.h"

namespace tributary::kafka::broker {
namespace {

log::log_result<void> commit_sync(offset_store& s, const std::string& group, std::vector<offset_commit_entry> e) {
  std::promise<log::log_result<void>> done;
  s.commit(group, std::move(e), [&](log::log_result<void> r) { done.set_value(r); });
  return done.get_future().get();
}

TEST(OffsetStore, CommittedOffsetsSurviveReopenLatestWins) {
  log::testing::temp_dir dir;
  {
    auto log = log::log_manager::open({dir.path()});
    ASSERT_TRUE(log.ok());
    auto store = offset_store::open(**log);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(commit_sync(**store, "g1", {{"t", 0, {10, -1, "m", -1}}, {"t", 1, {20, -1, std::nullopt, -1}}}).ok());
    ASSERT_TRUE(commit_sync(**store, "g1", {{"t", 0, {11, 3, std::nullopt, -1}}}).ok());
    ASSERT_TRUE(commit_sync(**store, "g2", {{"other", 5, {7, -1, std::nullopt, -1}}}).ok());
    EXPECT_EQ((*store)->fetch("g1", "t", 0)->offset, 11);
  }
  auto log = log::log_manager::open({dir.path()});
  ASSERT_TRUE(log.ok());
  auto store = offset_store::open(**log);
  ASSERT_TRUE(store.ok());
  auto t0 = (*store)->fetch("g1", "t", 0);
  ASSERT_TRUE(t0);
  EXPECT_EQ(t0->offset, 11);
  EXPECT_EQ(t0->leader_epoch, 3);
  EXPECT_EQ(t0->metadata, std::nullopt);
  EXPECT_GT(t0->commit_timestamp, 0);
  EXPECT_EQ((*store)->fetch("g1", "t", 1)->offset, 20);
  EXPECT_EQ((*store)->fetch("g1", "t", 2), std::nullopt);
  auto all = (*store)->fetch_all("g1");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ((*store)->groups(), (std::vector<std::string>{"g1", "g2"}));
  auto topic = (*log)->find_topic(offset_store::topic_name);
  ASSERT_TRUE(topic);
  EXPECT_TRUE(topic->config().compact);
  EXPECT_EQ(topic->config().flush, log::flush_policy::always);
}

// A store destroyed while its commits are still being fsynced waits for them: their callbacks
// update the store (the command router's offsets failed like this under ASan).
TEST(OffsetStore, DestroyingTheStoreWaitsForCommitsInFlight) {
  log::testing::temp_dir dir;
  auto log = log::log_manager::open({dir.path()});
  ASSERT_TRUE(log.ok());
  std::atomic<int> completed{0};
  {
    auto store = offset_store::open(**log);
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 20; ++i) {
      (*store)->commit("g", {{"t", 0, {i, -1, std::nullopt, -1}}}, [&](log::log_result<void> r) {
        EXPECT_TRUE(r.ok());
        ++completed;
      });
    }
  }
  EXPECT_EQ(completed.load(), 20);
  ASSERT_TRUE((*log)->close().ok());
  auto reopened = log::log_manager::open({dir.path()});
  ASSERT_TRUE(reopened.ok());
  auto store = offset_store::open(**reopened);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->fetch("g", "t", 0)->offset, 19);
}

}  // namespace
}  // namespace tributary::kafka::broker
