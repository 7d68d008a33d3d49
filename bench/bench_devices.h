// bench_devices: the benchmark devices d0..dN-1 of tenant bench and their credentials, derived from
// the index so that provisioning, Mosquitto's password file and the load generators agree without
// sharing a file. Header-only; benchmarks only, never linked into tributary.
#pragma once

#include <cstddef>
#include <string>

namespace tributary::bench {

struct device_set {
  std::string tenant = "bench";
  std::string prefix = "d";
  std::string id(std::size_t i) const { return prefix + std::to_string(i); }
  static std::string password(std::size_t i) { return "bench-pw-" + std::to_string(i * 7919 + 17); }
  static std::string salt(std::size_t i) {
    std::string s = "salt";
    for (int b = 0; b < 4; ++b) s.push_back(static_cast<char>((i >> (8 * b)) & 0xff));
    return s;
  }
};

}  // namespace tributary::bench
