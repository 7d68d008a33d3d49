// allocation_tracker: the largest single operator-new allocation while one is alive, so that tests
// can show a decoder refused a huge count without allocating for it. The replacement operator
// new/delete live in allocation_tracker.cc (their own translation unit, so nothing inlines them).
// Test code only; one tracker at a time.
#pragma once

#include <cstddef>

namespace tributary::kafka::protocol::testing {

class allocation_tracker {
 public:
  allocation_tracker();
  ~allocation_tracker();
  allocation_tracker(const allocation_tracker&) = delete;
  allocation_tracker& operator=(const allocation_tracker&) = delete;

  std::size_t largest() const;
};

}  // namespace tributary::kafka::protocol::testing
