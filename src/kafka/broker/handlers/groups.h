// Shared by the consumer-group handlers: the coordinator's clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace tributary::kafka::broker {

inline std::int64_t group_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace tributary::kafka::broker
