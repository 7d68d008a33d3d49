// embedded_sender: downstream_sender over the embedded log, in-process (no Kafka connection).
// Picks the partition as the Java client does (murmur2 of the key; round-robin without a key) and
// appends through log::partition::append_combining (concurrent sends share one write). Topics come
// from a provider the server wires to the broker, so they are created with the broker's policy
// (hono.* partition count, event flush); the sender keeps the topics it used, and asks again for
// one whose partitions were closed (deleted topic).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

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
  std::shared_ptr<log::topic> topic(const std::string& name, std::string& why);

  topic_provider topics_;
  std::atomic<std::uint32_t> round_robin_{0};
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<log::topic>> known_;  // one entry per topic sent to
};

}  // namespace tributary::messaging
