#include "common/murmur2.h"

#include <gtest/gtest.h>

namespace tributary {
namespace {

// Kafka's UtilsTest.testMurmur2 vectors.
TEST(Murmur2, MatchesJavaUtilsMurmur2) {
  EXPECT_EQ(murmur2("21"), -973932308);
  EXPECT_EQ(murmur2("foobar"), -790332482);
  EXPECT_EQ(murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(murmur2("abc"), 479470107);
  EXPECT_EQ(murmur2(""), 275646681);
}

TEST(JavaPartition, PositiveHashModuloPartitions) {
  EXPECT_EQ(java_partition("4711", 8), 2);
  EXPECT_EQ(java_partition("21", 8), 4);
  EXPECT_EQ(java_partition("foobar", 8), 6);
  EXPECT_EQ(java_partition("anything", 1), 0);
}

}  // namespace
}  // namespace tributary
