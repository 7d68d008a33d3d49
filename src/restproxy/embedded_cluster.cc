#include "restproxy/embedded_cluster.h"

#include "kafka/broker/async_log.h"
#include "restproxy/embedded_consumer.h"

namespace tributary::restproxy {

rest_error from_log_error(const log::log_error& e) {
  switch (e.code) {
    case log::log_errc::unknown_topic: return topic_not_found();
    case log::log_errc::message_too_large: return {413, 413, "Record too large: " + e.message};
    case log::log_errc::invalid_topic: return {400, 40002, "Invalid topic: " + e.message};
    case log::log_errc::overloaded:
    case log::log_errc::closed: return kafka_error(e.message, true);
    default: return kafka_error(e.message, false);
  }
}

std::string embedded_cluster::cluster_id() const { return broker_.config().cluster_id; }

std::vector<std::int32_t> embedded_cluster::broker_ids() const { return {broker_.config().node_id}; }

std::vector<std::string> embedded_cluster::topic_names() const { return broker_.log().topic_names(); }

proxy_result<topic_description> embedded_cluster::describe_topic(const std::string& topic) const {
  auto t = broker_.log().find_topic(topic);
  if (!t) return fail(topic_not_found());
  return topic_description{t->name(), t->config().to_map(), static_cast<std::int32_t>(t->partition_count()),
                           broker_.config().node_id};
}

proxy_result<offset_range> embedded_cluster::offsets(const std::string& topic, std::int32_t partition) const {
  auto t = broker_.log().find_topic(topic);
  if (!t) return fail(topic_not_found());
  auto p = t->get(partition);
  if (!p) return fail(partition_not_found());
  return offset_range{p->log_start_offset(), p->high_watermark()};
}

proxy_result<std::int32_t> embedded_cluster::partitions_for_produce(const std::string& topic) {
  kafka::broker::error_code error{};
  auto t = broker_.find_or_create_topic(topic, true, error);
  if (t) return static_cast<std::int32_t>(t->partition_count());
  if (error == kafka::broker::error_code::invalid_topic_exception)
    return fail(rest_error{400, 40002, "Invalid topic: '" + topic + "' breaks Kafka's topic name rules"});
  if (error == kafka::broker::error_code::unknown_topic_or_partition) return fail(topic_not_found());
  return fail(kafka_error("cannot create topic " + topic, true));
}

boost::asio::awaitable<proxy_result<std::int64_t>> embedded_cluster::append(const std::string& topic,
                                                                           std::int32_t partition,
                                                                           std::vector<log::record> records) {
  auto p = broker_.log().find_partition(topic, partition);
  if (!p) co_return fail(partition_not_found());
  using answer_t = log::log_result<log::append_info>;
  auto start = [p, &records](std::function<void(answer_t)> done) { p->append_records(records, std::move(done)); };
  auto answer = co_await kafka::broker::async_call<answer_t>(std::move(start));
  if (!answer) co_return fail(from_log_error(answer.error()));
  co_return answer->base_offset;
}

std::shared_ptr<consumer> embedded_cluster::new_consumer(const std::string& group, const std::string& client_id,
                                                         consumer_options options) {
  return std::make_shared<embedded_consumer>(broker_, group, client_id, std::move(options));
}

bool embedded_cluster::check_user(const std::string& name, const std::string& password) const {
  return broker_.config().users.check_plain(name, password);
}

}  // namespace tributary::restproxy
