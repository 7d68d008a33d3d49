#include "limits/usage_ledger.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>

#include "limits/usage_file.h"

namespace tributary::limits {
namespace {

const time_point w1{std::chrono::seconds(1000)};
const time_point w2{std::chrono::seconds(2000)};

TEST(UsageLedger, CountsPerTenantResourceAndWindow) {
  usage_ledger l;
  l.add(resource::data_volume, "a", w1, 10);
  l.add(resource::data_volume, "a", w1, 5);
  l.add(resource::connection_duration, "a", w1, 7);
  l.add(resource::data_volume, "b", w1, 1);
  EXPECT_EQ(l.used(resource::data_volume, "a", w1), 15);
  EXPECT_EQ(l.used(resource::connection_duration, "a", w1), 7);
  EXPECT_EQ(l.used(resource::data_volume, "b", w1), 1);
  EXPECT_EQ(l.used(resource::data_volume, "c", w1), 0);
}

TEST(UsageLedger, ANewWindowStartsFromZeroAndAnOldOneIsOver) {
  usage_ledger l;
  l.add(resource::data_volume, "a", w1, 10);
  EXPECT_EQ(l.used(resource::data_volume, "a", w2), 0);
  l.add(resource::data_volume, "a", w2, 3);
  EXPECT_EQ(l.used(resource::data_volume, "a", w2), 3);
  EXPECT_EQ(l.used(resource::data_volume, "a", w1), 0);
  l.add(resource::data_volume, "a", w1, 100);  // late report of the old window
  EXPECT_EQ(l.used(resource::data_volume, "a", w2), 3);
}

TEST(UsageLedger, ChangesMoveOnlyWithUsage) {
  usage_ledger l;
  const auto before = l.changes();
  l.add(resource::data_volume, "a", w1, 0);
  EXPECT_EQ(l.changes(), before);
  l.add(resource::data_volume, "a", w1, 1);
  EXPECT_GT(l.changes(), before);
}

TEST(UsageLedger, SnapshotRestoresTheSameUsage) {
  usage_ledger l;
  l.add(resource::data_volume, "tenant-with-ünicode", w1, 10);
  l.add(resource::connection_duration, "b", w2, 99);
  usage_ledger copy;
  ASSERT_TRUE(copy.restore(l.snapshot()));
  EXPECT_EQ(copy.used(resource::data_volume, "tenant-with-ünicode", w1), 10);
  EXPECT_EQ(copy.used(resource::connection_duration, "b", w2), 99);
}

TEST(UsageLedger, RestoreRejectsForeignDocumentsWithoutChangingAnything) {
  for (const char* doc : {R"([])", R"({"version": 2, "usage": []})", R"({"version": 1})",
                          R"({"version": 1, "usage": [{"tenant": "a", "resource": "bogus", "window-start": 1, "amount": 1}]})",
                          R"({"version": 1, "usage": [{"tenant": "a", "resource": "data-volume", "window-start": "x", "amount": 1}]})",
                          R"({"version": 1, "usage": [{"tenant": "a", "resource": "data-volume", "window-start": 1000, "amount": 1}, 5]})"}) {
    usage_ledger l;
    EXPECT_FALSE(l.restore(boost::json::parse(doc))) << doc;
    EXPECT_EQ(l.used(resource::data_volume, "a", w1), 0) << doc;
  }
}

TEST(UsageFile, SavesAndLoads) {
  const auto dir = std::filesystem::temp_directory_path() / ("usage_file_test." + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto file = dir / "limits" / "usage.json";
  usage_ledger empty;
  EXPECT_TRUE(load_usage(file, empty).ok());  // no file yet: nothing used
  usage_ledger l;
  l.add(resource::data_volume, "a", w1, 42);
  ASSERT_TRUE(save_usage(file, l).ok());
  usage_ledger loaded;
  ASSERT_TRUE(load_usage(file, loaded).ok());
  EXPECT_EQ(loaded.used(resource::data_volume, "a", w1), 42);
  std::ofstream(file) << "{not json";
  usage_ledger broken;
  const auto r = load_usage(file, broken);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, limits_errc::corrupt);
  EXPECT_NE(r.error().message.find("usage.json"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tributary::limits
