#include "kafka/client/client.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstring>

namespace tributary::kafka::client {

namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

client_error error(client_errc code, std::string message) { return {code, std::move(message)}; }

client_errc code_of(rd_kafka_resp_err_t err) {
  auto code = client_errc::broker;
  switch (err) {
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
      code = client_errc::timeout;
      break;
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      code = client_errc::unknown_topic;
      break;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
      code = client_errc::unreachable;
      break;
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
      code = client_errc::authentication;
      break;
    default:
      break;
  }
  return code;
}

client_error broker_error(rd_kafka_resp_err_t err, std::string_view what) {
  return error(code_of(err), std::string(what) + ": " + rd_kafka_err2str(err));
}

int as_ms(std::chrono::milliseconds d) { return static_cast<int>(std::max<std::int64_t>(0, d.count())); }

struct conf_deleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;

struct kafka_deleter {
  void operator()(rd_kafka_t* k) const { rd_kafka_destroy(k); }
};
using kafka_ptr = std::unique_ptr<rd_kafka_t, kafka_deleter>;

client_result<void> set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char text[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), text, sizeof text) != RD_KAFKA_CONF_OK) {
    return fail(error(client_errc::config, "property " + key + ": " + text));
  }
  return {};
}

// The configuration both kinds of client share, then the role's own defaults, then the user's
// properties (so that those win).
client_result<conf_ptr> make_conf(const connection_options& o,
                                  const std::vector<std::pair<std::string, std::string>>& role_defaults) {
  conf_ptr conf(rd_kafka_conf_new());
  std::vector<std::pair<std::string, std::string>> props{{"bootstrap.servers", o.bootstrap},
                                                         {"client.id", "tributary-cli"}};
  std::string protocol = o.security_protocol;
  if (protocol.empty()) protocol = o.sasl_username.empty() ? "plaintext" : "sasl_plaintext";
  props.emplace_back("security.protocol", protocol);
  if (!o.sasl_username.empty()) {
    props.emplace_back("sasl.mechanism", o.sasl_mechanism);
    props.emplace_back("sasl.username", o.sasl_username);
    props.emplace_back("sasl.password", o.sasl_password);
  }
  props.insert(props.end(), role_defaults.begin(), role_defaults.end());
  props.insert(props.end(), o.properties.begin(), o.properties.end());
  for (const auto& [k, v] : props) {
    if (auto r = set(conf.get(), k, v); !r) return fail(r.error());
  }
  return conf;
}

// What librdkafka reports outside any request (a broker refusing connections, a failed SASL
// login), kept until a call of the client can return it. Served on the client's own thread.
struct error_state {
  std::optional<client_error> pending;
};

void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* state = static_cast<error_state*>(opaque);
  if (state) state->pending = error(code_of(static_cast<rd_kafka_resp_err_t>(err)), reason);
}

// librdkafka's own log lines stay quiet: its errors reach on_error and are reported by the calls.
void on_log(const rd_kafka_t*, int, const char*, const char*) {}

client_result<kafka_ptr> make_client(rd_kafka_type_t type, conf_ptr conf, error_state* errors) {
  rd_kafka_conf_set_opaque(conf.get(), errors);
  rd_kafka_conf_set_error_cb(conf.get(), on_error);
  rd_kafka_conf_set_log_cb(conf.get(), on_log);
  char text[512];
  rd_kafka_t* k = rd_kafka_new(type, conf.get(), text, sizeof text);
  if (!k) return fail(error(client_errc::config, text));
  (void)conf.release();  // owned by the handle now
  return kafka_ptr(k);
}

// Headers of a consumed message, or of none.
std::vector<header> read_headers(rd_kafka_message_t* m) {
  std::vector<header> out;
  rd_kafka_headers_t* hs = nullptr;
  if (rd_kafka_message_headers(m, &hs) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  const char* name = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  for (std::size_t i = 0; rd_kafka_header_get_all(hs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
    header h{name, std::nullopt};
    if (value) h.value = std::string(static_cast<const char*>(value), size);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace

const std::string* record::header_value(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name == name) return h.value ? &*h.value : nullptr;
  }
  return nullptr;
}

// ---- producer ----

struct producer::handle {
  std::unique_ptr<error_state> errors = std::make_unique<error_state>();
  kafka_ptr kafka;  // after `errors`: destroyed first
};

namespace {

// Delivery callbacks travel as the message's opaque pointer; librdkafka hands it back in the report.
using delivery_callback = std::function<void(client_result<void>)>;

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  std::unique_ptr<delivery_callback> done(static_cast<delivery_callback*>(m->_private));
  if (!done) return;
  if (m->err) {
    (*done)(fail(broker_error(m->err, "delivery to " + std::string(rd_kafka_topic_name(m->rkt)))));
  } else {
    (*done)({});
  }
}

}  // namespace

client_result<std::unique_ptr<producer>> producer::create(const connection_options& options) {
  auto conf = make_conf(options, {{"enable.idempotence", "true"},
                                  {"acks", "all"},
                                  {"linger.ms", "0"},
                                  {"partitioner", "murmur2_random"}});
  if (!conf) return fail(conf.error());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), on_delivery);
  auto h = std::make_unique<handle>();
  auto kafka = make_client(RD_KAFKA_PRODUCER, std::move(*conf), h->errors.get());
  if (!kafka) return fail(kafka.error());
  h->kafka = std::move(*kafka);
  return std::unique_ptr<producer>(new producer(std::move(h)));
}

producer::producer(std::unique_ptr<handle> h) : h_(std::move(h)) {}

producer::~producer() {
  // Reports still owed run now (their callbacks are freed by on_delivery); give up after 5 s.
  rd_kafka_flush(h_->kafka.get(), 5000);
  rd_kafka_purge(h_->kafka.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(h_->kafka.get(), 0);
}

client_result<void> producer::send_async(const record& r, std::function<void(client_result<void>)> done) {
  rd_kafka_headers_t* hs = rd_kafka_headers_new(r.headers.size());
  for (const auto& h : r.headers) {
    rd_kafka_header_add(hs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value ? h.value->data() : nullptr,
                        h.value ? static_cast<ssize_t>(h.value->size()) : 0);
  }
  auto callback = std::make_unique<delivery_callback>(std::move(done));
  // The RD_KAFKA_V_* macros cast their arguments without parentheses: plain variables only.
  void* key = r.key ? const_cast<char*>(r.key->data()) : nullptr;
  const std::size_t key_size = r.key ? r.key->size() : 0;
  void* value = r.value ? const_cast<char*>(r.value->data()) : nullptr;
  const std::size_t value_size = r.value ? r.value->size() : 0;
  const std::int64_t timestamp = r.timestamp < 0 ? 0 : r.timestamp;
  const auto err = rd_kafka_producev(
      h_->kafka.get(), RD_KAFKA_V_TOPIC(r.topic.c_str()), RD_KAFKA_V_PARTITION(r.partition),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_KEY(key, key_size), RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_TIMESTAMP(timestamp),
      RD_KAFKA_V_HEADERS(hs),
      RD_KAFKA_V_OPAQUE(callback.get()), RD_KAFKA_V_END);
  if (err) {
    rd_kafka_headers_destroy(hs);  // not taken over on failure
    return fail(broker_error(err, "producing to " + r.topic));
  }
  (void)callback.release();  // freed by on_delivery
  return {};
}

void producer::poll(std::chrono::milliseconds timeout) { rd_kafka_poll(h_->kafka.get(), as_ms(timeout)); }

client_result<void> producer::send(const record& r, std::chrono::milliseconds timeout) {
  std::optional<client_result<void>> outcome;
  if (auto queued = send_async(r, [&](client_result<void> res) { outcome = std::move(res); }); !queued) return queued;
  const auto end = clock::now() + timeout;
  while (!outcome) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - clock::now());
    if (left.count() <= 0) {
      // The callback refers to `outcome`: drop the record so that it never runs after we return.
      rd_kafka_purge(h_->kafka.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_poll(h_->kafka.get(), 0);
      return fail(error(client_errc::timeout, "no acknowledgement from the broker for " + r.topic + " within " +
                                                  std::to_string(timeout.count()) + " ms"));
    }
    rd_kafka_poll(h_->kafka.get(), std::min(as_ms(left), 100));
  }
  return std::move(*outcome);
}

client_result<void> producer::flush(std::chrono::milliseconds timeout) {
  const auto err = rd_kafka_flush(h_->kafka.get(), as_ms(timeout));
  if (err) return fail(broker_error(err, "flush"));
  return {};
}

// ---- consumer ----

struct consumer::handle {
  std::unique_ptr<error_state> errors = std::make_unique<error_state>();
  kafka_ptr kafka;  // after `errors`: destroyed first
};

client_result<std::unique_ptr<consumer>> consumer::create(const connection_options& options) {
  // A group id is required by librdkafka's consumer API even when nothing is subscribed or
  // committed; with assign() and auto-commit off, it never talks to a group coordinator.
  auto conf = make_conf(options, {{"group.id", "tributary-cli"},
                                  {"enable.auto.commit", "false"},
                                  {"enable.auto.offset.store", "false"},
                                  {"enable.partition.eof", "false"},
                                  {"allow.auto.create.topics", "true"},
                                  {"fetch.wait.max.ms", "100"}});
  if (!conf) return fail(conf.error());
  auto h = std::make_unique<handle>();
  auto kafka = make_client(RD_KAFKA_CONSUMER, std::move(*conf), h->errors.get());
  if (!kafka) return fail(kafka.error());
  h->kafka = std::move(*kafka);
  rd_kafka_poll_set_consumer(h->kafka.get());
  return std::unique_ptr<consumer>(new consumer(std::move(h)));
}

consumer::consumer(std::unique_ptr<handle> h) : h_(std::move(h)) {}

consumer::~consumer() { rd_kafka_consumer_close(h_->kafka.get()); }

client_result<void> consumer::assign(const std::vector<std::string>& topics, start_at from,
                                     std::chrono::milliseconds timeout) {
  std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())), rd_kafka_topic_partition_list_destroy);
  const auto end = clock::now() + timeout;
  for (const auto& name : topics) {
    // A metadata request for the topic: the broker creates it when it auto-creates topics. Right
    // after creation it may still report no leader; ask again until the deadline.
    for (;;) {
      std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> topic(
          rd_kafka_topic_new(h_->kafka.get(), name.c_str(), nullptr), rd_kafka_topic_destroy);
      const rd_kafka_metadata_t* md = nullptr;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - clock::now());
      // In slices, so that a failed login or a refused connection ends the wait early.
      auto err = rd_kafka_metadata(h_->kafka.get(), 0, topic.get(), &md, std::clamp(as_ms(left), 1, 500));
      if (err) {
        serve_errors(0ms);
        auto& pending = h_->errors->pending;
        const bool hopeless = pending && pending->code == client_errc::authentication;
        if (hopeless || clock::now() >= end) {
          return fail(pending ? client_error{pending->code, "metadata of " + name + ": " + pending->message}
                              : broker_error(err, "metadata of " + name));
        }
        continue;
      }
      std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)> owned(md,
                                                                                             rd_kafka_metadata_destroy);
      const rd_kafka_metadata_topic_t* t = md->topic_cnt == 1 ? &md->topics[0] : nullptr;
      err = t ? t->err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
      const bool retriable = err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE || (t && !err && t->partition_cnt == 0);
      if (!err && t->partition_cnt > 0) {
        for (int p = 0; p < t->partition_cnt; ++p) {
          const std::int32_t id = t->partitions[p].id;
          std::int64_t offset = RD_KAFKA_OFFSET_BEGINNING;
          if (from == start_at::end) {
            // The end as it is now, not RD_KAFKA_OFFSET_END: librdkafka would resolve that later,
            // after records written in between, and skip them.
            std::int64_t low = 0;
            const auto left_now = std::chrono::duration_cast<std::chrono::milliseconds>(end - clock::now());
            if (const auto e = rd_kafka_query_watermark_offsets(h_->kafka.get(), name.c_str(), id, &low, &offset,
                                                                std::max(as_ms(left_now), 1))) {
              return fail(broker_error(e, "end offset of " + name + "-" + std::to_string(id)));
            }
          }
          rd_kafka_topic_partition_list_add(list.get(), name.c_str(), id)->offset = offset;
        }
        break;
      }
      if (!retriable || clock::now() >= end) return fail(broker_error(err, "topic " + name));
      serve_errors(50ms);
    }
  }
  if (const auto err = rd_kafka_assign(h_->kafka.get(), list.get())) return fail(broker_error(err, "assign"));
  return {};
}

void consumer::serve_errors(std::chrono::milliseconds timeout) {
  // Nothing is assigned yet, so what comes back is at most an error event, already reported to
  // on_error.
  if (rd_kafka_message_t* m = rd_kafka_consumer_poll(h_->kafka.get(), as_ms(timeout))) rd_kafka_message_destroy(m);
}

client_result<std::optional<record>> consumer::poll(std::chrono::milliseconds timeout) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(h_->kafka.get(), as_ms(timeout));
  if (auto& pending = h_->errors->pending; pending && !m) {
    // Reported once: librdkafka keeps retrying on its own. A record that came with it is returned
    // first, the error by the next call.
    client_error e = std::move(*pending);
    pending.reset();
    return fail(std::move(e));
  }
  if (!m) return std::optional<record>{};
  std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> owned(m, rd_kafka_message_destroy);
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return std::optional<record>{};
  if (m->err) {
    return fail(broker_error(m->err, m->rkt ? "consuming " + std::string(rd_kafka_topic_name(m->rkt)) : "consuming"));
  }
  record r;
  r.topic = rd_kafka_topic_name(m->rkt);
  r.partition = m->partition;
  r.offset = m->offset;
  rd_kafka_timestamp_type_t type;
  r.timestamp = rd_kafka_message_timestamp(m, &type);
  if (m->key) r.key = std::string(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) r.value = std::string(static_cast<const char*>(m->payload), m->len);
  r.headers = read_headers(m);
  return std::optional<record>(std::move(r));
}

}  // namespace tributary::kafka::client
