// proxy: Confluent's Kafka REST Proxy v2 (../shared/spec/kafka-rest-proxy.md) as a request ->
// response coroutine served by net::serve_http: routing, content negotiation, the error envelope,
// topic metadata, produce (binary and json embedded formats, Tributary's record headers) and
// consumer instances. Talks to Kafka only through `cluster` (embedded or, later, librdkafka).
// Thread-safe: handle() runs on every I/O thread at once.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "metrics/registry.h"
#include "net/http_session.h"
#include "restproxy/avro_serde.h"
#include "restproxy/cluster.h"
#include "restproxy/consumer_instances.h"
#include "restproxy/produce_request.h"
#include "restproxy/read_ahead.h"

namespace tributary::restproxy {

struct proxy_options {
  std::chrono::milliseconds request_timeout{1000};      // consumer.request.timeout.ms
  std::int64_t max_response_bytes = 64LL << 20;         // consumer.request.max.bytes
  std::int64_t fetch_min_bytes = -1;                    // fetch.min.bytes (-1: answer on the first record)
  std::chrono::milliseconds instance_timeout{300000};   // consumer.instance.timeout.ms
  std::size_t max_instances = 10000;
  std::string id;              // prefix of generated consumer instance names
  std::string advertised_url;  // "http://host:port" for base_uri; empty: from the Host header
  bool basic_auth = false;     // every request needs HTTP Basic credentials of a Kafka SASL user
  std::size_t read_ahead_bytes = 128 << 20;  // responses read ahead, all instances together; 0: none
};

// What the proxy uses besides the cluster; each may be missing.
struct proxy_services {
  avro_serde* avro = nullptr;  // the avro embedded format's schemas; without it avro is refused like jsonschema
  // Where records responses are read ahead (read_ahead.h); none without it. Joined before the proxy goes.
  boost::asio::thread_pool* background = nullptr;
  metrics::registry* metrics = nullptr;  // tributary_restproxy_read_ahead_* figures
};

class proxy {
 public:
  proxy(cluster& c, proxy_options options, proxy_services s = {});

  boost::asio::awaitable<net::http_response> handle(const net::http_request& req);
  // Every ~100 ms: consumer heartbeats and auto commits; instances idle past their expiry are
  // closed (committing, leaving their group) on `executor`.
  void tick(std::int64_t now_ms, const boost::asio::any_io_executor& executor);
  // Shutdown: closes every instance.
  boost::asio::awaitable<void> close_all();

 private:
  using response = net::http_response;
  using segments = std::vector<std::string>;
  struct query {
    std::vector<std::pair<std::string, std::string>> params;
    const std::string* get(std::string_view name) const;
  };

  boost::asio::awaitable<response> route(const net::http_request& req, const segments& path, const query& q);
  response root(const net::http_request& req);
  response list_topics(const net::http_request& req);
  response get_topic(const net::http_request& req, const std::string& topic);
  response list_partitions(const net::http_request& req, const std::string& topic);
  response get_partition(const net::http_request& req, const std::string& topic, const std::string& partition);
  response partition_offsets(const net::http_request& req, const std::string& topic, const std::string& partition);
  response list_brokers(const net::http_request& req);
  boost::asio::awaitable<response> produce(const net::http_request& req, std::string topic,
                                           std::optional<std::int32_t> partition);
  // Appends records to a topic of `partitions` partitions, one batch per partition. A record
  // without a partition gets the Java client's for its key, else the next in round robin; one
  // without a timestamp gets now. Explicit partitions must exist. One outcome per record, in order.
  // Keys, values and headers are moved into the log.
  boost::asio::awaitable<std::vector<produce_outcome>> append_records(const std::string& topic, std::int32_t partitions,
                                                                      std::vector<produce_record*> records);

  // v3_routes.cc: /v3/clusters[/{id}] and v3 produce.
  boost::asio::awaitable<response> v3(const net::http_request& req, const segments& path);
  // `batch`: records:batch, answered 207 with successes and failures by entry id.
  boost::asio::awaitable<response> v3_produce(const net::http_request& req, const std::string& topic, bool batch);
  static constexpr std::size_t v3_batch_max_entries = 10;  // api.v3.produce.batch.maximum.entries
  std::string external_base(const net::http_request& req) const;

  // consumer_routes.cc
  boost::asio::awaitable<response> consumers(const net::http_request& req, const segments& path, const query& q);
  response create_consumer(const net::http_request& req, const std::string& group);
  boost::asio::awaitable<response> delete_consumer(const net::http_request& req, const std::string& group,
                                                   const std::string& name);
  response subscription(const net::http_request& req, consumer_instance& instance);
  response assignments(const net::http_request& req, consumer_instance& instance);
  response positions(const net::http_request& req, consumer_instance& instance, const std::string& which);
  boost::asio::awaitable<response> records(const net::http_request& req, std::shared_ptr<consumer_instance> instance,
                                           const query& q);
  // A records response read ahead (read_ahead.h) that is still valid for this request, delivered.
  boost::asio::awaitable<std::optional<read_ahead_response>> take_read_ahead(consumer_instance& instance, std::size_t max_bytes,
                                                                     std::int64_t min_bytes);
  // Starts reading the instance's next response on `background` (none when one is under way, the
  // budget is spent or there is no background).
  void start_read_ahead(const std::shared_ptr<consumer_instance>& instance, std::size_t max_bytes);
  std::optional<read_ahead_response> read_ahead(consumer_instance& instance, std::size_t max_bytes);
  // The records response's JSON in the instance's format.
  proxy_result<std::string> records_body(embedded_format format, std::vector<consumed_record>& records);
  boost::asio::awaitable<response> commit_offsets(const net::http_request& req, consumer_instance& instance);
  response committed_offsets(const net::http_request& req, consumer_instance& instance);
  std::string base_uri(const net::http_request& req, const std::string& group, const std::string& name) const;
  // The records response of an avro instance: keys and values decoded with their schemas.
  proxy_result<std::string> avro_records_json(std::vector<consumed_record>& records);

  // The media type a metadata or produce response is sent as; nullopt when Accept admits none (406).
  static std::optional<std::string> response_type(const net::http_request& req);
  static response json(const net::http_request& req, unsigned status, std::string body, std::string_view type);
  static response no_content(const net::http_request& req);
  static response error(const net::http_request& req, const rest_error& e);
  bool authenticated(const net::http_request& req) const;

  // avro records: key and value encoded with the request's schemas; the schema ids used.
  boost::asio::awaitable<proxy_result<std::pair<std::optional<std::int32_t>, std::optional<std::int32_t>>>> encode_avro(
      const net::http_request& req, const std::string& topic, std::vector<produce_record>& records);

  cluster& cluster_;
  proxy_options options_;
  avro_serde* avro_;
  consumer_instances instances_;
  boost::asio::thread_pool* background_;
  read_ahead_budget read_ahead_budget_;
  metrics::counter* read_ahead_delivered_ = nullptr;
  metrics::counter* read_ahead_discarded_ = nullptr;
  std::atomic<std::uint32_t> round_robin_{0};
};

// Milliseconds of the steady clock, the time base of instance expiry and consumer ticks.
std::int64_t proxy_clock_ms();

}  // namespace tributary::restproxy
