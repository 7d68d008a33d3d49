// embedded_sender: downstream_sender over the embedded log, in-process (no Kafka connection).
// Picks the partition as the Java client does (murmur2 of the key; round-robin without a key).
// Sent from an I/O thread (net::io_pool), a record waits until that thread has handled what is
// ready in this turn of its event loop: the records of the turn then go to the log together, one
// batch per partition (in the order they were sent) through log::partition::append_combining,
// which also shares one write with other threads' batches. Elsewhere a record is appended at once.
// Topics come from a provider the server wires to the broker, so they are created with the
// broker's policy (hono.* partition count, event flush); the sender keeps the topics it used, and
// asks again for one whose partitions were closed (deleted topic).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "log/log_manager.h"
#include "messaging/downstream.h"

namespace tributary::messaging {

// The topic of that name, created when missing; nullptr with `why` set when it cannot be.
using topic_provider = std::function<std::shared_ptr<log::topic>(const std::string& name, std::string& why)>;

class embedded_sender final : public downstream_sender {
 public:
  explicit embedded_sender(topic_provider topics);
  void send(outgoing_record record, send_callback done) override;

 private:
  struct pending {
    std::shared_ptr<log::partition> partition;
    log::record record;
    send_callback done;
  };
  // The records an I/O thread sent in the current turn of its loop; only that thread touches it.
  struct turn_batch {
    std::vector<pending> items;
    bool flush_posted = false;
  };

  std::shared_ptr<log::topic> topic(const std::string& name, std::string& why);
  turn_batch& batch_of_this_thread();
  void flush(turn_batch& batch);
  // Appends records of one partition as one batch; answers each callback.
  static void append(const std::shared_ptr<log::partition>& partition, std::vector<log::record> records,
                     std::vector<send_callback> callbacks);

  const std::uint64_t id_;  // tells this sender's thread-local batch pointers from a former one's
  topic_provider topics_;
  std::atomic<std::uint32_t> round_robin_{0};
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<log::topic>> known_;  // one entry per topic sent to
  std::mutex batches_mutex_;
  std::vector<std::unique_ptr<turn_batch>> batches_;  // one per I/O thread that sent
};

}  // namespace tributary::messaging
