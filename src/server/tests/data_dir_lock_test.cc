#include "server/data_dir_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

namespace tributary::server {
namespace {

class DataDirLock : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tributary-lock-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(DataDirLock, CreatesTheDirectory) {
  auto lock = data_dir_lock::acquire(dir_ / "a" / "b");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_TRUE(std::filesystem::is_directory(dir_ / "a" / "b"));
}

// flock locks belong to the open file description, so a second acquire in this process conflicts
// exactly as another process would.
TEST_F(DataDirLock, SecondOwnerIsRefusedWithThePidOfTheFirst) {
  auto first = data_dir_lock::acquire(dir_);
  ASSERT_TRUE(first.ok());
  auto second = data_dir_lock::acquire(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, lock_errc::in_use);
  EXPECT_NE(second.error().message.find("pid " + std::to_string(getpid())), std::string::npos)
      << second.error().message;
  EXPECT_NE(second.error().message.find(dir_.string()), std::string::npos);
}

TEST_F(DataDirLock, ReleasedOnDestruction) {
  { auto first = data_dir_lock::acquire(dir_); ASSERT_TRUE(first.ok()); }
  EXPECT_TRUE(data_dir_lock::acquire(dir_).ok());
}

TEST_F(DataDirLock, ReleasedWhenTheOwnerIsKilled) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = data_dir_lock::acquire(dir_);
    const char ok = lock.ok() ? 'y' : 'n';
    (void)!write(ready[1], &ok, 1);
    for (;;) pause();
  }
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, 'y');
  EXPECT_FALSE(data_dir_lock::acquire(dir_).ok());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(data_dir_lock::acquire(dir_).ok());
  close(ready[0]);
  close(ready[1]);
}

TEST_F(DataDirLock, AFileInTheWayIsReported) {
  std::ofstream(dir_ / "file") << "x";
  auto lock = data_dir_lock::acquire(dir_ / "file");
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.error().code, lock_errc::cannot_create);
}

}  // namespace
}  // namespace tributary::server
