#include "kafka/broker/offset_store.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tributary::kafka::broker
