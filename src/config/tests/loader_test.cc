#include "config/loader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

namespace tributary::config {
namespace {

sources with_file(std::filesystem::path p) {
  sources s;
  s.file = std::move(p);
  return s;
}
sources with_flags(std::vector<std::pair<std::string, std::string>> flags) {
  sources s;
  s.flags = std::move(flags);
  return s;
}
sources with_env(std::vector<std::string> env) {
  sources s;
  s.environment = std::move(env);
  return s;
}

class Loader : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tributary-config-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write_yaml(const std::string& text) {
    auto path = dir_ / "tributary.yaml";
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(Loader, NoSourcesGivesDefaults) {
  auto c = load({});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->log.level, "info");
  EXPECT_EQ(c->server.shutdown_timeout, std::chrono::milliseconds(10000));
}

TEST_F(Loader, FileThenEnvironmentThenFlags) {
  sources s;
  s.file = write_yaml("log:\n  level: debug\n  format: json\nadmin:\n  listen: 127.0.0.1:1000\nserver:\n  threads: 3\n");
  s.environment = {"TRIBUTARY_LOG_LEVEL=warn", "TRIBUTARY_ADMIN_LISTEN=127.0.0.1:2000", "HOME=/root"};
  s.flags = {{"admin.listen", "127.0.0.1:3000"}};
  auto c = load(s);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->log.format, "json");                    // file only
  EXPECT_EQ(c->log.level, "warn");                     // environment beats file
  EXPECT_EQ(c->admin.listen.port, 3000);               // flag beats both
  EXPECT_EQ(c->server.threads, 3);
}

TEST_F(Loader, LaterFlagWins) {
  auto c = load(with_flags({{"log.level", "debug"}, {"log.level", "error"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->log.level, "error");
}

TEST_F(Loader, DottedKeysInYaml) {
  auto c = load(with_file(write_yaml("log.level: trace\ndata-dir: /var/lib/tributary\n")));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->log.level, "trace");
  EXPECT_EQ(c->data_dir, "/var/lib/tributary");
}

TEST_F(Loader, UnknownFileKeyNamesKeyFileAndSuggestion) {
  auto c = load(with_file(write_yaml("log:\n  levle: debug\n")));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, config_errc::unknown_key);
  EXPECT_NE(c.error().message.find("'log.levle'"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("tributary.yaml"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("did you mean 'log.level'"), std::string::npos) << c.error().message;
}

TEST_F(Loader, InvalidValueNamesKeyValueOriginAndReason) {
  auto c = load(with_flags({{"server.threads", "lots"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, config_errc::invalid_value);
  EXPECT_EQ(c.error().message, "invalid value 'lots' for 'server.threads' from flag --server.threads: must be an integer");

  c = load(with_env({"TRIBUTARY_SERVER_THREADS=9999"}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "invalid value '9999' for 'server.threads' from environment variable TRIBUTARY_SERVER_THREADS: must be in "
            "the range 0..256");

  c = load(with_file(write_yaml("log:\n  format: xml\n")));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("'xml' for 'log.format'"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("line 2"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("one of: text, json"), std::string::npos) << c.error().message;
}

TEST_F(Loader, UnknownEnvironmentVariableIsRejected) {
  auto c = load(with_env({"TRIBUTARY_LOG_LEVL=debug"}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, config_errc::unknown_key);
  EXPECT_NE(c.error().message.find("TRIBUTARY_LOG_LEVL"), std::string::npos);
  EXPECT_NE(c.error().message.find("TRIBUTARY_LOG_LEVEL"), std::string::npos);
}

TEST_F(Loader, UnrelatedEnvironmentIsIgnored) {
  auto c = load(with_env({"PATH=/bin", "TRIBUTARYX=1", "NOT_TRIBUTARY_LOG_LEVEL=x"}));
  EXPECT_TRUE(c.ok());
}

TEST_F(Loader, MalformedFiles) {
  auto c = load(with_file(write_yaml("log: [1, 2\n")));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, config_errc::malformed_file);
  EXPECT_NE(c.error().message.find("not valid YAML"), std::string::npos) << c.error().message;

  c = load(with_file(write_yaml("- a\n- b\n")));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, config_errc::malformed_file);

  c = load(with_file(write_yaml("log:\n  level: [debug]\n")));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("'log.level' must be a single value"), std::string::npos) << c.error().message;

  c = load(with_file(dir_ / "missing.yaml"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, config_errc::unreadable_file);
}

TEST_F(Loader, EmptyFileIsFine) {
  auto c = load(with_file(write_yaml("")));
  EXPECT_TRUE(c.ok());
}

TEST_F(Loader, EmptyValueIsRejected) {
  auto c = load(with_file(write_yaml("data-dir:\n")));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("must not be empty"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace tributary::config
