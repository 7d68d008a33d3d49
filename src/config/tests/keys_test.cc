#include "config/keys.h"

#include <gtest/gtest.h>

#include <set>

#include "config/loader.h"

namespace tributary::config {
namespace {

TEST(Keys, EveryDefaultParsesAndShowsBackUnchanged) {
  config c;
  for (const auto& k : all_keys()) {
    EXPECT_EQ(k.apply(c, k.default_value), std::nullopt) << k.name;
    EXPECT_EQ(k.show(c), k.default_value) << k.name;
  }
}

TEST(Keys, NamesAndEnvironmentNamesAreUniqueAndDocumented) {
  std::set<std::string> names, envs;
  for (const auto& k : all_keys()) {
    EXPECT_TRUE(names.insert(k.name).second) << "duplicate key " << k.name;
    EXPECT_TRUE(envs.insert(env_name(k.name)).second) << "two keys map to " << env_name(k.name);
    EXPECT_FALSE(k.doc.empty()) << k.name;
    EXPECT_FALSE(k.constraint.empty()) << k.name;
  }
}

TEST(Keys, EnvironmentNames) {
  EXPECT_EQ(env_name("log.level"), "TRIBUTARY_LOG_LEVEL");
  EXPECT_EQ(env_name("data-dir"), "TRIBUTARY_DATA_DIR");
  EXPECT_EQ(env_name("server.shutdown-timeout-ms"), "TRIBUTARY_SERVER_SHUTDOWN_TIMEOUT_MS");
}

TEST(Keys, DefaultsMatchArchitecture) {
  const config c = defaults();
  EXPECT_EQ(c.admin.listen.to_string(), "127.0.0.1:8088");
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_EQ(c.log.level, "info");
}

}  // namespace
}  // namespace tributary::config
