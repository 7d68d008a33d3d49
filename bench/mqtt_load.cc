// mqtt_load: the load generator of bench/mqtt. MQTT 3.1.1 devices over loopback TCP (the adapter's
// codec builds and reads their packets), one Asio thread for all of them, against any broker:
//   provision  creates a tenant and devices d0..dN-1 through the registry management API (HTTP/1.1
//              keep-alive, a few connections), each with one hashed-password credential (sha-256,
//              per-device salt and password: base64(sha256(salt + password)), spec/hono.md §4.4);
//   passwords  prints the same devices' user:password lines (for mosquitto_passwd -U);
//   run        the phases against one broker, every message counted by a consumer in the same
//              process: a librdkafka consumer of the telemetry topic (Tributary), or an MQTT
//              subscriber on '#' (Mosquitto):
//     idle:      C devices connect (CONNECT + CONNACK) and stay idle; the broker's VmRSS before and
//                after, per connection;
//     qos0, qos1 (throughput): N devices publish 64-byte telemetry for T s as fast as their window
//                allows: QoS 1 with W PUBLISHes awaiting PUBACK per device, QoS 0 with W messages per
//                device the consumer has not seen yet (so the run measures delivery, not how much the
//                kernel buffers); msgs/s delivered from the first publish to the last delivery, and
//                PUBACKs/s;
//     latency0, latency1: the same devices at a fixed total rate (round-robin, sent every
//                --pace-tick-us or less), publish→consumer latency after a warm-up.
// Every payload carries the time its PUBLISH was written (CLOCK_MONOTONIC ns; publisher and consumer
// share the process), the device, the phase and a per-device sequence number, so the consumer checks
// each message: the phase's, in order per device, none twice; QoS 1 must deliver everything that
// was acknowledged. Prints one line per result, which bench/mqtt parses, and the CPU time of the
// broker and of itself per phase. Exits 1 when something is functionally wrong (a refused or dropped
// connection, a malformed packet, a PUBACK out of order, an acknowledged message lost, a duplicate),
// never for a figure. A benchmark, never a test: not in ctest.
#include <librdkafka/rdkafka.h>
#include <openssl/evp.h>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "bench_devices.h"
#include "bench_support.h"
#include "adapters/mqtt/codec.h"
#include "common/base64.h"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace mq = tributary::adapters::mqtt;
using tributary::bench::cpu_seconds;
using tributary::bench::device_set;
using tributary::bench::failure;
using tributary::bench::monotonic_ns;
using tributary::bench::per_s;
using tributary::bench::percentile;
using tributary::bench::seconds_between;
using tcp = asio::ip::tcp;

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
// The payload starts with: send time ns (u64), device index (u32), phase id (u32), sequence (u64),
// all little-endian; the rest is filler.
constexpr std::size_t header_bytes = 24;
constexpr std::int64_t ns_per_s = 1'000'000'000;

asio::steady_timer::time_point at_ns(std::int64_t ns) {
  return asio::steady_timer::time_point(
      std::chrono::duration_cast<asio::steady_timer::duration>(std::chrono::nanoseconds(ns)));
}

void put_u32(std::uint8_t* p, std::uint32_t v) { std::memcpy(p, &v, sizeof v); }
void put_u64(std::uint8_t* p, std::uint64_t v) { std::memcpy(p, &v, sizeof v); }
std::uint32_t get_u32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}


// A /proc/<pid>/status field in KiB (VmRSS, VmHWM, ...); -1 if unknown.
long status_kib(int pid, const char* field) {
  const std::string path = pid ? "/proc/" + std::to_string(pid) + "/status" : "/proc/self/status";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return -1;
  char line[256];
  long kib = -1;
  const std::size_t len = std::strlen(field);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, field, len) == 0 && line[len] == ':') {
      kib = std::strtol(line + len + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kib;
}

// CPU time of the broker and of this process (publishers, consumer, librdkafka's threads) in one
// phase: on a machine with few cores they share, CPU per message bounds every rate.
class cpu_meter {
 public:
  explicit cpu_meter(int server_pid) : usage_(server_pid) {}
  void print(const std::string& label, const char* phase, double messages, double wall_s) const {
    const double self = usage_.self_s();
    std::printf("cpu %s %s: mqtt_load %.2f s (%.2f us/msg)", label.c_str(), phase, self,
                messages > 0 ? self * 1e6 / messages : 0);
    if (usage_.has_server()) {
      const double server = usage_.server_s();
      std::printf(", broker %.2f s (%.2f us/msg)", server, messages > 0 ? server * 1e6 / messages : 0);
    }
    std::printf(" in %.2f s wall\n", wall_s);
  }

 private:
  tributary::bench::cpu_usage usage_;
};


bool split_host_port(const std::string& text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data() + colon + 1, end, value);
  if (ec != std::errc{} || ptr != end || value == 0 || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}


// ---- devices and their credentials -------------------------------------------------------------

std::string sha256(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string credentials_json(const device_set& d, std::size_t i) {
  const std::string salt = device_set::salt(i);
  return R"([{"type":"hashed-password","auth-id":")" + d.id(i) +
         R"(","secrets":[{"hash-function":"sha-256","pwd-hash":")" +
         tributary::base64_encode(sha256(salt + device_set::password(i))) + R"(","salt":")" +
         tributary::base64_encode(salt) + R"("}]}])";
}

// One keep-alive HTTP/1.1 connection to the management API, synchronous.
class http_client {
 public:
  http_client(const std::string& host, std::uint16_t port) : socket_(io_) {
    tcp::resolver resolver(io_);
    asio::connect(socket_, resolver.resolve(host, std::to_string(port)));
    socket_.set_option(tcp::no_delay(true));
    host_ = host + ":" + std::to_string(port);
  }
  // The status code and body; throws boost::system::system_error when the connection fails.
  std::pair<unsigned, std::string> request(http::verb verb, const std::string& target, const std::string& body) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, host_);
    req.keep_alive(true);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    return {res.result_int(), res.body()};
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::string host_;
};

struct provision_options {
  std::string registry;
  device_set devices;
  std::size_t count = 100;
  int clients = 8;
};

int provision(const provision_options& opt) {
  std::string host;
  std::uint16_t port = 0;
  if (!split_host_port(opt.registry, host, port)) {
    std::fprintf(stderr, "--registry %s: expected HOST:PORT\n", opt.registry.c_str());
    return exit_usage;
  }
  failure fail;
  const std::int64_t start = monotonic_ns();
  try {
    http_client c(host, port);
    auto [status, body] =
        c.request(http::verb::post, "/v1/tenants/" + opt.devices.tenant, R"({"ext":{"messaging-type":"kafka"}})");
    if (status != 201) {
      std::fprintf(stderr, "POST /v1/tenants/%s: %u %s\n", opt.devices.tenant.c_str(), status, body.c_str());
      return exit_failure;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "management API at %s: %s\n", opt.registry.c_str(), e.what());
    return exit_failure;
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < opt.clients; ++t) {
    threads.emplace_back([&, t] {
      try {
        http_client c(host, port);
        for (std::size_t i = static_cast<std::size_t>(t); i < opt.count && !fail.failed;
             i += static_cast<std::size_t>(opt.clients)) {
          const std::string id = opt.devices.id(i);
          auto [s1, b1] = c.request(http::verb::post, "/v1/devices/" + opt.devices.tenant + "/" + id, "");
          if (s1 != 201)
            return fail.set("POST /v1/devices/" + opt.devices.tenant + "/" + id + ": " + std::to_string(s1) + " " + b1);
          auto [s2, b2] = c.request(http::verb::put, "/v1/credentials/" + opt.devices.tenant + "/" + id,
                                    credentials_json(opt.devices, i));
          if (s2 != 204)
            return fail.set("PUT /v1/credentials/" + opt.devices.tenant + "/" + id + ": " + std::to_string(s2) + " " +
                            b2);
        }
      } catch (const std::exception& e) {
        fail.set(std::string("management API: ") + e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  if (fail.failed) {
    std::fprintf(stderr, "%s\n", fail.first.c_str());
    return exit_failure;
  }
  const double s = seconds_between(start, monotonic_ns());
  std::printf(
      "provision: %zu devices in %.2f s (%.0f devices/s) [tenant %s, devices %s..%s, one sha-256 salted "
      "hashed-password credential each, %d HTTP/1.1 keep-alive connections]\n",
      opt.count, s, per_s(static_cast<double>(opt.count), s), opt.devices.tenant.c_str(), opt.devices.id(0).c_str(),
      opt.devices.id(opt.count - 1).c_str(), opt.clients);
  return 0;
}

// ---- what the consumer checks ------------------------------------------------------------------

// Per phase: every message the consumer sees, from one thread (the Kafka consumer's or the Asio
// thread); the publishers read next[] and delivered from the Asio thread.
class sink_check {
 public:
  sink_check(std::uint32_t phase_id, std::size_t devices, std::size_t payload_size, failure& fail)
      : phase_id_(phase_id), payload_size_(payload_size), next(devices), fail_(fail) {}

  void keep_latency_from(std::int64_t ns) { latency_from_ns_.store(ns, std::memory_order_release); }

  // `device_key`: the record key (Kafka) to check against the payload's device, if any.
  void on_message(const std::uint8_t* p, std::size_t len, std::int64_t now, std::string_view device_key,
                  const std::string& prefix) {
    if (len != payload_size_) return fail_.set("consumer: a message of " + std::to_string(len) + " bytes");
    const std::uint32_t device = get_u32(p + 8);
    const std::uint32_t phase = get_u32(p + 12);
    const std::uint64_t sequence = get_u64(p + 16);
    if (phase != phase_id_) {
      return fail_.set("consumer: a message of phase " + std::to_string(phase) + " during phase " +
                       std::to_string(phase_id_));
    }
    if (device >= next.size()) return fail_.set("consumer: a message of device index " + std::to_string(device));
    if (!device_key.empty()) {
      char buf[32];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, device);
      const std::size_t n = static_cast<std::size_t>(end - buf);
      if (device_key.size() != prefix.size() + n || device_key.substr(0, prefix.size()) != prefix ||
          device_key.substr(prefix.size()) != std::string_view(buf, n)) {
        return fail_.set("consumer: record key " + std::string(device_key) + " for device index " +
                         std::to_string(device));
      }
    }
    const std::uint64_t expected = next[device].load(std::memory_order_relaxed);
    if (sequence < expected) {
      duplicates.fetch_add(1, std::memory_order_relaxed);  // or out of order: both break the guarantees
      return;
    }
    if (sequence > expected) gaps.fetch_add(sequence - expected, std::memory_order_relaxed);
    next[device].store(sequence + 1, std::memory_order_release);
    const auto send_ns = static_cast<std::int64_t>(get_u64(p));
    const std::int64_t from = latency_from_ns_.load(std::memory_order_acquire);
    if (from && send_ns >= from) {
      latency_ns.push_back(now - send_ns);
      if (keep_send_times) this->send_ns.push_back(send_ns);
    }
    if (delivered.fetch_add(1, std::memory_order_relaxed) == 0) first_ns.store(now, std::memory_order_relaxed);
    last_ns.store(now, std::memory_order_relaxed);
  }

  const std::uint32_t phase_id_;
  const std::size_t payload_size_;
  std::vector<std::atomic<std::uint64_t>> next;  // per device: the sequence number expected next
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> gaps{0};        // sequence numbers never seen (lost)
  std::atomic<std::uint64_t> duplicates{0};  // seen again or out of order
  std::atomic<std::int64_t> first_ns{0};
  std::atomic<std::int64_t> last_ns{0};
  std::vector<std::int64_t> latency_ns;  // the consumer thread's until it stops
  bool keep_send_times = false;
  std::vector<std::int64_t> send_ns;  // with keep_send_times, each latency sample's send time

 private:
  std::atomic<std::int64_t> latency_from_ns_{0};  // set by the Asio thread once publishing starts
  failure& fail_;
};

// ---- the Kafka consumer (Tributary) ------------------------------------------------------------

struct handle_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using handle_ptr = std::unique_ptr<rd_kafka_t, handle_deleter>;

bool set(rd_kafka_conf_t* conf, const char* key, const std::string& value) {
  char error[512];
  if (rd_kafka_conf_set(conf, key, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "librdkafka %s=%s: %s\n", key, value.c_str(), error);
    return false;
  }
  return true;
}

// A consumer assigned to every partition of the topic at its current end; run() reads until stop.
class kafka_sink {
 public:
  bool open(const std::string& bootstrap, const std::string& topic, int fetch_wait_max_ms, int timeout_s) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // A group id is required by librdkafka's consumer queue; the group never joins (assign, not
    // subscribe) and commits nothing.
    if (!set(conf, "bootstrap.servers", bootstrap) || !set(conf, "group.id", "mqtt-load") ||
        !set(conf, "enable.auto.commit", "false") || !set(conf, "enable.auto.offset.store", "false") ||
        !set(conf, "fetch.wait.max.ms", std::to_string(fetch_wait_max_ms)) ||
        !set(conf, "allow.auto.create.topics", "true")) {
      rd_kafka_conf_destroy(conf);
      return false;
    }
    char error[512];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    if (!rk) {
      rd_kafka_conf_destroy(conf);
      std::fprintf(stderr, "rd_kafka_new: %s\n", error);
      return false;
    }
    rk_.reset(rk);
    rd_kafka_poll_set_consumer(rk);
    // The Metadata request creates a missing hono.* topic (kafka.auto-create-topics); retried until
    // it reports partitions with leaders.
    int partitions = 0;
    rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    const std::int64_t deadline = monotonic_ns() + static_cast<std::int64_t>(timeout_s) * ns_per_s;
    while (partitions == 0) {
      rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
      const rd_kafka_metadata_t* md = nullptr;
      const auto err = rd_kafka_metadata(rk, 0, t, &md, 5000);
      rd_kafka_topic_destroy(t);
      if (!err) {
        for (int i = 0; i < md->topic_cnt; ++i) {
          if (topic != md->topics[i].topic) continue;
          topic_err = md->topics[i].err;
          if (!topic_err) partitions = md->topics[i].partition_cnt;
        }
        rd_kafka_metadata_destroy(md);
      }
      if (partitions == 0) {
        if (monotonic_ns() > deadline) {
          std::fprintf(stderr, "metadata for %s: no partitions after %d s (%s)\n", topic.c_str(), timeout_s,
                       rd_kafka_err2str(err ? err : topic_err));
          return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    auto* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) {
      std::int64_t low = 0, high = 0;
      const auto e = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, timeout_s * 1000);
      if (e) {
        rd_kafka_topic_partition_list_destroy(list);
        std::fprintf(stderr, "watermarks of %s/%d: %s\n", topic.c_str(), p, rd_kafka_err2str(e));
        return false;
      }
      rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = high;
    }
    const auto err = rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err) {
      std::fprintf(stderr, "assign: %s\n", rd_kafka_err2str(err));
      return false;
    }
    return true;
  }

  // Until `stop`: checks each record; `progress` after every batch that held one.
  void run(sink_check& check, const std::string& prefix, std::atomic<bool>& stop, failure& fail,
           const std::function<void()>& progress) {
    constexpr std::size_t batch_size = 4096;
    std::vector<rd_kafka_message_t*> batch(batch_size);
    rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk_.get());
    while (!stop.load(std::memory_order_relaxed) && !fail.failed.load(std::memory_order_relaxed)) {
      // consume_batch_queue waits for a full batch until its timeout: wait for one message, then
      // take what is already queued.
      rd_kafka_message_t* first = rd_kafka_consumer_poll(rk_.get(), 50);
      if (!first) continue;
      batch[0] = first;
      const ssize_t more = rd_kafka_consume_batch_queue(queue, 0, batch.data() + 1, batch.size() - 1);
      const std::size_t n = 1 + static_cast<std::size_t>(std::max<ssize_t>(more, 0));
      bool any = false;
      for (std::size_t i = 0; i < n; ++i) {
        rd_kafka_message_t* m = batch[i];
        const std::int64_t now = monotonic_ns();
        if (m->err) {
          if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            fail.set(std::string("consume: ") + rd_kafka_message_errstr(m));
        } else {
          const std::string_view key =
              m->key ? std::string_view(static_cast<const char*>(m->key), m->key_len) : std::string_view("(none)");
          check.on_message(static_cast<const std::uint8_t*>(m->payload), m->len, now, key, prefix);
          any = true;
        }
        rd_kafka_message_destroy(m);
      }
      if (any) progress();
    }
    rd_kafka_queue_destroy(queue);
  }

  void close() {
    if (rk_) rd_kafka_consumer_close(rk_.get());
    rk_.reset();
  }

 private:
  handle_ptr rk_;
};

// ---- the MQTT clients and the phases ----------------------------------------------------------

struct run_options {
  std::string label = "broker";
  std::string mqtt;
  device_set devices;
  std::string username_suffix;              // "@bench" for Tributary: username auth-id@tenant
  std::string publish_topic = "telemetry";  // {device} is replaced by the device id
  std::string sink = "kafka";               // kafka | mqtt
  std::string bootstrap;
  std::string kafka_topic;
  std::string subscribe_filter = "#";
  std::string sink_user;
  std::string sink_password;
  std::size_t publishers = 100;
  double seconds = 10;
  double warmup_seconds = 1;
  std::uint32_t window = 16;
  double latency_rate = 20000;
  double latency_seconds = 10;
  std::size_t idle_connections = 15000;
  double idle_hold_seconds = 3;
  std::size_t payload_size = 64;
  std::uint16_t keep_alive = 60;
  std::size_t connect_concurrency = 256;
  int fetch_wait_max_ms = 100;
  int pace_tick_us = 250;    // latency phases: shortest sleep between sends
  std::string latency_dump;  // a file for "phase send_ns latency_ns" lines of the latency phases
  int timeout_s = 30;
  double drain_quiet_seconds = 3;  // QoS 0: no delivery for this long ends the drain (the rest is lost)
  int server_pid = 0;
  std::vector<std::string> phases{"idle", "qos0", "qos1", "latency0", "latency1"};
};

struct conn {
  explicit conn(asio::io_context& io) : sock(io) {}
  enum class state { idle, connecting, connack, subscribing, ready, closing };
  tcp::socket sock;
  std::uint32_t device = 0;
  bool sink = false;
  state st = state::idle;
  std::vector<std::uint8_t> in;
  std::size_t in_used = 0;
  std::vector<std::uint8_t> out, sending;
  bool writing = false;
  std::int64_t last_out_ns = 0;
  // Publishing: an encoded PUBLISH whose packet id and payload are patched per message.
  std::uint16_t next_id = 1, oldest_id = 1;
  std::uint32_t in_flight = 0;            // QoS 1: PUBLISHes awaiting PUBACK
  std::deque<std::int64_t> in_flight_ns;  // and their send times
  std::uint64_t sent = 0;
  std::uint64_t acked = 0;
  std::uint64_t lost_base = 0;  // QoS 0: sequence numbers below are counted lost, not outstanding
  std::int64_t stuck_since_ns = 0;
  std::uint64_t stuck_at = 0;
};

std::uint16_t next_packet_id(std::uint16_t id) { return id == 65535 ? 1 : static_cast<std::uint16_t>(id + 1); }

enum class phase_kind { idle, throughput, paced };

struct phase_result {
  std::uint64_t sent = 0, acked = 0, delivered = 0, gaps = 0, duplicates = 0, stalls = 0;
  std::int64_t start_ns = 0, stop_ns = 0;
  std::int64_t last_ack_ns = 0;
  double connect_s = 0;
};

// One phase on its own io_context: connects its clients, runs, drains, disconnects.
class phase {
 public:
  phase(const run_options& opt, phase_kind kind, int qos, std::uint32_t phase_id, failure& fail)
      : opt_(opt), kind_(kind), qos_(qos), phase_id_(phase_id), fail_(fail), tick_(io_), pace_(io_) {
    std::string host;
    std::uint16_t port = 0;
    split_host_port(opt.mqtt, host, port);
    endpoint_ = tcp::endpoint(asio::ip::make_address(host), port);
  }

  // Connects `count` devices from d0; with `check`, publishes (and for an MQTT sink subscribes).
  bool run(std::size_t count, sink_check* check, kafka_sink* kafka, phase_result& out) {
    check_ = check;
    kafka_ = kafka;
    for (std::size_t i = 0; i < count; ++i) {
      auto c = std::make_unique<conn>(io_);
      c->device = static_cast<std::uint32_t>(i);
      if (kind_ != phase_kind::idle) build_template(*c);
      conns_.push_back(std::move(c));
    }
    std::thread consumer;
    std::atomic<bool> stop_consumer{false};
    if (check_ && opt_.sink == "kafka") {
      consumer = std::thread([this, &stop_consumer] {
        kafka_->run(*check_, opt_.devices.prefix, stop_consumer, fail_, [this] { wake_from_any_thread(); });
      });
    } else if (check_) {
      sink_ = std::make_unique<conn>(io_);
      sink_->sink = true;
      sink_->device = UINT32_MAX;
    }
    connect_start_ns_ = monotonic_ns();
    coarse_now_ns_ = connect_start_ns_;
    last_progress_ns_ = connect_start_ns_;
    if (sink_) start_connect(*sink_);
    connect_more();
    schedule_tick();
    io_.run();
    stop_consumer = true;
    if (consumer.joinable()) consumer.join();
    out = result_;
    if (check_) {
      out.delivered = check_->delivered.load();
      out.gaps = check_->gaps.load();
      out.duplicates = check_->duplicates.load();
    }
    return !fail_.failed;
  }

  // After run(): sends DISCONNECT everywhere and closes once it is written (or after 5 s).
  // QoS 1: PUBLISH→PUBACK times of the messages sent after the warm-up.
  std::vector<std::int64_t>& ack_latency_ns() { return ack_latency_ns_; }

  void disconnect_all() {
    io_.restart();
    done_ = true;
    tick_.cancel();
    pace_.cancel();
    for (auto& c : conns_) disconnect(*c);
    if (sink_) disconnect(*sink_);
    io_.run_for(std::chrono::seconds(5));
    for (auto& c : conns_) close(*c);
    if (sink_) close(*sink_);
  }

 private:
  void fail(std::string message) {
    fail_.set(std::move(message));
    io_.stop();
  }

  void build_template(conn& c) {
    mq::publish_packet p;
    p.qos = qos_ == 1 ? mq::qos::at_least_once : mq::qos::at_most_once;
    p.packet_id = qos_ == 1 ? 1 : 0;
    p.topic = opt_.publish_topic;
    if (const auto at = p.topic.find("{device}"); at != std::string::npos)
      p.topic.replace(at, 8, opt_.devices.id(c.device));
    p.payload.resize(opt_.payload_size);
    for (std::size_t i = header_bytes; i < p.payload.size(); ++i)
      p.payload[i] = static_cast<std::uint8_t>('a' + i % 26);
    mq::bytes encoded;
    if (auto r = mq::encode(p, encoded); !r) return fail("encoding a PUBLISH: " + r.error().message);
    templates_.push_back(std::move(encoded));  // by device index: conns are built in device order
  }

  // ---- connecting

  void connect_more() {
    while (connecting_ < opt_.connect_concurrency && next_connect_ < conns_.size()) {
      start_connect(*conns_[next_connect_++]);
    }
  }

  void start_connect(conn& c) {
    ++connecting_;
    c.st = conn::state::connecting;
    c.sock.async_connect(endpoint_, [this, &c](const boost::system::error_code& ec) {
      if (ec) return fail("connect " + who(c) + ": " + ec.message());
      boost::system::error_code ignored;
      c.sock.set_option(tcp::no_delay(true), ignored);
      mq::connect_packet p;
      p.keep_alive = opt_.keep_alive;
      if (c.sink) {
        p.client_id = "mqtt-load-sink";
        if (!opt_.sink_user.empty()) {
          p.username = opt_.sink_user;
          p.password = mq::bytes(opt_.sink_password.begin(), opt_.sink_password.end());
        }
      } else {
        p.client_id = opt_.devices.id(c.device);
        p.username = p.client_id + opt_.username_suffix;
        const std::string pw = device_set::password(c.device);
        p.password = mq::bytes(pw.begin(), pw.end());
      }
      c.in.resize(c.sink ? 1 << 18 : (kind_ == phase_kind::idle ? 64 : 4096));
      c.st = conn::state::connack;
      queue(c, p);
      read(c);
    });
  }

  void on_connack(conn& c, const mq::connack_packet& a) {
    if (a.return_code != mq::connect_return_code::accepted) {
      return fail(who(c) + " refused: CONNACK code " + std::to_string(static_cast<int>(a.return_code)));
    }
    --connecting_;
    last_progress_ns_ = monotonic_ns();
    if (c.sink) {
      mq::subscribe_packet s;
      s.packet_id = 1;
      s.subscriptions.push_back({opt_.subscribe_filter, qos_ == 1 ? mq::qos::at_least_once : mq::qos::at_most_once});
      c.st = conn::state::subscribing;
      queue(c, s);
      return;
    }
    c.st = conn::state::ready;
    ++connected_;
    connect_more();
    maybe_start();
  }

  void on_suback(conn& c, const mq::suback_packet& s) {
    if (s.return_codes.size() != 1 || s.return_codes[0] == mq::suback_return_code::failure) {
      return fail(who(c) + ": SUBSCRIBE " + opt_.subscribe_filter + " refused");
    }
    c.st = conn::state::ready;
    sink_ready_ = true;
    maybe_start();
  }

  void maybe_start() {
    if (started_ || connected_ < conns_.size() || (sink_ && !sink_ready_)) return;
    started_ = true;
    const std::int64_t now = monotonic_ns();
    result_.connect_s = seconds_between(connect_start_ns_, now);
    result_.start_ns = now;
    last_progress_ns_ = now;
    if (kind_ == phase_kind::idle) {
      io_.stop();  // the caller measures, then disconnects
      return;
    }
    running_ = true;
    warm_until_ns_ = now + static_cast<std::int64_t>(opt_.warmup_seconds * 1e9);
    if (kind_ == phase_kind::paced) {
      check_->keep_latency_from(warm_until_ns_);
      paced_total_ = static_cast<std::uint64_t>(opt_.latency_rate * (opt_.warmup_seconds + opt_.latency_seconds));
      stop_at_ns_ = 0;
      pace();
    } else {
      check_->keep_latency_from(warm_until_ns_);
      stop_at_ns_ = now + static_cast<std::int64_t>(opt_.seconds * 1e9);
      for (auto& c : conns_) pump(*c, now);
    }
  }

  // ---- I/O

  void queue(conn& c, const mq::packet& p) {
    if (auto r = mq::encode(p, c.out); !r) return fail("encoding: " + r.error().message);
    send(c);
  }

  void send(conn& c) {
    if (c.writing || c.out.empty()) return;
    c.writing = true;
    c.sending.swap(c.out);
    c.out.clear();
    c.last_out_ns = coarse_now_ns_;
    asio::async_write(c.sock, asio::buffer(c.sending), [this, &c](const boost::system::error_code& ec, std::size_t) {
      c.writing = false;
      c.sending.clear();
      if (ec) {
        if (c.st == conn::state::closing) return;
        return fail("writing to " + who(c) + ": " + ec.message());
      }
      if (c.st == conn::state::closing && c.out.empty()) return close(c);
      send(c);
    });
  }

  void read(conn& c) {
    if (c.in_used == c.in.size()) c.in.resize(c.in.size() * 2);
    c.sock.async_read_some(asio::buffer(c.in.data() + c.in_used, c.in.size() - c.in_used),
                           [this, &c](const boost::system::error_code& ec, std::size_t n) {
                             if (ec) {
                               if (c.st == conn::state::closing || ec == asio::error::operation_aborted) return;
                               return fail("the broker closed the connection of " + who(c) + " (" + ec.message() + ")");
                             }
                             c.in_used += n;
                             if (!handle_input(c)) return;
                             read(c);
                           });
  }

  bool handle_input(conn& c) {
    std::size_t at = 0;
    const std::int64_t now = monotonic_ns();
    bool delivered = false;
    while (at < c.in_used) {
      if (c.sink) {
        const int publish = sink_publish(c, at, now);
        if (publish < 0) return false;
        if (publish == 0) break;
        if (publish == 1) {
          delivered = true;
          continue;
        }
      }
      auto decoded = mq::decode(std::span<const std::uint8_t>(c.in.data() + at, c.in_used - at));
      if (!decoded) {
        fail("malformed packet from the broker to " + who(c) + ": " + decoded.error().message);
        return false;
      }
      if (!*decoded) break;
      at += (*decoded)->size;
      auto& p = (*decoded)->packet;
      if (auto* ack = std::get_if<mq::puback_packet>(&p)) {
        if (c.sink || qos_ != 1 || c.in_flight == 0 || ack->packet_id != c.oldest_id) {
          fail(who(c) + ": PUBACK " + std::to_string(ack->packet_id) + " while expecting " +
               (c.in_flight ? std::to_string(c.oldest_id) : std::string("none")) + " (out of order or unexpected)");
          return false;
        }
        c.oldest_id = next_packet_id(c.oldest_id);
        --c.in_flight;
        if (c.in_flight_ns.front() >= warm_until_ns_) ack_latency_ns_.push_back(now - c.in_flight_ns.front());
        c.in_flight_ns.pop_front();
        ++c.acked;
        ++acked_;
        result_.last_ack_ns = now;
      } else if (auto* pub = std::get_if<mq::publish_packet>(&p)) {
        if (!c.sink) {
          fail(who(c) + ": an unexpected PUBLISH on " + pub->topic);
          return false;
        }
        check_->on_message(pub->payload.data(), pub->payload.size(), now, {}, opt_.devices.prefix);
        if (pub->qos == mq::qos::at_least_once) {
          if (auto r = mq::encode(mq::puback_packet{pub->packet_id}, c.out); !r) {
            fail("encoding a PUBACK: " + r.error().message);
            return false;
          }
        }
        delivered = true;
      } else if (auto* connack = std::get_if<mq::connack_packet>(&p)) {
        if (c.st != conn::state::connack) {
          fail(who(c) + ": an unexpected CONNACK");
          return false;
        }
        on_connack(c, *connack);
      } else if (auto* suback = std::get_if<mq::suback_packet>(&p)) {
        if (c.st != conn::state::subscribing) {
          fail(who(c) + ": an unexpected SUBACK");
          return false;
        }
        on_suback(c, *suback);
      } else if (std::holds_alternative<mq::pingresp_packet>(p)) {
      } else {
        fail(who(c) + ": an unexpected " + std::string(mq::to_string(mq::type_of(p))));
        return false;
      }
      if (fail_.failed) return false;
    }
    if (at > 0) {
      std::memmove(c.in.data(), c.in.data() + at, c.in_used - at);
      c.in_used -= at;
    }
    if (c.sink) {
      send(c);  // the PUBACKs
      if (delivered) wake();
    } else if (qos_ == 1 && kind_ == phase_kind::throughput) {
      pump(c, now);
    }
    return true;
  }

  // The subscriber's PUBLISHes, the bulk of what it reads, without decode's copies of topic and
  // payload: the fixed header through the codec, then the variable header by hand [MQTT-3.3.2].
  // 1: one consumed at `at`; 0: incomplete; 2: another packet type (for decode); -1: failed.
  int sink_publish(conn& c, std::size_t& at, std::int64_t now) {
    const std::span<const std::uint8_t> bytes(c.in.data() + at, c.in_used - at);
    auto header = mq::decode_fixed_header(bytes);
    if (!header) {
      fail("malformed packet from the broker to " + who(c) + ": " + header.error().message);
      return -1;
    }
    if (!*header) return 0;
    const mq::fixed_header& h = **header;
    if (h.type != mq::packet_type::publish) return 2;
    if (bytes.size() < h.packet_size()) return 0;
    const std::uint8_t* body = bytes.data() + h.header_size;
    const auto qos = (h.flags >> 1) & 3;
    std::size_t pos = 2 + (h.remaining_length >= 2 ? (std::size_t{body[0]} << 8 | body[1]) : 0);
    std::uint16_t id = 0;
    if (qos > 0) {
      if (pos + 2 <= h.remaining_length) id = static_cast<std::uint16_t>(body[pos] << 8 | body[pos + 1]);
      pos += 2;
    }
    if (h.remaining_length < 2 || pos > h.remaining_length || (qos > 0 && id == 0)) {
      fail("malformed PUBLISH from the broker to " + who(c));
      return -1;
    }
    check_->on_message(body + pos, h.remaining_length - pos, now, {}, opt_.devices.prefix);
    if (qos == 1) {
      const std::uint8_t puback[] = {0x40, 0x02, static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)};
      c.out.insert(c.out.end(), std::begin(puback), std::end(puback));
    }
    at += h.packet_size();
    return 1;
  }

  void disconnect(conn& c) {
    if (c.st == conn::state::idle || c.st == conn::state::closing || !c.sock.is_open()) return;
    const bool was_writing = c.writing;
    if (auto r = mq::encode(mq::disconnect_packet{}, c.out); !r) return;
    c.st = conn::state::closing;
    if (!was_writing) send(c);
  }

  void close(conn& c) {
    boost::system::error_code ignored;
    c.sock.shutdown(tcp::socket::shutdown_both, ignored);
    c.sock.close(ignored);
  }

  // ---- publishing

  // Appends one PUBLISH of c's next sequence number, sent (or due) at `send_ns`.
  void publish(conn& c, std::int64_t send_ns) {
    const mq::bytes& t = templates_[c.device];
    const std::size_t base = c.out.size();
    c.out.insert(c.out.end(), t.begin(), t.end());
    std::uint8_t* payload = c.out.data() + base + t.size() - opt_.payload_size;
    if (qos_ == 1) {
      const std::uint16_t id = c.next_id;
      c.next_id = next_packet_id(id);
      payload[-2] = static_cast<std::uint8_t>(id >> 8);
      payload[-1] = static_cast<std::uint8_t>(id & 0xff);
      ++c.in_flight;
      c.in_flight_ns.push_back(send_ns);
    }
    put_u64(payload, static_cast<std::uint64_t>(send_ns));
    put_u32(payload + 8, c.device);
    put_u32(payload + 12, phase_id_);
    put_u64(payload + 16, c.sent);
    ++c.sent;
    ++sent_;
  }

  std::uint64_t outstanding_qos0(const conn& c) const {
    const std::uint64_t seen = std::max(check_->next[c.device].load(std::memory_order_acquire), c.lost_base);
    return c.sent > seen ? c.sent - seen : 0;
  }

  // Throughput: fills c's window.
  void pump(conn& c, std::int64_t now) {
    if (!running_ || c.st != conn::state::ready) return;
    if (qos_ == 1) {
      while (c.in_flight < opt_.window) publish(c, now);
    } else {
      // Refilled once half the window is free, so that a consumer that reports a few messages at
      // a time does not cost a write per message.
      std::uint64_t o = outstanding_qos0(c);
      if (o > opt_.window / 2) return;
      for (; o < opt_.window; ++o) publish(c, now);
    }
    send(c);
  }

  // The consumer made progress: QoS 0 windows may have room again.
  void wake() {
    const std::int64_t now = monotonic_ns();
    last_progress_ns_ = now;
    if (qos_ == 0 && kind_ == phase_kind::throughput && running_) {
      for (auto& c : conns_) pump(*c, now);
    }
  }

  void wake_from_any_thread() {
    if (!wake_pending_.exchange(true)) {
      asio::post(io_, [this] {
        wake_pending_ = false;
        wake();
      });
    }
  }

  // Latency: sends everything due by now round-robin, each stamped when it is written (a timer per
  // message costs the generator more CPU than the broker spends on it), then sleeps until the next
  // is due, at least pace_tick.
  void pace() {
    const std::int64_t now = monotonic_ns();
    const auto due = std::min<std::uint64_t>(
        paced_total_,
        static_cast<std::uint64_t>(static_cast<double>(now - result_.start_ns) * opt_.latency_rate / 1e9) + 1);
    while (paced_sent_ < due) {
      const std::uint64_t k = paced_sent_++;
      conn& c = *conns_[k % conns_.size()];
      publish(c, monotonic_ns());
      send(c);
    }
    if (paced_sent_ < paced_total_) {
      const std::int64_t next_due =
          result_.start_ns + static_cast<std::int64_t>(static_cast<double>(paced_sent_) * 1e9 / opt_.latency_rate);
      pace_.expires_at(at_ns(std::max(next_due, now + static_cast<std::int64_t>(opt_.pace_tick_us) * 1000)));
      pace_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) pace();
      });
    } else {
      stop_publishing(monotonic_ns());
    }
  }

  void stop_publishing(std::int64_t now) {
    running_ = false;
    result_.stop_ns = now;
    last_progress_ns_ = now;
  }

  // ---- the clock: warm-up, end of publishing, drain, stalls, keep-alive, timeouts

  void schedule_tick() {
    tick_.expires_after(std::chrono::milliseconds(10));
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      if (fail_.failed) return io_.stop();  // perhaps set by the Kafka consumer's thread
      on_tick();
      if (!done_ && !fail_.failed) schedule_tick();
    });
  }

  void on_tick() {
    const std::int64_t now = monotonic_ns();
    coarse_now_ns_ = now;
    const std::int64_t timeout = static_cast<std::int64_t>(opt_.timeout_s) * ns_per_s;
    if (check_ && check_->delivered.load() != last_delivered_) {
      last_delivered_ = check_->delivered.load();
      last_progress_ns_ = now;
    }
    if (acked_ != last_acked_) {
      last_acked_ = acked_;
      last_progress_ns_ = now;
    }
    if (!started_) {
      if (now - last_progress_ns_ > timeout) {
        fail("connecting: " + std::to_string(connected_) + " of " + std::to_string(conns_.size()) +
             " devices connected, " + "nothing new for " + std::to_string(opt_.timeout_s) + " s");
      }
      return;
    }
    if (now - last_ping_check_ns_ > ns_per_s) {
      last_ping_check_ns_ = now;
      keep_alive(now);
    }
    if (kind_ == phase_kind::idle) return;
    if (running_ && kind_ == phase_kind::throughput) {
      if (now >= stop_at_ns_) {
        stop_publishing(now);
      } else if (qos_ == 0) {
        unstick(now);
      }
    }
    if (running_) {
      if (now - last_progress_ns_ > timeout)
        fail("publishing: nothing delivered or acknowledged for " + std::to_string(opt_.timeout_s) + " s");
      return;
    }
    // Draining.
    const std::uint64_t delivered = check_->delivered.load();
    const std::uint64_t lost = check_->gaps.load();
    if (qos_ == 1) {
      if (acked_ == sent_ && delivered + check_->duplicates.load() >= sent_) return finish();
      if (now - last_progress_ns_ > timeout) {
        fail("draining QoS 1: " + std::to_string(acked_) + " of " + std::to_string(sent_) + " PUBACKed, " +
             std::to_string(delivered) + " delivered, nothing more for " + std::to_string(opt_.timeout_s) + " s");
      }
    } else {
      if (delivered + lost >= sent_) {
        // Lost ones in the middle are known; any at the tail show as missing after the quiet time.
        if (delivered + lost == sent_ && tail_complete()) return finish();
      }
      if (now - last_progress_ns_ > static_cast<std::int64_t>(opt_.drain_quiet_seconds * 1e9)) return finish();
    }
  }

  bool tail_complete() const {
    for (const auto& c : conns_) {
      if (check_->next[c->device].load() != c->sent) return false;
    }
    return true;
  }

  // QoS 0: a window that waits for a message the broker dropped would wait forever; after 1 s
  // without the consumer seeing anything of that device, its outstanding ones count as lost.
  void unstick(std::int64_t now) {
    for (auto& cp : conns_) {
      conn& c = *cp;
      if (outstanding_qos0(c) < opt_.window) {
        c.stuck_since_ns = 0;
        continue;
      }
      const std::uint64_t seen = check_->next[c.device].load();
      if (c.stuck_since_ns == 0 || seen != c.stuck_at) {
        c.stuck_since_ns = now;
        c.stuck_at = seen;
      } else if (now - c.stuck_since_ns > ns_per_s) {
        c.lost_base = c.sent;
        c.stuck_since_ns = 0;
        ++result_.stalls;
        pump(c, now);
      }
    }
  }

  void keep_alive(std::int64_t now) {
    if (opt_.keep_alive == 0) return;
    const std::int64_t half = static_cast<std::int64_t>(opt_.keep_alive) * ns_per_s / 2;
    auto ping = [&](conn& c) {
      if (c.st == conn::state::ready && now - c.last_out_ns > half) queue(c, mq::pingreq_packet{});
    };
    for (auto& c : conns_) ping(*c);
    if (sink_) ping(*sink_);
  }

  void finish() {
    done_ = true;
    result_.sent = sent_;
    result_.acked = acked_;
    io_.stop();
  }

  std::string who(const conn& c) const {
    return c.sink ? std::string("the subscriber") : "device " + opt_.devices.id(c.device);
  }

  const run_options& opt_;
  const phase_kind kind_;
  const int qos_;
  const std::uint32_t phase_id_;
  failure& fail_;
  asio::io_context io_;
  asio::steady_timer tick_;
  asio::steady_timer pace_;
  tcp::endpoint endpoint_;
  std::vector<std::unique_ptr<conn>> conns_;
  std::unique_ptr<conn> sink_;
  std::vector<mq::bytes> templates_;  // each device's PUBLISH (its topic may name it)
  sink_check* check_ = nullptr;
  kafka_sink* kafka_ = nullptr;
  std::atomic<bool> wake_pending_{false};
  std::size_t connecting_ = 0, connected_ = 0, next_connect_ = 0;
  bool sink_ready_ = false, started_ = false, running_ = false, done_ = false;
  std::int64_t coarse_now_ns_ = 0;  // the clock at the last tick: for keep-alive, not for figures
  std::int64_t connect_start_ns_ = 0, last_progress_ns_ = 0, warm_until_ns_ = 0, stop_at_ns_ = 0,
               last_ping_check_ns_ = 0;
  std::uint64_t sent_ = 0, acked_ = 0, last_delivered_ = 0, last_acked_ = 0;
  std::uint64_t paced_total_ = 0, paced_sent_ = 0;
  phase_result result_;
  std::vector<std::int64_t> ack_latency_ns_;
};

// ---- run: the phases against one broker ------------------------------------------------------

int run_idle(const run_options& opt, failure& fail) {
  const long before = status_kib(opt.server_pid, "VmRSS");
  const double cpu_before = opt.server_pid ? cpu_seconds(opt.server_pid) : 0;
  phase p(opt, phase_kind::idle, 0, 0, fail);
  phase_result r;
  if (!p.run(opt.idle_connections, nullptr, nullptr, r)) return exit_failure;
  const double connect_cpu = opt.server_pid ? cpu_seconds(opt.server_pid) - cpu_before : 0;
  std::this_thread::sleep_for(std::chrono::duration<double>(opt.idle_hold_seconds));
  const long after = status_kib(opt.server_pid, "VmRSS");
  const long self = status_kib(0, "VmRSS");
  const std::int64_t close_start = monotonic_ns();
  p.disconnect_all();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const long closed = status_kib(opt.server_pid, "VmRSS");
  if (before < 0 || after < 0) {
    std::fprintf(stderr, "cannot read VmRSS of process %d\n", opt.server_pid);
    return exit_failure;
  }
  const double per_conn = static_cast<double>(after - before) * 1024.0 / static_cast<double>(opt.idle_connections);
  std::printf(
      "%s idle: %.0f bytes/connection [%zu connections (CONNECT + CONNACK, keep-alive %u s), broker VmRSS %ld KiB "
      "before, %ld KiB with them connected for %.1f s, %ld KiB %.1f s after they disconnected; connected in "
      "%.2f s (%.0f connections/s, broker CPU %.2f s); mqtt_load VmRSS %ld KiB]\n",
      opt.label.c_str(), per_conn, opt.idle_connections, opt.keep_alive, before, after, opt.idle_hold_seconds, closed,
      seconds_between(close_start, monotonic_ns()), r.connect_s,
      per_s(static_cast<double>(opt.idle_connections), r.connect_s), connect_cpu, self);
  std::fflush(stdout);
  return 0;
}

int run_publishing(const run_options& opt, const char* name, phase_kind kind, int qos, std::uint32_t phase_id,
                   failure& fail) {
  sink_check check(phase_id, opt.publishers, opt.payload_size, fail);
  check.keep_send_times = !opt.latency_dump.empty();
  kafka_sink kafka;
  if (opt.sink == "kafka" && !kafka.open(opt.bootstrap, opt.kafka_topic, opt.fetch_wait_max_ms, opt.timeout_s)) {
    return exit_failure;
  }
  const cpu_meter cpu(opt.server_pid);
  phase p(opt, kind, qos, phase_id, fail);
  phase_result r;
  const bool ok = p.run(opt.publishers, &check, opt.sink == "kafka" ? &kafka : nullptr, r);
  const std::int64_t end_ns = monotonic_ns();
  p.disconnect_all();
  kafka.close();
  if (!ok) return exit_failure;
  // From the first publish to the last delivery (or PUBACK, or send): the drain after publishing
  // stops counts, so a consumer that lags shows.
  const double publish_s = seconds_between(r.start_ns, r.stop_ns);
  const double delivery_s = seconds_between(r.start_ns, check.last_ns.load());
  const double ack_s = seconds_between(r.start_ns, r.last_ack_ns);
  const double delivered_rate = per_s(static_cast<double>(r.delivered), delivery_s);
  const double ack_rate = per_s(static_cast<double>(r.acked), ack_s);
  const double sent_rate = per_s(static_cast<double>(r.sent), publish_s);
  if (!opt.latency_dump.empty()) {
    if (std::FILE* f = std::fopen(opt.latency_dump.c_str(), "a")) {
      for (std::size_t i = 0; i < check.latency_ns.size(); ++i) {
        std::fprintf(f, "%s %s %lld %lld\n", opt.label.c_str(), name,
                     static_cast<long long>(check.send_ns[i] - r.start_ns),
                     static_cast<long long>(check.latency_ns[i]));
      }
      std::fclose(f);
    }
  }
  std::vector<std::int64_t>& lat = check.latency_ns;
  const double p50 = percentile(lat, 0.50) / 1e6, p99 = percentile(lat, 0.99) / 1e6,
               p999 = percentile(lat, 0.999) / 1e6;
  const double max = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end()) / 1e6;
  const char* consumer = opt.sink == "kafka" ? "Kafka consumer" : "subscriber";
  std::vector<std::int64_t>& ack_lat = p.ack_latency_ns();
  const double ack_p50 = percentile(ack_lat, 0.50) / 1e6, ack_p99 = percentile(ack_lat, 0.99) / 1e6;
  if (kind == phase_kind::throughput) {
    std::printf("%s qos%d throughput: %.0f msgs/s delivered, ", opt.label.c_str(), qos, delivered_rate);
    if (qos == 1)
      std::printf("%.0f PUBACKs/s", ack_rate);
    else
      std::printf("- PUBACKs/s");
    std::printf(" [%llu sent in %.2f s (%.0f msgs/s); %llu delivered (%.3f%%) %.2f s after the first publish",
                static_cast<unsigned long long>(r.sent), publish_s, sent_rate,
                static_cast<unsigned long long>(r.delivered),
                r.sent ? 100.0 * static_cast<double>(r.delivered) / static_cast<double>(r.sent) : 0.0, delivery_s);
    if (qos == 1) {
      std::printf(", %llu PUBACKs in %.2f s (PUBLISH→PUBACK p50 %.2f ms p99 %.2f ms)",
                  static_cast<unsigned long long>(r.acked), ack_s, ack_p50, ack_p99);
    }
    std::printf(
        "; %llu lost, %llu duplicate/out of order; %zu devices, window %u %s per device; %s latency after "
        "%.1f s: p50 %.2f ms p99 %.2f ms]\n",
        static_cast<unsigned long long>(r.gaps), static_cast<unsigned long long>(r.duplicates), opt.publishers,
        opt.window, qos == 1 ? "awaiting PUBACK" : "not yet consumed", consumer, opt.warmup_seconds, p50, p99);
    if (r.stalls)
      std::printf("%s qos%d: %llu window stalls of 1 s (messages the broker dropped)\n", opt.label.c_str(), qos,
                  static_cast<unsigned long long>(r.stalls));
  } else {
    std::printf(
        "%s qos%d latency at %.0f msgs/s: p50 %.3f ms p99 %.3f ms [p99.9 %.3f ms, max %.3f ms, %zu samples after a "
        "%.1f s warm-up; %llu sent in %.2f s (%.0f msgs/s), %llu delivered, %llu lost, %llu duplicate/out of order; "
        "publish (written) to %s",
        opt.label.c_str(), qos, opt.latency_rate, p50, p99, p999, max, lat.size(), opt.warmup_seconds,
        static_cast<unsigned long long>(r.sent), seconds_between(r.start_ns, r.stop_ns),
        per_s(static_cast<double>(r.sent), seconds_between(r.start_ns, r.stop_ns)),
        static_cast<unsigned long long>(r.delivered), static_cast<unsigned long long>(r.gaps),
        static_cast<unsigned long long>(r.duplicates), consumer);
    if (qos == 1) std::printf("; PUBLISH→PUBACK p50 %.3f ms p99 %.3f ms", ack_p50, ack_p99);
    std::printf("]\n");
  }
  cpu.print(opt.label, name, static_cast<double>(r.sent), seconds_between(r.start_ns, end_ns));
  std::fflush(stdout);
  // What must hold whatever the figures: QoS 1 delivers everything acknowledged, nothing twice.
  if (r.duplicates) {
    std::fprintf(stderr, "%s %s: %llu message(s) delivered twice or out of order\n", opt.label.c_str(), name,
                 static_cast<unsigned long long>(r.duplicates));
    return exit_failure;
  }
  if (qos == 1 && (r.gaps || r.delivered < r.acked)) {
    std::fprintf(stderr, "%s %s: %llu PUBACKed, %llu delivered, %llu lost\n", opt.label.c_str(), name,
                 static_cast<unsigned long long>(r.acked), static_cast<unsigned long long>(r.delivered),
                 static_cast<unsigned long long>(r.gaps));
    return exit_failure;
  }
  return 0;
}

int run(const run_options& opt) {
  std::string host;
  std::uint16_t port = 0;
  if (!split_host_port(opt.mqtt, host, port)) {
    std::fprintf(stderr, "--mqtt %s: expected HOST:PORT\n", opt.mqtt.c_str());
    return exit_usage;
  }
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) {
    std::fprintf(stderr, "--mqtt %s: the host must be an IP address\n", opt.mqtt.c_str());
    return exit_usage;
  }
  if (opt.sink == "kafka" && (opt.bootstrap.empty() || opt.kafka_topic.empty())) {
    std::fprintf(stderr, "--sink kafka needs --bootstrap and --kafka-topic\n");
    return exit_usage;
  }
  if (opt.payload_size < header_bytes) {
    std::fprintf(stderr, "--payload-size must be at least %zu\n", header_bytes);
    return exit_usage;
  }
  std::printf(
      "%s setup: MQTT %s, %zu publishing devices, %zu idle connections, %zu-byte payloads to '%s', consumer %s%s%s; "
      "librdkafka %s\n",
      opt.label.c_str(), opt.mqtt.c_str(), opt.publishers, opt.idle_connections, opt.payload_size,
      opt.publish_topic.c_str(), opt.sink == "kafka" ? "Kafka " : "MQTT subscriber on ",
      opt.sink == "kafka" ? opt.kafka_topic.c_str() : opt.subscribe_filter.c_str(),
      opt.sink == "kafka" ? (" at " + opt.bootstrap).c_str() : "", rd_kafka_version_str());
  std::fflush(stdout);
  failure fail;
  // Phase ids distinguish the phases' messages; random so a rerun against the same data differs too.
  std::uint32_t phase_id = std::random_device{}() & 0x7fff0000u;
  for (const auto& name : opt.phases) {
    ++phase_id;
    int rc = 0;
    if (name == "idle")
      rc = opt.idle_connections ? run_idle(opt, fail) : 0;
    else if (name == "qos0")
      rc = run_publishing(opt, "qos0", phase_kind::throughput, 0, phase_id, fail);
    else if (name == "qos1")
      rc = run_publishing(opt, "qos1", phase_kind::throughput, 1, phase_id, fail);
    else if (name == "latency0")
      rc = run_publishing(opt, "latency0", phase_kind::paced, 0, phase_id, fail);
    else if (name == "latency1")
      rc = run_publishing(opt, "latency1", phase_kind::paced, 1, phase_id, fail);
    else {
      std::fprintf(stderr, "unknown phase %s\n", name.c_str());
      return exit_usage;
    }
    if (rc != 0) {
      if (fail.failed) std::fprintf(stderr, "%s %s: %s\n", opt.label.c_str(), name.c_str(), fail.first.c_str());
      return rc;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "MQTT load generator of bench/mqtt: provisions devices, prints their passwords, or runs idle, "
      "throughput and latency phases against a broker with a Kafka consumer or an MQTT subscriber counting.",
      "mqtt_load"};
  app.require_subcommand(1);

  provision_options prov;
  auto* p = app.add_subcommand("provision", "Create a tenant and devices with sha-256 hashed-password credentials");
  p->add_option("--registry", prov.registry, "Management API address, HOST:PORT")->required();
  p->add_option("--tenant", prov.devices.tenant, "Tenant to create")->capture_default_str();
  p->add_option("--prefix", prov.devices.prefix, "Device ids and auth-ids: PREFIX0..PREFIXN-1")->capture_default_str();
  p->add_option("--devices", prov.count, "Devices to create")->check(CLI::Range(1, 10000000))->capture_default_str();
  p->add_option("--clients", prov.clients, "Concurrent HTTP connections")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();

  device_set pw_devices;
  std::size_t pw_count = 100;
  std::string pw_sink_user, pw_sink_password;
  auto* w = app.add_subcommand("passwords", "Print user:password lines of the devices (mosquitto_passwd -U input)");
  w->add_option("--prefix", pw_devices.prefix, "Device ids")->capture_default_str();
  w->add_option("--devices", pw_count, "Devices")->check(CLI::Range(1, 10000000))->capture_default_str();
  w->add_option("--sink-user", pw_sink_user, "One more user, for the subscriber");
  w->add_option("--sink-password", pw_sink_password, "Its password");

  run_options opt;
  std::vector<std::string> phases;
  auto* r = app.add_subcommand("run", "Run the phases against one broker");
  r->add_option("--label", opt.label, "Name at the start of every result line")->capture_default_str();
  r->add_option("--mqtt", opt.mqtt, "Broker MQTT address, IP:PORT")->required();
  r->add_option("--tenant", opt.devices.tenant, "Tenant of the devices")->capture_default_str();
  r->add_option("--prefix", opt.devices.prefix, "Device ids")->capture_default_str();
  r->add_option("--username-suffix", opt.username_suffix, "Appended to the device id for the username (e.g. @bench)");
  r->add_option("--publish-topic", opt.publish_topic, "Topic of the publishes; {device} is replaced")
      ->capture_default_str();
  r->add_option("--sink", opt.sink, "Who counts the messages")
      ->check(CLI::IsMember({"kafka", "mqtt"}))
      ->capture_default_str();
  r->add_option("--bootstrap", opt.bootstrap, "Kafka bootstrap server (--sink kafka)");
  r->add_option("--kafka-topic", opt.kafka_topic, "Topic the consumer reads (--sink kafka)");
  r->add_option("--subscribe-filter", opt.subscribe_filter, "Topic filter of the subscriber (--sink mqtt)")
      ->capture_default_str();
  r->add_option("--sink-user", opt.sink_user, "Subscriber username (--sink mqtt)");
  r->add_option("--sink-password", opt.sink_password, "Subscriber password");
  r->add_option("--publishers", opt.publishers, "Publishing devices (d0..)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  r->add_option("--seconds", opt.seconds, "Seconds of publishing in each throughput phase")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  r->add_option("--warmup", opt.warmup_seconds,
                "Seconds before latency samples count; latency phases publish this much longer")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  r->add_option("--window", opt.window, "Per device: QoS 1 PUBLISHes awaiting PUBACK; QoS 0 messages not yet consumed")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  r->add_option("--latency-rate", opt.latency_rate, "Total msgs/s of the latency phases")
      ->check(CLI::Range(1.0, 1e7))
      ->capture_default_str();
  r->add_option("--latency-seconds", opt.latency_seconds, "Measured seconds of each latency phase")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  r->add_option("--idle-connections", opt.idle_connections, "Devices connected in the idle phase (d0..)")
      ->capture_default_str();
  r->add_option("--idle-hold", opt.idle_hold_seconds, "Seconds they stay connected before the RSS is read")
      ->capture_default_str();
  r->add_option("--payload-size", opt.payload_size, "Payload bytes of each PUBLISH")
      ->check(CLI::Range(header_bytes, std::size_t{65535}))
      ->capture_default_str();
  r->add_option("--keep-alive", opt.keep_alive, "CONNECT keep-alive seconds (PINGREQ at half of it when quiet)")
      ->capture_default_str();
  r->add_option("--connect-concurrency", opt.connect_concurrency, "CONNECTs awaiting CONNACK at once")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  r->add_option("--pace-tick-us", opt.pace_tick_us, "Latency phases: shortest sleep between sends, microseconds")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  r->add_option("--latency-dump", opt.latency_dump,
                "Append each latency sample (phase, send ns, latency ns) to this file");
  r->add_option("--fetch-wait-max-ms", opt.fetch_wait_max_ms, "Kafka consumer fetch.wait.max.ms")
      ->capture_default_str();
  r->add_option("--timeout", opt.timeout_s, "Seconds without progress before a phase fails")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  r->add_option("--server-pid", opt.server_pid, "Broker process id: its RSS (idle phase) and CPU time")->required();
  r->add_option("--phases", phases, "Phases in order: idle, qos0, qos1, latency0, latency1")->delimiter(',');

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage;
  }
  if (*p) return provision(prov);
  if (*w) {
    for (std::size_t i = 0; i < pw_count; ++i)
      std::printf("%s:%s\n", pw_devices.id(i).c_str(), device_set::password(i).c_str());
    if (!pw_sink_user.empty()) std::printf("%s:%s\n", pw_sink_user.c_str(), pw_sink_password.c_str());
    return 0;
  }
  if (!phases.empty()) opt.phases = phases;
  return run(opt);
}
