// embedded_cluster: the REST proxy's cluster (cluster.h) over the embedded broker in this process:
// metadata and appends straight from the log, topics created with the broker's rules, commits in
// its offset store. No loopback Kafka connection. Must not know about HTTP.
#pragma once

#include <atomic>

#include "kafka/broker/broker.h"
#include "restproxy/cluster.h"

namespace tributary::restproxy {

class embedded_cluster : public cluster {
 public:
  explicit embedded_cluster(kafka::broker::broker& b) : broker_(b) {}

  std::string cluster_id() const override;
  std::vector<std::int32_t> broker_ids() const override;
  std::vector<std::string> topic_names() const override;
  proxy_result<topic_description> describe_topic(const std::string& topic) const override;
  proxy_result<offset_range> offsets(const std::string& topic, std::int32_t partition) const override;
  proxy_result<std::int32_t> partitions_for_produce(const std::string& topic) override;
  boost::asio::awaitable<proxy_result<std::int64_t>> append(const std::string& topic, std::int32_t partition,
                                                            std::vector<log::record> records) override;
  std::shared_ptr<consumer> new_consumer(const std::string& group, const std::string& client_id,
                                         consumer_options options) override;
  bool check_user(const std::string& name, const std::string& password) const override;

 private:
  kafka::broker::broker& broker_;
};

// The REST error for a log failure on append or read (retriable ones 50003).
rest_error from_log_error(const log::log_error& e);

}  // namespace tributary::restproxy
