#include "common/hex.h"

#include <gtest/gtest.h>

namespace tributary {
namespace {

TEST(Hex, DigitValues) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('f'), 15);
  EXPECT_EQ(hex_digit_value('A'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '-'}) EXPECT_EQ(hex_digit_value(c), -1) << c;
}

}  // namespace
}  // namespace tributary
