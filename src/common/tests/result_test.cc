#include "common/result.h"

#include <gtest/gtest.h>

namespace tributary {
namespace {

enum class test_errc { bad };
using test_error = coded_error<test_errc>;

result<int, test_error> half(int x) {
  if (x % 2) return fail(test_error{test_errc::bad, "odd"});
  return x / 2;
}

result<void, test_error> check(bool good) {
  if (!good) return fail(test_error{test_errc::bad, "not good"});
  return {};
}

TEST(Result, CarriesValueOrError) {
  auto ok = half(4);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  auto bad = half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, test_errc::bad);
  EXPECT_EQ(bad.error().message, "odd");
}

TEST(Result, VoidResult) {
  EXPECT_TRUE(check(true).ok());
  auto r = check(false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "not good");
}

}  // namespace
}  // namespace tributary
