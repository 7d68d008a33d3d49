// embedded_sender: downstream_sender over the embedded log, in-process (no Kafka connection).
// Picks the partition as the Java client does (murmur2 of the key; round-robin without a key) and
// appends through log::partition::append_combining (concurrent sends share one write). Topics come
// from a provider the server wires to the broker, so they are created with the broker's policy
// (hono.* partition count, event flush).
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "log/log_manager.h"
#include "messaging/downstream.h"

namespace tributary::messaging {

// The topic of that name, created when missing; nullptr with `why` set when it cannot be.
using topic_provider = std::function<std::shared_ptr<log::topic>(const std::string& name, std::string& why)>;

class embedded_sender final : public downstream_sender {
 public:
  explicit embedded_sender(topic_provider topics) : topics_(std::move(topics)) {}
  void send(outgoing_record record, send_callback done) override;

 private:
  topic_provider topics_;
  std::atomic<std::uint32_t> round_robin_{0};
};

}  // namespace tributary::messaging
