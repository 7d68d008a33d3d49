#include "common/double_text.h"

#include <gtest/gtest.h>

#include <limits>

namespace tributary {
namespace {

std::string text(double d) {
  std::string out;
  append_double_text(d, out);
  return out;
}

TEST(DoubleText, ShortestRoundTripWithAFraction) {
  EXPECT_EQ(text(21.5), "21.5");
  EXPECT_EQ(text(2.0), "2.0");
  EXPECT_EQ(text(-0.1), "-0.1");
  EXPECT_EQ(text(1e21), "1e+21");
  EXPECT_EQ(text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(text(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(text(-std::numeric_limits<double>::infinity()), "null");
}

}  // namespace
}  // namespace tributary
