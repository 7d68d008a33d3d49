#include "restproxy/proxy.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <map>

#include "common/base64.h"
#include "common/murmur2.h"
#include "restproxy/produce_request.h"

namespace tributary::restproxy {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

std::optional<std::int32_t> parse_partition_id(const std::string& text) {
  std::int32_t v = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc{} || ptr != end || v < 0) return std::nullopt;
  return v;
}

json::object partition_json(std::int32_t partition, std::int32_t leader) {
  return {{"partition", partition},
          {"leader", leader},
          {"replicas", json::array{json::object{{"broker", leader}, {"leader", true}, {"in_sync", true}}}}};
}

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::int64_t proxy_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const std::string* proxy::query::get(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return &v;
  return nullptr;
}

proxy::proxy(cluster& c, proxy_options options, proxy_services s)
    : cluster_(c),
      options_(std::move(options)),
      avro_(s.avro),
      instances_(c, options_.instance_timeout, options_.max_instances),
      background_(s.background),
      read_ahead_budget_(options_.read_ahead_bytes) {
  if (!s.metrics) return;
  const std::string help = "Records responses read ahead for REST consumer instances, by what became of them";
  read_ahead_delivered_ = &s.metrics->get_counter("tributary_restproxy_read_ahead_responses_total", help, {{"outcome", "delivered"}});
  read_ahead_discarded_ = &s.metrics->get_counter("tributary_restproxy_read_ahead_responses_total", help, {{"outcome", "discarded"}});
  s.metrics->add_collector([this](metrics::exposition& out) {
    out.family("tributary_restproxy_read_ahead_bytes", "gauge", "Bytes of records responses read ahead and not yet taken");
    out.sample("tributary_restproxy_read_ahead_bytes", {}, static_cast<double>(read_ahead_budget_.in_use()));
  });
}

std::optional<std::string> proxy::response_type(const net::http_request& req) {
  const auto accept = req[http::field::accept];
  for (std::string_view type : {v2_json, std::string_view("application/vnd.kafka+json"), plain_json})
    if (accepts(accept, type)) return std::string(type);
  return std::nullopt;
}

net::http_response proxy::json(const net::http_request& req, unsigned status, std::string body, std::string_view type) {
  response res{static_cast<http::status>(status), req.version()};
  res.set(http::field::content_type, type);
  res.body() = std::move(body);
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

net::http_response proxy::no_content(const net::http_request& req) {
  response res{http::status::no_content, req.version()};
  res.keep_alive(req.keep_alive());
  return res;
}

net::http_response proxy::error(const net::http_request& req, const rest_error& e) {
  auto res = error_response(e, v2_json, req.version());
  res.keep_alive(req.keep_alive());
  return res;
}

bool proxy::authenticated(const net::http_request& req) const {
  const auto header = req[http::field::authorization];
  constexpr std::string_view scheme = "Basic ";
  if (header.size() <= scheme.size() || !boost::beast::iequals(header.substr(0, scheme.size()), scheme)) return false;
  const auto credentials = base64_decode(header.substr(scheme.size()));
  const auto colon = credentials ? credentials->find(':') : std::string::npos;
  if (colon == std::string::npos) return false;
  return cluster_.check_user(credentials->substr(0, colon), credentials->substr(colon + 1));
}

boost::asio::awaitable<net::http_response> proxy::handle(const net::http_request& req) {
  if (options_.basic_auth && !authenticated(req)) {
    auto res = error(req, rest_error{401, 401, "Unauthorized: HTTP Basic credentials of a Kafka SASL user are required"});
    res.set(http::field::www_authenticate, "Basic realm=\"tributary-restproxy\"");
    co_return res;
  }
  auto parsed = boost::urls::parse_origin_form(req.target());
  if (!parsed) co_return error(req, rest_error{400, 400, "Bad Request: malformed request target"});
  segments path;
  for (auto s : parsed->segments()) path.push_back(s);
  if (!path.empty() && path.back().empty()) path.pop_back();  // trailing slash
  query q;
  for (const auto& p : parsed->params()) q.params.emplace_back(p.key, p.has_value ? std::string(p.value) : std::string());
  auto routed = route(req, path, q);
  co_return co_await std::move(routed);
}

boost::asio::awaitable<net::http_response> proxy::route(const net::http_request& req, const segments& path,
                                                        const query& q) {
  const auto method = req.method();
  const bool get = method == http::verb::get, post = method == http::verb::post;
  const auto n = path.size();
  if (n == 0) {
    if (get || post) co_return root(req);
    co_return error(req, http_status_error(405));
  }
  if (path[0] == "topics") {
    if (n == 1) co_return get ? list_topics(req) : error(req, http_status_error(405));
    if (n == 2) {
      if (get) co_return get_topic(req, path[1]);
      if (post) {
        auto produced = produce(req, path[1], std::nullopt);
        co_return co_await std::move(produced);
      }
      co_return error(req, http_status_error(405));
    }
    if (path[2] == "partitions") {
      if (n == 3) co_return get ? list_partitions(req, path[1]) : error(req, http_status_error(405));
      if (n == 4) {
        if (get) co_return get_partition(req, path[1], path[3]);
        if (post) {
          const auto id = parse_partition_id(path[3]);
          if (!id) co_return error(req, partition_not_found());
          auto produced = produce(req, path[1], id);
          co_return co_await std::move(produced);
        }
        co_return error(req, http_status_error(405));
      }
      if (n == 5 && path[4] == "offsets") co_return get ? partition_offsets(req, path[1], path[3]) : error(req, http_status_error(405));
    }
    co_return error(req, http_status_error(404));
  }
  if (path[0] == "consumers") {
    auto answered = consumers(req, path, q);
    co_return co_await std::move(answered);
  }
  if (path[0] == "v3") {
    auto answered = v3(req, path);
    co_return co_await std::move(answered);
  }
  if (path[0] == "brokers" && n == 1) co_return get ? list_brokers(req) : error(req, http_status_error(405));
  co_return error(req, http_status_error(404));
}

net::http_response proxy::root(const net::http_request& req) {
  const auto type = response_type(req);
  if (!type) return error(req, http_status_error(406));
  return json(req, 200, "{}", *type);
}

net::http_response proxy::list_topics(const net::http_request& req) {
  const auto type = response_type(req);
  if (!type) return error(req, http_status_error(406));
  json::array names;
  for (auto& t : cluster_.topic_names()) names.push_back(json::string(t));
  return json(req, 200, json::serialize(names), *type);
}

net::http_response proxy::get_topic(const net::http_request& req, const std::string& topic) {
  const auto type = response_type(req);
  if (!type) return error(req, http_status_error(406));
  auto d = cluster_.describe_topic(topic);
  if (!d) return error(req, d.error());
  json::object configs;
  for (const auto& [k, v] : d->configs) configs[k] = v;
  json::array partitions;
  for (std::int32_t p = 0; p < d->partitions; ++p) partitions.push_back(partition_json(p, d->leader));
  const json::object body{{"name", d->name}, {"configs", std::move(configs)}, {"partitions", std::move(partitions)}};
  return json(req, 200, json::serialize(body), *type);
}

net::http_response proxy::list_partitions(const net::http_request& req, const std::string& topic) {
  const auto type = response_type(req);
  if (!type) return error(req, http_status_error(406));
  auto d = cluster_.describe_topic(topic);
  if (!d) return error(req, d.error());
  json::array partitions;
  for (std::int32_t p = 0; p < d->partitions; ++p) partitions.push_back(partition_json(p, d->leader));
  return json(req, 200, json::serialize(partitions), *type);
}

net::http_response proxy::get_partition(const net::http_request& req, const std::string& topic,
                                        const std::string& partition) {
  const auto type = response_type(req);
  if (!type) return error(req, http_status_error(406));
  auto d = cluster_.describe_topic(topic);
  if (!d) return error(req, d.error());
  const auto id = parse_partition_id(partition);
  if (!id || *id >= d->partitions) return error(req, partition_not_found());
  return json(req, 200, json::serialize(partition_json(*id, d->leader)), *type);
}

net::http_response proxy::partition_offsets(const net::http_request& req, const std::string& topic,
                                            const std::string& partition) {
  const auto type = response_type(req);
  if (!type) return error(req, http_status_error(406));
  const auto id = parse_partition_id(partition);
  if (!id) return error(req, partition_not_found());
  auto range = cluster_.offsets(topic, *id);
  if (!range) return error(req, range.error());
  const json::object body{{"beginning_offset", range->beginning}, {"end_offset", range->end}};
  return json(req, 200, json::serialize(body), *type);
}

net::http_response proxy::list_brokers(const net::http_request& req) {
  const auto type = response_type(req);
  if (!type) return error(req, http_status_error(406));
  json::array ids;
  for (auto id : cluster_.broker_ids()) ids.push_back(id);
  return json(req, 200, json::serialize(json::object{{"brokers", std::move(ids)}}), *type);
}

boost::asio::awaitable<net::http_response> proxy::produce(const net::http_request& req, std::string topic,
                                                          std::optional<std::int32_t> partition) {
  const auto format = produce_format(req[http::field::content_type]);
  if (!format) co_return error(req, http_status_error(415));
  const auto type = response_type(req);
  if (!type) co_return error(req, http_status_error(406));
  const bool avro = *format == embedded_format::avro && avro_;
  if (*format != embedded_format::binary && *format != embedded_format::json && !avro)
    co_return error(req, rest_error{415, 415,
                                    "Embedded format " + std::string(format_name(*format)) +
                                        " is not supported by this proxy yet; produce binary, json or avro"});
  auto records = parse_produce_request(req.body(), *format);
  if (!records) co_return error(req, records.error());
  std::pair<std::optional<std::int32_t>, std::optional<std::int32_t>> schema_ids;
  if (avro) {
    auto encoding = encode_avro(req, topic, *records);
    auto encoded = co_await std::move(encoding);
    if (!encoded) co_return error(req, encoded.error());
    schema_ids = *encoded;
  }
  auto count = cluster_.partitions_for_produce(topic);
  if (!count) co_return error(req, count.error());

  std::vector<produce_record*> pending;
  for (auto& r : *records) {
    if (!r.partition) r.partition = partition;
    if (r.partition && *r.partition >= *count) co_return error(req, partition_not_found());
    pending.push_back(&r);
  }
  auto appending = append_records(topic, *count, std::move(pending));
  const auto outcomes = co_await std::move(appending);
  co_return json(req, 200, produce_response_json(outcomes, schema_ids.first, schema_ids.second), *type);
}

boost::asio::awaitable<proxy_result<std::pair<std::optional<std::int32_t>, std::optional<std::int32_t>>>>
proxy::encode_avro(const net::http_request& req, const std::string& topic, std::vector<produce_record>& records) {
  auto refs = parse_schema_refs(req.body());
  if (!refs) co_return fail(refs.error());
  bool keys = false, values = false;
  for (const auto& r : records) {
    keys = keys || r.key.has_value();
    values = values || r.value.has_value();
  }
  if (keys && !refs->key_schema && !refs->key_schema_id)
    co_return fail(rest_error{422, 42201, "Request includes keys but does not include key schema"});
  if (values && !refs->value_schema && !refs->value_schema_id)
    co_return fail(rest_error{422, 42202, "Request includes values but does not include value schema"});
  std::optional<std::int32_t> key_id, value_id;
  if (keys) {
    auto resolving = avro_->resolve(topic + "-key", refs->key_schema, refs->key_schema_id);
    auto id = co_await std::move(resolving);
    if (!id) co_return fail(id.error());
    key_id = *id;
  }
  if (values) {
    auto resolving = avro_->resolve(topic + "-value", refs->value_schema, refs->value_schema_id);
    auto id = co_await std::move(resolving);
    if (!id) co_return fail(id.error());
    value_id = *id;
  }
  for (auto& r : records) {
    for (auto [field, id] : {std::pair{&r.key, key_id}, std::pair{&r.value, value_id}}) {
      if (!*field) continue;
      auto framed = avro_->encode(*id, **field);
      if (!framed) co_return fail(framed.error());
      *field = std::move(*framed);
    }
  }
  co_return std::pair{key_id, value_id};
}

boost::asio::awaitable<std::vector<produce_outcome>> proxy::append_records(const std::string& topic,
                                                                          std::int32_t partitions,
                                                                          std::vector<produce_record*> records) {
  std::map<std::int32_t, std::vector<std::size_t>> by_partition;
  const auto now = wall_clock_ms();
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto& r = *records[i];
    if (!r.partition) {
      r.partition = r.key ? java_partition(*r.key, partitions)
                          : static_cast<std::int32_t>(round_robin_.fetch_add(1, std::memory_order_relaxed) %
                                                      static_cast<std::uint32_t>(partitions));
    }
    if (!r.timestamp) r.timestamp = now;
    by_partition[*r.partition].push_back(i);
  }
  std::vector<produce_outcome> outcomes(records.size());
  for (auto& [p, indexes] : by_partition) {
    std::vector<log::record> batch;
    batch.reserve(indexes.size());
    for (auto i : indexes) {
      auto& r = *records[i];
      batch.push_back(log::record{0, *r.timestamp, std::move(r.key), std::move(r.value), std::move(r.headers)});
    }
    auto appending = cluster_.append(topic, p, std::move(batch));
    auto appended = co_await std::move(appending);
    for (std::size_t k = 0; k < indexes.size(); ++k) {
      auto& o = outcomes[indexes[k]];
      if (appended) {
        o.partition = p;
        o.offset = *appended + static_cast<std::int64_t>(k);
      } else {
        o.error_code = appended.error().error_code;
        o.error = appended.error().message;
      }
    }
  }
  co_return outcomes;
}

void proxy::tick(std::int64_t now_ms, const boost::asio::any_io_executor& executor) {
  for (auto& instance : instances_.tick(now_ms)) {
    spdlog::info("restproxy: consumer instance {} of group {} expired", instance->settings.name, instance->group);
    boost::asio::co_spawn(
        executor, [instance]() -> boost::asio::awaitable<void> { co_await instance->kafka->close(); },
        boost::asio::detached);
  }
}

boost::asio::awaitable<void> proxy::close_all() {
  for (auto& instance : instances_.take_all()) {
    auto closing = instance->kafka->close();
    co_await std::move(closing);
  }
}

}  // namespace tributary::restproxy
