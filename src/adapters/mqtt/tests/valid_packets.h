// Byte-level fixtures of valid MQTT 3.1.1 packets, one or more per packet type, each with the value
// it decodes to. The hex was built by hand from the spec's examples (and checked with an independent
// script), not produced by the encoder under test.
#pragma once

#include <string>
#include <vector>

#include "adapters/mqtt/packets.h"

namespace tributary::adapters::mqtt::testing {

struct valid_fixture {
  std::string name;
  std::string hex;
  packet expected;
};

const std::vector<valid_fixture>& valid_fixtures();

}  // namespace tributary::adapters::mqtt::testing
