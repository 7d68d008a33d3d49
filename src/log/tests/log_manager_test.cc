#include "log/log_manager.h"

#include <gtest/gtest.h>

#include "log/tests/test_support.h"

namespace tributary::log {
namespace {

using testing::append_sync;
using testing::make_record;
using testing::records_of;

TEST(TopicNames, KafkaRules) {
  for (const char* ok : {"hono.telemetry.DEFAULT_TENANT", "a", "A-b_c.9"}) EXPECT_TRUE(validate_topic_name(ok).ok()) << ok;
  EXPECT_TRUE(validate_topic_name(std::string(249, 'x')).ok());
  for (std::string bad : {std::string(), std::string("."), std::string(".."), std::string(250, 'x'),
                          std::string("a/b"), std::string("a b"), std::string("ä"), std::string("a~b")}) {
    auto r = validate_topic_name(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, log_errc::invalid_topic);
    EXPECT_NE(r.error().message.find("invalid topic name"), std::string::npos);
  }
}

TEST(TopicConfig, RoundTripsAndRejectsUnknown) {
  topic_config c;
  ASSERT_TRUE(c.apply({{"flush.policy", "always"}, {"retention.ms", "-1"}, {"cleanup.policy", "compact"}}).ok());
  topic_config copy;
  ASSERT_TRUE(copy.apply(c.to_map()).ok());
  EXPECT_EQ(copy.to_map(), c.to_map());
  EXPECT_EQ(copy.flush, flush_policy::always);
  EXPECT_TRUE(copy.compact);
  auto unknown = c.apply({{"retention.mss", "1"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "unknown topic config retention.mss");
  EXPECT_FALSE(c.apply({{"segment.bytes", "ten"}}).ok());
  EXPECT_FALSE(c.apply({{"flush.policy", "sometimes"}}).ok());
}

TEST(LogManager, CreateFindPersistDelete) {
  testing::temp_dir dir;
  topic_config config;
  config.partitions = 3;
  config.flush = flush_policy::always;
  {
    auto log = log_manager::open({dir.path()});
    ASSERT_TRUE(log.ok()) << log.error().message;
    auto t = (*log)->create_topic("hono.event.DEFAULT_TENANT", config);
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ((*t)->partition_count(), 3u);
    EXPECT_EQ((*log)->create_topic("hono.event.DEFAULT_TENANT", config).error().code, log_errc::topic_exists);
    EXPECT_EQ((*log)->create_topic("bad name", config).error().code, log_errc::invalid_topic);
    auto p = (*log)->find_partition("hono.event.DEFAULT_TENANT", 2);
    ASSERT_TRUE(p);
    ASSERT_TRUE(append_sync(*p, {make_record("4711", "hello")}).ok());
    EXPECT_EQ((*log)->find_partition("hono.event.DEFAULT_TENANT", 3), nullptr);
    ASSERT_TRUE((*log)->create_topic("doomed", topic_config{}).ok());
  }
  auto log = log_manager::open({dir.path()});
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ((*log)->topic_names(), (std::vector<std::string>{"doomed", "hono.event.DEFAULT_TENANT"}));
  auto t = (*log)->find_topic("hono.event.DEFAULT_TENANT");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->config().flush, flush_policy::always);
  auto r = t->get(2)->read(0, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*records_of(*r).front().value, "hello");

  ASSERT_TRUE((*log)->delete_topic("doomed").ok());
  EXPECT_EQ((*log)->find_topic("doomed"), nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "doomed"));
  EXPECT_EQ((*log)->delete_topic("doomed").error().code, log_errc::unknown_topic);
}

TEST(LogManager, CloseAcknowledgesPendingAppendsAndRefusesNewOnes) {
  testing::temp_dir dir;
  auto log = log_manager::open({dir.path()});
  ASSERT_TRUE(log.ok());
  topic_config config;
  config.flush = flush_policy::always;
  auto t = (*log)->create_topic("t", config);
  ASSERT_TRUE(append_sync(*(*t)->get(0), {make_record("k", "v")}).ok());
  ASSERT_TRUE((*log)->close().ok());
  auto after = append_sync(*(*t)->get(0), {make_record("k", "v")});
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, log_errc::closed);
}

TEST(LogManager, DamagedTopicMetadataIsReported) {
  testing::temp_dir dir;
  {
    auto log = log_manager::open({dir.path()});
    ASSERT_TRUE((*log)->create_topic("t", topic_config{}).ok());
  }
  testing::write_file(dir.path() / "t" / "topic.json", "{not json");
  auto log = log_manager::open({dir.path()});
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, log_errc::corrupt);
  EXPECT_NE(log.error().message.find("topic.json"), std::string::npos);
}

}  // namespace
}  // namespace tributary::log
