#include "restproxy/topic_pattern.h"

#include <gtest/gtest.h>

namespace tributary::restproxy {
namespace {

TEST(TopicPattern, MatchesWholeNames) {
  auto p = topic_pattern::compile(R"(sensor\..*)");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->matches("sensor.a"));
  EXPECT_FALSE(p->matches("my.sensor.a"));  // the whole name, as Java's Pattern.matches
  EXPECT_FALSE(p->matches("sensorXa"));
  EXPECT_EQ(p->text(), R"(sensor\..*)");
  auto alternatives = topic_pattern::compile("hono\\.(telemetry|event)\\.[A-Z_]+");
  ASSERT_TRUE(alternatives.ok());
  EXPECT_TRUE(alternatives->matches("hono.event.DEFAULT_TENANT"));
  EXPECT_FALSE(alternatives->matches("hono.command.DEFAULT_TENANT"));
}

TEST(TopicPattern, BadPatternsAreValues) {
  for (const char* bad : {"(", "[a-", "*x", "a{2,1}"}) {
    auto p = topic_pattern::compile(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_FALSE(p.error().empty());
  }
}

}  // namespace
}  // namespace tributary::restproxy
