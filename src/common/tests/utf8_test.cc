#include "common/utf8.h"

#include <gtest/gtest.h>

namespace tributary {
namespace {

TEST(Utf8, SequenceLengths) {
  EXPECT_EQ(utf8_sequence_length("a"), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9"), 2u);          // é
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC"), 3u);      // €
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80"), 4u);  // 😀
  EXPECT_EQ(utf8_sequence_length(""), 0u);
  EXPECT_EQ(utf8_sequence_length("\xC0\xAF"), 0u);          // overlong
  EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80"), 0u);      // surrogate
  EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80"), 0u);  // beyond U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xE2\x82"), 0u);          // cut short
  EXPECT_EQ(utf8_sequence_length("\x80"), 0u);              // continuation alone
}

TEST(Utf8, ReplacementsAsJavaDecodes) {
  EXPECT_EQ(utf8_with_replacements("plain é €"), "plain é €");
  EXPECT_EQ(utf8_with_replacements("lo\xED"), "lo\xEF\xBF\xBD");
  EXPECT_EQ(utf8_with_replacements("\xFFx\xC3"), "\xEF\xBF\xBDx\xEF\xBF\xBD");
}

}  // namespace
}  // namespace tributary
