// The /consumers/... endpoints of proxy (../shared/spec/kafka-rest-proxy.md §6).
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <map>
#include <mutex>
#include <random>

#include "common/rfc3339.h"
#include "restproxy/proxy.h"
#include "restproxy/record_json.h"

namespace tributary::restproxy {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

// The body as JSON; an empty body is null.
proxy_result<json::value> parse_body(const net::http_request& req) {
  if (req.body().empty()) return json::value(nullptr);
  boost::system::error_code ec;
  auto v = json::parse(req.body(), ec);
  if (ec) return fail(rest_error{400, 400, "Unexpected JSON input: " + ec.message()});
  return v;
}

rest_error shape_error(std::string what) { return {422, 422, std::move(what)}; }

// A JSON integer, or a string holding one (Jackson coerces both).
std::optional<std::int64_t> as_integer(const json::value& v) {
  if (auto i = v.if_int64()) return *i;
  if (auto u = v.if_uint64(); u && *u <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(*u);
  if (auto s = v.if_string()) {
    std::int64_t n = 0;
    const auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), n);
    if (ec == std::errc{} && ptr == s->data() + s->size()) return n;
  }
  return std::nullopt;
}

proxy_result<topic_partition> parse_topic_partition(const json::value& v) {
  const auto* o = v.if_object();
  const auto* topic = o ? o->if_contains("topic") : nullptr;
  const auto* partition = o ? o->if_contains("partition") : nullptr;
  const auto p = partition ? as_integer(*partition) : std::nullopt;
  if (!topic || !topic->is_string() || !p || *p < 0 || *p > INT32_MAX)
    return fail(shape_error("each entry needs a string \"topic\" and a non-negative integer \"partition\""));
  return topic_partition{std::string(topic->get_string()), static_cast<std::int32_t>(*p)};
}

// body[key] as a list of entries, each {topic, partition, ...} read by `item` (which also gets the
// entry's object for its other fields); a missing or null key is an empty list.
template <typename T, typename Item>
proxy_result<std::vector<T>> parse_list(const json::value& body, std::string_view key, Item item) {
  std::vector<T> out;
  const auto* o = body.if_object();
  const auto* list = o ? o->if_contains(key) : nullptr;
  if (!list || list->is_null()) return out;
  if (!list->is_array()) return fail(shape_error("\"" + std::string(key) + "\" must be an array"));
  for (const auto& entry : list->get_array()) {
    auto tp = parse_topic_partition(entry);
    if (!tp) return fail(tp.error());
    auto parsed = item(std::move(*tp), entry.get_object());
    if (!parsed) return fail(parsed.error());
    out.push_back(std::move(*parsed));
  }
  return out;
}

proxy_result<std::vector<topic_partition>> parse_partitions(const json::value& body, std::string_view key) {
  return parse_list<topic_partition>(body, key, [](topic_partition tp, const json::object&) {
    return proxy_result<topic_partition>(std::move(tp));
  });
}

// {topic, partition, offset, metadata} entries.
proxy_result<std::vector<commit_entry>> parse_offsets(const json::value& body, std::string_view key) {
  return parse_list<commit_entry>(body, key, [](topic_partition tp, const json::object& o) -> proxy_result<commit_entry> {
    const auto* offset = o.if_contains("offset");
    const auto n = offset ? as_integer(*offset) : std::nullopt;
    if (!n || *n < 0) return fail(shape_error("each offset entry needs a non-negative integer \"offset\""));
    std::string metadata;
    if (const auto* m = o.if_contains("metadata"); m && m->is_string()) metadata = m->get_string();
    return commit_entry{std::move(tp), *n, std::move(metadata)};
  });
}

// {topic, partition, timestamp (ISO-8601)} entries, as (partition, ms since the epoch).
proxy_result<std::vector<std::pair<topic_partition, std::int64_t>>> parse_timestamps(const json::value& body) {
  using entry = std::pair<topic_partition, std::int64_t>;
  return parse_list<entry>(body, "timestamps", [](topic_partition tp, const json::object& o) -> proxy_result<entry> {
    const auto* ts = o.if_contains("timestamp");
    const auto ms = ts && ts->is_string() ? parse_rfc3339_millis(ts->get_string()) : std::nullopt;
    if (!ms) return fail(shape_error("each timestamp entry needs an ISO-8601 \"timestamp\" such as 2021-02-05T19:14:42Z"));
    return entry{std::move(tp), *ms};
  });
}

json::array partitions_json(const std::vector<topic_partition>& tps) {
  json::array out;
  for (const auto& tp : tps) out.push_back(json::object{{"topic", tp.topic}, {"partition", tp.partition}});
  return out;
}

std::string random_suffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    out.push_back(hex[rng() & 0xf]);
  }
  return out;
}

rest_error invalid_config(std::string detail) { return {422, 42204, "Invalid consumer configuration: " + std::move(detail)}; }

// The create request's settings (../shared/spec/kafka-rest-proxy.md §6.1).
proxy_result<instance_settings> parse_settings(const json::value& body, const std::string& id_prefix, bool avro) {
  instance_settings s;
  s.name = "rest-consumer-" + (id_prefix.empty() ? "" : id_prefix + "-") + random_suffix();
  if (body.is_null()) return s;
  const auto* o = body.if_object();
  if (!o) return fail(rest_error{400, 400, "The consumer configuration must be a JSON object"});
  auto text = [o](std::string_view key) -> proxy_result<std::optional<std::string>> {
    const auto* v = o->if_contains(key);
    if (!v || v->is_null()) return std::optional<std::string>{};
    if (auto b = v->if_bool()) return std::optional<std::string>{*b ? "true" : "false"};
    if (!v->is_string()) return fail(invalid_config("\"" + std::string(key) + "\" must be a string"));
    return std::optional<std::string>{std::string(v->get_string())};
  };
  auto integer = [o](std::initializer_list<std::string_view> keys) -> proxy_result<std::optional<std::int64_t>> {
    for (auto key : keys) {
      const auto* v = o->if_contains(key);
      if (!v || v->is_null()) continue;
      auto n = as_integer(*v);
      if (!n) return fail(invalid_config("\"" + std::string(key) + "\" must be an integer"));
      return std::optional<std::int64_t>{*n};
    }
    return std::optional<std::int64_t>{};
  };
  for (std::string_view key : {"name", "id"}) {  // id (deprecated) wins over name
    auto v = text(key);
    if (!v) return fail(v.error());
    if (*v) {
      if ((*v)->empty() || (*v)->find('/') != std::string::npos)
        return fail(invalid_config("the instance name must be non-empty and without '/'"));
      s.name = **v;
    }
  }
  auto format = text("format");
  if (!format) return fail(format.error());
  if (*format) {
    const auto f = parse_format_name(**format);
    if (!f) return fail(rest_error{422, 422, "Invalid format type."});
    if (*f != embedded_format::binary && *f != embedded_format::json && !(avro && *f == embedded_format::avro))
      return fail(invalid_config("format " + **format + " is not supported by this proxy yet; use binary, json or avro"));
    s.format = *f;
  }
  auto reset = text("auto.offset.reset");
  if (!reset) return fail(reset.error());
  if (*reset) {
    if (**reset != "earliest" && **reset != "latest" && **reset != "none")
      return fail(invalid_config("auto.offset.reset must be earliest, latest or none, not '" + **reset + "'"));
    s.options.auto_offset_reset = **reset;
  }
  auto commit = text("auto.commit.enable");
  if (!commit) return fail(commit.error());
  if (*commit) {
    if (**commit != "true" && **commit != "false")
      return fail(invalid_config("auto.commit.enable must be true or false, not '" + **commit + "'"));
    s.options.auto_commit = **commit == "true";
  }
  auto min_bytes = integer({"fetch.min.bytes", "responseMinBytes"});
  if (!min_bytes) return fail(min_bytes.error());
  if (*min_bytes) {
    if (**min_bytes < -1 || **min_bytes > 10000000)
      return fail(rest_error{422, 40001,
                             "Invalid consumer configuration. It does not abide by the constraints: fetch.min.bytes "
                             "must be between -1 and 10000000"});
    s.fetch_min_bytes = **min_bytes;
  }
  auto timeout = integer({"consumer.request.timeout.ms", "requestWaitMs"});
  if (!timeout) return fail(timeout.error());
  if (*timeout) {
    if (**timeout < 0) return fail(invalid_config("consumer.request.timeout.ms must not be negative"));
    s.request_timeout = std::chrono::milliseconds(**timeout);
  }
  return s;
}

std::size_t record_size(const consumed_record& r) {
  return (r.record.key ? r.record.key->size() : 0) + (r.record.value ? r.record.value->size() : 0);
}

}  // namespace

proxy_result<std::string> proxy::avro_records_json(std::vector<consumed_record>& records) {
  for (auto& r : records) {
    for (auto* field : {&r.record.key, &r.record.value}) {
      if (!*field) continue;
      auto text = avro_->decode(**field);
      if (!text) return fail(text.error());
      *field = std::move(*text);
    }
  }
  return records_json(records, embedded_format::avro);  // now JSON text
}

std::string proxy::base_uri(const net::http_request& req, const std::string& group, const std::string& name) const {
  return external_base(req) + "/consumers/" + group + "/instances/" + name;
}

boost::asio::awaitable<net::http_response> proxy::consumers(const net::http_request& req, const segments& path,
                                                            const query& q) {
  const auto method = req.method();
  const auto n = path.size();
  if (n < 2) co_return error(req, http_status_error(404));
  if (req.body().size() > 0 && !consumer_content_type_ok(req[http::field::content_type]))
    co_return error(req, http_status_error(415));
  const auto& group = path[1];
  if (n == 2) co_return method == http::verb::post ? create_consumer(req, group) : error(req, http_status_error(405));
  if (path[2] != "instances" || n < 4) co_return error(req, http_status_error(404));
  const auto& name = path[3];
  if (n == 4) {
    if (method != http::verb::delete_) co_return error(req, http_status_error(405));
    auto deleting = delete_consumer(req, group, name);
    co_return co_await std::move(deleting);
  }
  const auto& what = path[4];
  const bool known = (n == 5 && (what == "subscription" || what == "assignments" || what == "positions" ||
                                 what == "records" || what == "offsets")) ||
                     (n == 6 && what == "positions" && (path[5] == "beginning" || path[5] == "end"));
  if (!known) co_return error(req, http_status_error(404));
  auto instance = instances_.find(group, name, proxy_clock_ms());
  if (!instance) co_return error(req, consumer_instance_not_found());
  if (what == "subscription") {
    if (method == http::verb::post || method == http::verb::get || method == http::verb::delete_)
      co_return subscription(req, *instance);
  } else if (what == "assignments") {
    if (method == http::verb::post || method == http::verb::get) co_return assignments(req, *instance);
  } else if (what == "positions") {
    if (method == http::verb::post) co_return positions(req, *instance, n == 6 ? path[5] : "");
  } else if (what == "records") {
    if (method == http::verb::get) {
      auto reading = records(req, instance, q);
      co_return co_await std::move(reading);
    }
  } else if (what == "offsets") {
    if (method == http::verb::post) {
      auto committing = commit_offsets(req, *instance);
      co_return co_await std::move(committing);
    }
    if (method == http::verb::get) co_return committed_offsets(req, *instance);
  }
  co_return error(req, http_status_error(405));
}

net::http_response proxy::create_consumer(const net::http_request& req, const std::string& group) {
  const auto type = response_type(req);
  if (!type) return error(req, http_status_error(406));
  auto body = parse_body(req);
  if (!body) return error(req, body.error());
  auto settings = parse_settings(*body, options_.id, avro_ != nullptr);
  if (!settings) return error(req, settings.error());
  auto created = instances_.create(group, std::move(*settings), proxy_clock_ms());
  if (!created) return error(req, created.error());
  const auto& name = (*created)->settings.name;
  const json::object answer{{"instance_id", name}, {"base_uri", base_uri(req, group, name)}};
  return json(req, 200, json::serialize(answer), *type);
}

boost::asio::awaitable<net::http_response> proxy::delete_consumer(const net::http_request& req, const std::string& group,
                                                                  const std::string& name) {
  auto instance = instances_.remove(group, name);
  if (!instance) co_return error(req, consumer_instance_not_found());
  auto closing = instance->kafka->close();
  co_await std::move(closing);
  co_return no_content(req);
}

net::http_response proxy::subscription(const net::http_request& req, consumer_instance& instance) {
  if (req.method() == http::verb::delete_) {
    instance.kafka->unsubscribe();
    return no_content(req);
  }
  if (req.method() == http::verb::get) {
    const auto type = response_type(req);
    if (!type) return error(req, http_status_error(406));
    json::array topics;
    for (auto& t : instance.kafka->subscription()) topics.push_back(json::string(t));
    return json(req, 200, json::serialize(json::object{{"topics", std::move(topics)}}), *type);
  }
  auto body = parse_body(req);
  if (!body) return error(req, body.error());
  const auto* o = body->if_object();
  const auto* topics = o ? o->if_contains("topics") : nullptr;
  const auto* pattern = o ? o->if_contains("topic_pattern") : nullptr;
  if (topics && topics->is_null()) topics = nullptr;
  if (pattern && pattern->is_null()) pattern = nullptr;
  if ((topics == nullptr) == (pattern == nullptr))
    return error(req, shape_error("A subscription needs exactly one of \"topics\" and \"topic_pattern\""));
  std::vector<std::string> names;
  std::string regex;
  if (topics) {
    if (!topics->is_array() || topics->get_array().empty())
      return error(req, shape_error("\"topics\" must be a non-empty array of topic names"));
    for (const auto& t : topics->get_array()) {
      if (!t.is_string() || t.get_string().empty()) return error(req, shape_error("\"topics\" must hold topic names"));
      names.emplace_back(t.get_string());
    }
  } else {
    if (!pattern->is_string() || pattern->get_string().empty())
      return error(req, shape_error("\"topic_pattern\" must be a regular expression"));
    regex = pattern->get_string();
  }
  if (auto ok = instance.kafka->subscribe(std::move(names), std::move(regex)); !ok) return error(req, ok.error());
  return no_content(req);
}

net::http_response proxy::assignments(const net::http_request& req, consumer_instance& instance) {
  if (req.method() == http::verb::get) {
    const auto type = response_type(req);
    if (!type) return error(req, http_status_error(406));
    const json::object body{{"partitions", partitions_json(instance.kafka->assignment())}};
    return json(req, 200, json::serialize(body), *type);
  }
  auto body = parse_body(req);
  if (!body) return error(req, body.error());
  auto tps = parse_partitions(*body, "partitions");
  if (!tps) return error(req, tps.error());
  if (auto ok = instance.kafka->assign(std::move(*tps)); !ok) return error(req, ok.error());
  return no_content(req);
}

net::http_response proxy::positions(const net::http_request& req, consumer_instance& instance, const std::string& which) {
  auto body = parse_body(req);
  if (!body) return error(req, body.error());
  if (!which.empty()) {
    auto tps = parse_partitions(*body, "partitions");
    if (!tps) return error(req, tps.error());
    auto ok = which == "beginning" ? instance.kafka->seek_to_beginning(*tps) : instance.kafka->seek_to_end(*tps);
    if (!ok) return error(req, ok.error());
    return no_content(req);
  }
  auto offsets = parse_offsets(*body, "offsets");
  if (!offsets) return error(req, offsets.error());
  for (const auto& e : *offsets)
    if (auto ok = instance.kafka->seek(e.tp, e.offset); !ok) return error(req, ok.error());
  auto stamps = parse_timestamps(*body);
  if (!stamps) return error(req, stamps.error());
  for (const auto& [tp, ms] : *stamps)
    if (auto ok = instance.kafka->seek_to_timestamp(tp, ms); !ok) return error(req, ok.error());
  return no_content(req);
}

boost::asio::awaitable<net::http_response> proxy::records(const net::http_request& req,
                                                          std::shared_ptr<consumer_instance> instance, const query& q) {
  const auto format = instance->settings.format;
  const auto accept = req[http::field::accept];
  if (const auto asked = accepted_format(accept); asked && *asked != format) co_return error(req, consumer_format_mismatch());
  const auto media = format_media_type(format);
  if (!accepts(accept, media) && !accepts(accept, v2_json)) co_return error(req, http_status_error(406));

  auto timeout = instance->settings.request_timeout.value_or(options_.request_timeout);
  if (const auto* t = q.get("timeout")) {
    const auto ms = as_integer(json::value(*t));
    if (!ms) co_return error(req, rest_error{400, 400, "Bad Request: timeout must be an integer"});
    if (*ms > 0) timeout = std::min(timeout, std::chrono::milliseconds(*ms));
  }
  auto max_bytes = static_cast<std::size_t>(options_.max_response_bytes);
  if (const auto* m = q.get("max_bytes")) {
    const auto n = as_integer(json::value(*m));
    if (!n) co_return error(req, rest_error{400, 400, "Bad Request: max_bytes must be an integer"});
    if (*n > 0) max_bytes = std::min(max_bytes, static_cast<std::size_t>(*n));
  }
  const auto min_bytes = instance->settings.fetch_min_bytes != -1 ? instance->settings.fetch_min_bytes : options_.fetch_min_bytes;

  auto taking = take_read_ahead(*instance, max_bytes, min_bytes);
  if (auto ahead = co_await std::move(taking)) {
    if (2 * ahead->bytes >= max_bytes) start_read_ahead(instance, max_bytes);
    co_return json(req, 200, std::move(ahead->body), media);
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<consumed_record> out;
  std::size_t bytes = 0;
  for (;;) {
    auto got = instance->kafka->poll(max_bytes - std::min(bytes, max_bytes));
    if (!got) co_return error(req, got.error());
    for (auto& r : *got) {
      bytes += record_size(r);
      out.push_back(std::move(r));
    }
    const bool enough = !out.empty() && (min_bytes < 0 || static_cast<std::int64_t>(bytes) > min_bytes);
    const auto now = std::chrono::steady_clock::now();
    if (enough || bytes >= max_bytes || now >= deadline) break;
    auto waiting = instance->kafka->wait(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    co_await std::move(waiting);
  }
  auto body = records_body(format, out);
  if (!body) {
    // Nothing of this read is delivered: the next read starts again at its first records.
    std::map<topic_partition, std::int64_t> first;
    for (const auto& r : out) first.emplace(topic_partition{r.topic, r.partition}, r.record.offset);
    for (const auto& [tp, offset] : first) (void)instance->kafka->seek(tp, offset);
    co_return error(req, body.error());
  }
  // A client that reads big responses is behind: its next one is read while it takes this one in.
  if (2 * bytes >= max_bytes) start_read_ahead(instance, max_bytes);
  co_return json(req, 200, std::move(*body), media);
}

proxy_result<std::string> proxy::records_body(embedded_format format, std::vector<consumed_record>& records) {
  if (format == embedded_format::avro) return avro_records_json(records);
  return records_json(records, format);
}

boost::asio::awaitable<std::optional<read_ahead_response>> proxy::take_read_ahead(consumer_instance& instance,
                                                                          std::size_t max_bytes, std::int64_t min_bytes) {
  std::shared_ptr<read_ahead_slot> slot;
  {
    std::lock_guard lock(instance.read_ahead_mutex);
    slot = std::move(instance.read_ahead);
  }
  if (!slot) co_return std::nullopt;
  auto taking = slot->take();
  auto ahead = co_await std::move(taking);
  if (!ahead) co_return std::nullopt;  // nothing was read
  // Read for another max_bytes, too small for fetch.min.bytes, or stale: read afresh instead.
  if (ahead->max_bytes != max_bytes || (min_bytes >= 0 && static_cast<std::int64_t>(ahead->bytes) <= min_bytes) ||
      !instance.kafka->advance(ahead->moves)) {
    if (read_ahead_discarded_) read_ahead_discarded_->inc();
    co_return std::nullopt;
  }
  if (read_ahead_delivered_) read_ahead_delivered_->inc();
  co_return ahead;
}

void proxy::start_read_ahead(const std::shared_ptr<consumer_instance>& instance, std::size_t max_bytes) {
  if (!background_ || !read_ahead_budget_.has_room(max_bytes)) return;
  auto slot = std::make_shared<read_ahead_slot>();
  {
    std::lock_guard lock(instance->read_ahead_mutex);
    if (instance->read_ahead) return;  // one at a time
    instance->read_ahead = slot;
  }
  boost::asio::post(*background_, [this, instance, slot, max_bytes] { slot->fulfil(read_ahead(*instance, max_bytes)); });
}

std::optional<read_ahead_response> proxy::read_ahead(consumer_instance& instance, std::size_t max_bytes) {
  auto peeked = instance.kafka->peek(max_bytes);
  if (!peeked || peeked->records.empty()) return std::nullopt;
  std::size_t bytes = 0;
  for (const auto& r : peeked->records) bytes += record_size(r);
  auto body = records_body(instance.settings.format, peeked->records);
  if (!body) return std::nullopt;  // the records request that comes for it answers the error
  auto lease = read_ahead_budget_.try_take(body->size());
  if (!lease) return std::nullopt;
  return read_ahead_response{max_bytes, bytes, std::move(*body), std::move(peeked->moves), std::move(*lease)};
}

boost::asio::awaitable<net::http_response> proxy::commit_offsets(const net::http_request& req, consumer_instance& instance) {
  const auto type = response_type(req);
  if (!type) co_return error(req, http_status_error(406));
  auto body = parse_body(req);
  if (!body) co_return error(req, body.error());
  auto entries = parse_offsets(*body, "offsets");
  if (!entries) co_return error(req, entries.error());
  if (entries->empty()) {
    *entries = instance.kafka->positions();
  } else {
    for (auto& e : *entries) ++e.offset;  // the caller names the last record it consumed
  }
  auto committing = instance.kafka->commit(std::move(*entries));
  auto committed = co_await std::move(committing);
  if (!committed) co_return error(req, committed.error());
  co_return json(req, 200, "[]", *type);
}

net::http_response proxy::committed_offsets(const net::http_request& req, consumer_instance& instance) {
  const auto type = response_type(req);
  if (!type) return error(req, http_status_error(406));
  auto body = parse_body(req);
  if (!body) return error(req, body.error());
  if (body->is_null()) return error(req, partition_not_found());
  auto tps = parse_partitions(*body, "partitions");
  if (!tps) return error(req, tps.error());
  json::array offsets;
  for (const auto& e : instance.kafka->committed(*tps))
    offsets.push_back(json::object{{"topic", e.tp.topic}, {"partition", e.tp.partition}, {"offset", e.offset}, {"metadata", e.metadata}});
  return json(req, 200, json::serialize(json::object{{"offsets", std::move(offsets)}}), *type);
}

}  // namespace tributary::restproxy
