#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace tributary {
namespace {

// RFC 3720 (iSCSI) appendix B.4 test vectors.
TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc32c("123456789", 9), 0xe3069283u);
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8a9136aau);
  std::string ones(32, '\xff');
  EXPECT_EQ(crc32c(ones.data(), ones.size()), 0x62a8ab43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending.data(), ascending.size()), 0x46dd794eu);
}

TEST(Crc32c, HardwareAndTableAgreeAndExtend) {
  std::mt19937 rng(42);
  std::string data(10007, '\0');
  for (auto& ch : data) ch = static_cast<char>(rng());
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 1000u, 10007u}) {
    EXPECT_EQ(crc32c(data.data(), n), crc32c_portable(data.data(), n)) << n;
  }
  const std::uint32_t whole = crc32c(data.data(), data.size());
  EXPECT_EQ(crc32c(data.data() + 1000, data.size() - 1000, crc32c(data.data(), 1000)), whole);
}

}  // namespace
}  // namespace tributary
