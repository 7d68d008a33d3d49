// broker: Tributary as a single-node Kafka broker over the embedded log (issue "Kafka-compatible
// broker"). Owns the group coordinator, the committed offsets and the per-listener advertised
// addresses; decodes each request frame, checks version and authentication, runs the handler for
// its API (handlers/, one file per API) and frames the response. Thread-safe: handle() runs
// concurrently on every I/O thread. Must not know about adapters, the registry or HTTP.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "common/host_port.h"
#include "kafka/broker/group_coordinator.h"
#include "kafka/broker/offset_store.h"
#include "kafka/broker/sasl.h"
#include "kafka/broker/producer_state.h"
#include "kafka/broker/session.h"
#include "log/log_manager.h"

namespace tributary::kafka::broker {

struct broker_config {
  std::int32_t node_id = 0;
  std::string cluster_id = "tributary";
  // Listener name ("kafka", "kafka-sasl") -> the host:port Metadata and FindCoordinator return.
  std::map<std::string, host_port> advertised;
  bool auto_create_topics = true;
  std::int32_t default_partitions = 1;
  std::int32_t hono_partitions = 8;  // hono.* topics
  log::topic_config topic_defaults;  // everything but partitions, for created topics
  log::flush_policy event_flush = log::flush_policy::always;  // hono.event.* topics
  group_coordinator::options groups;
  sasl_users users;  // SASL PLAIN / SCRAM users of the SASL listener
};

class broker {
 public:
  static log::log_result<std::unique_ptr<broker>> create(log::log_manager& log, broker_config config);

  // The request_handler of every Kafka listener.
  boost::asio::awaitable<handler_result> handle(std::string& frame, client_state& client);
  // Group timeouts; the server calls it every few hundred milliseconds.
  void tick(std::int64_t now_ms) { groups_.tick(now_ms); }
  // First step of the server's shutdown: parked group requests are answered.
  void shutdown() { groups_.shutdown(); }

  // For handlers.
  log::log_manager& log() { return log_; }
  group_coordinator& groups() { return groups_; }
  offset_store& offsets() { return *offsets_; }
  producer_state& producers() { return producers_; }
  const broker_config& config() const { return config_; }
  host_port advertised(const std::string& listener) const;
  // The topic, created with the broker's defaults when missing and `create` is true; nullptr when
  // missing and not created, with `error` saying why.
  std::shared_ptr<log::topic> find_or_create_topic(const std::string& name, bool create, error_code& error);
  log::topic_config config_for_new_topic(const std::string& name, std::int32_t partitions) const;
  // Producer ids are not persisted: seeded from the wall clock (4096 ids a millisecond) so that a
  // restarted broker does not hand out an id a producer of the previous run still uses.
  std::int64_t next_producer_id() { return next_producer_id_.fetch_add(1); }

 private:
  handler_result handle_raw_sasl_token(const std::string& token, client_state& client);
  broker(log::log_manager& log, broker_config config) : log_(log), config_(std::move(config)), groups_(config_.groups) {}

  log::log_manager& log_;
  broker_config config_;
  group_coordinator groups_;
  std::unique_ptr<offset_store> offsets_;
  producer_state producers_;
  std::atomic<std::int64_t> next_producer_id_{first_producer_id()};
  static std::int64_t first_producer_id();
};

}  // namespace tributary::kafka::broker
