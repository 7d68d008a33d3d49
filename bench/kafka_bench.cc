// kafka_bench: produces fixed-size records to an existing topic of a running broker with a
// librdkafka producer (acks=all, linger.ms=5, no idempotence, no compression) while a librdkafka
// consumer in a second thread tails every partition, then reads the whole run again with a fresh
// consumer, then (optionally) repeats the produce/tail pair at a fixed rate for latency below
// saturation. The tail runs concurrently because produce→consume latency only means something
// while records are still being produced; consume throughput comes from the separate catch-up
// read because a tailing consumer can only ever show the producer's rate. Each value starts with
// its send time (CLOCK_MONOTONIC ns; producer and consumer share the process) and a sequence
// number, so every record is checked to arrive exactly once, on its partition, at consecutive
// offsets. Prints one line per result, MB = 10^6 payload bytes, which bench/kafka parses. A
// benchmark, never a test: not in ctest.
#include <librdkafka/rdkafka.h>

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "bench_support.h"

namespace {

using tributary::bench::failure;
using tributary::bench::monotonic_ns;
using tributary::bench::per_s;
using tributary::bench::percentile;
using tributary::bench::seconds_between;

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
constexpr std::size_t header_bytes = 16;  // send time ns, sequence number (both little-endian u64)
constexpr std::size_t consume_batch = 4096;

struct options {
  std::string bootstrap;
  std::string topic;
  std::uint64_t bytes = 1ULL << 30;
  std::size_t record_size = 1024;
  int partitions = 1;
  int linger_ms = 5;
  int fetch_wait_max_ms = 100;
  std::uint64_t paced_rate = 10000;  // records/s of the latency run; 0 skips it
  double paced_seconds = 5;
  int timeout_s = 60;  // longest wait without progress before the run is declared failed
  bool tail = true;  // consume concurrently with the throughput run (latency under load)
  int broker_pid = 0;  // when given, the broker's CPU time per phase is reported too
  std::vector<std::string> producer_set;  // extra librdkafka KEY=VALUE, applied last
  std::vector<std::string> consumer_set;
};

double mb_per_s(std::uint64_t bytes, double seconds) { return seconds > 0 ? bytes / seconds / 1e6 : 0; }


// CPU time the benchmark (all its librdkafka threads) and the broker spend in one phase; with both
// on the same few cores, CPU per MB is what bounds the throughput.
class cpu_meter {
 public:
  explicit cpu_meter(int broker_pid) : usage_(broker_pid) {}
  void print(const char* phase, std::uint64_t payload_bytes, double wall_s) const {
    const double self = usage_.self_s();
    const double mb = payload_bytes / 1e6;
    std::printf("cpu %s: client %.2f s (%.0f us/MB)", phase, self, mb > 0 ? self * 1e6 / mb : 0);
    if (usage_.has_server()) {
      const double broker = usage_.server_s();
      std::printf(", broker %.2f s (%.0f us/MB)", broker, mb > 0 ? broker * 1e6 / mb : 0);
    }
    std::printf(" in %.2f s wall\n", wall_s);
  }

 private:
  tributary::bench::cpu_usage usage_;
};

void put_u64(char* p, std::uint64_t v) { std::memcpy(p, &v, sizeof v); }
std::uint64_t get_u64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}


// librdkafka statistics (statistics.interval.ms): each report's window averages, weighted by their
// sample counts, over the run. `rtt` is request→response time as the client sees it, `int_latency`
// the time a message waits in the producer before it is put in a request.
struct window_stat {
  double weighted = 0;
  std::int64_t count = 0;
  std::int64_t p99_max = 0;
  void add(const boost::json::value* w) {
    if (!w || !w->is_object()) return;
    const auto& o = w->as_object();
    auto number = [&](const char* key) -> std::int64_t {
      const auto* v = o.if_contains(key);
      return v && v->is_int64() ? v->as_int64() : 0;
    };
    const std::int64_t cnt = number("cnt");
    weighted += static_cast<double>(number("avg")) * cnt;
    count += cnt;
    p99_max = std::max(p99_max, number("p99"));
  }
  double avg() const { return count ? weighted / count : 0; }
};

struct client_stats {
  std::mutex mutex;
  std::vector<std::string> reports;  // raw JSON, parsed after the run
  void clear() {
    std::lock_guard lock(mutex);
    reports.clear();
  }
};

int on_stats(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* s = static_cast<client_stats*>(opaque);
  std::lock_guard lock(s->mutex);
  s->reports.emplace_back(json, len);
  return 0;  // librdkafka frees json
}

// Summarises the reports of one client: broker rtt; for a producer also int_latency and batches.
void print_stats(const char* who, client_stats& s, const std::string& topic) {
  window_stat rtt, int_latency, batch_size, batch_count;
  std::lock_guard lock(s.mutex);
  for (const auto& text : s.reports) {
    boost::system::error_code ec;
    auto doc = boost::json::parse(text, ec);
    if (ec || !doc.is_object()) continue;
    if (const auto* brokers = doc.as_object().if_contains("brokers"); brokers && brokers->is_object()) {
      for (const auto& [name, b] : brokers->as_object()) {
        const auto* id = b.as_object().if_contains("nodeid");
        if (!id || !id->is_int64() || id->as_int64() < 0) continue;  // the bootstrap connection
        rtt.add(b.as_object().if_contains("rtt"));
        int_latency.add(b.as_object().if_contains("int_latency"));
      }
    }
    if (const auto* topics = doc.as_object().if_contains("topics"); topics && topics->is_object()) {
      if (const auto* t = topics->as_object().if_contains(topic); t && t->is_object()) {
        batch_size.add(t->as_object().if_contains("batchsize"));
        batch_count.add(t->as_object().if_contains("batchcnt"));
      }
    }
  }
  if (rtt.count == 0) return;
  std::printf("librdkafka %s: broker rtt avg %.2f ms (p99 of a window up to %.2f ms) over %lld requests", who,
              rtt.avg() / 1e3, rtt.p99_max / 1e3, static_cast<long long>(rtt.count));
  if (int_latency.count) std::printf(", queued in the client avg %.2f ms", int_latency.avg() / 1e3);
  if (batch_count.count) {
    std::printf(", batches avg %.0f records / %.0f bytes", batch_count.avg(), batch_size.avg());
  }
  std::printf(" [%zu statistics reports]\n", s.reports.size());
}

using conf_ptr = std::unique_ptr<rd_kafka_conf_t, decltype(&rd_kafka_conf_destroy)>;
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

bool set_all(rd_kafka_conf_t* conf, const std::vector<std::string>& pairs) {
  for (const auto& pair : pairs) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "librdkafka property %s: expected KEY=VALUE\n", pair.c_str());
      return false;
    }
    if (!set(conf, pair.substr(0, eq).c_str(), pair.substr(eq + 1))) return false;
  }
  return true;
}

handle_ptr make_client(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof error);  // owns conf on success
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    std::fprintf(stderr, "rd_kafka_new: %s\n", error);
  }
  return handle_ptr(rk);
}

// What the producer's callbacks (delivery reports, statistics) and the main thread share: the
// producer handle's opaque.
struct produce_state {
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::int64_t> last_delivery_ns{0};
  failure* fail = nullptr;
  client_stats stats;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* s = static_cast<produce_state*>(opaque);
  if (m->err) {
    s->fail->set(std::string("delivery failed: ") + rd_kafka_err2str(m->err));
    return;
  }
  s->delivered.fetch_add(1, std::memory_order_relaxed);
  s->last_delivery_ns.store(monotonic_ns(), std::memory_order_relaxed);
}

int on_producer_stats(rd_kafka_t* rk, char* json, size_t len, void* opaque) {
  return on_stats(rk, json, len, &static_cast<produce_state*>(opaque)->stats);
}

// Records of a run of `records` sent round-robin from sequence number `first` that land on
// partition p of `partitions`.
std::uint64_t expected_on(std::size_t p, std::size_t partitions, std::uint64_t records, std::uint64_t first) {
  const std::uint64_t position = (p + partitions - first % partitions) % partitions;  // of p in the rotation
  return records / partitions + (position < records % partitions);
}

handle_ptr make_producer(const options& opt, produce_state& state) {
  conf_ptr conf(rd_kafka_conf_new(), rd_kafka_conf_destroy);
  if (!set(conf.get(), "bootstrap.servers", opt.bootstrap) || !set(conf.get(), "acks", "all") ||
      !set(conf.get(), "linger.ms", std::to_string(opt.linger_ms)) ||
      !set(conf.get(), "enable.idempotence", "false") || !set(conf.get(), "compression.type", "none") ||
      !set(conf.get(), "statistics.interval.ms", "1000") || !set_all(conf.get(), opt.producer_set)) {
    return nullptr;
  }
  rd_kafka_conf_set_opaque(conf.get(), &state);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
  rd_kafka_conf_set_stats_cb(conf.get(), on_producer_stats);
  return make_client(RD_KAFKA_PRODUCER, conf.release());
}

// One consumer handle assigned to every partition from the given offsets; it checks each record
// against the run's expectations and records its produce→consume latency.
class checking_consumer {
 public:
  checking_consumer(const options& opt, std::uint64_t records, std::uint64_t first_sequence,
                    std::vector<std::int64_t> start_offsets, bool keep_latency, failure& fail)
      : opt_(opt),
        records_(records),
        first_sequence_(first_sequence),
        next_offset_(std::move(start_offsets)),
        per_partition_(next_offset_.size(), 0),
        seen_(records, false),
        keep_latency_(keep_latency),
        fail_(fail) {
    if (keep_latency_) latency_ns_.reserve(records);
  }

  bool open(const char* group) {
    conf_ptr conf(rd_kafka_conf_new(), rd_kafka_conf_destroy);
    // A group id is required by librdkafka's consumer queue; the group never joins (assign, not
    // subscribe) and commits nothing.
    if (!set(conf.get(), "bootstrap.servers", opt_.bootstrap) || !set(conf.get(), "group.id", group) ||
        !set(conf.get(), "enable.auto.commit", "false") || !set(conf.get(), "enable.auto.offset.store", "false") ||
        !set(conf.get(), "fetch.wait.max.ms", std::to_string(opt_.fetch_wait_max_ms)) ||
        !set(conf.get(), "statistics.interval.ms", "1000") || !set_all(conf.get(), opt_.consumer_set)) {
      return false;
    }
    rd_kafka_conf_set_opaque(conf.get(), &stats_);
    rd_kafka_conf_set_stats_cb(conf.get(), on_stats);
    rk_ = make_client(RD_KAFKA_CONSUMER, conf.release());
    if (!rk_) return false;
    rd_kafka_poll_set_consumer(rk_.get());  // statistics arrive on the consumer queue too
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(next_offset_.size()));
    for (std::size_t p = 0; p < next_offset_.size(); ++p) {
      rd_kafka_topic_partition_list_add(list, opt_.topic.c_str(), static_cast<std::int32_t>(p))->offset =
          next_offset_[p];
    }
    const auto err = rd_kafka_assign(rk_.get(), list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err) {
      std::fprintf(stderr, "assign: %s\n", rd_kafka_err2str(err));
      return false;
    }
    assigned_ns_ = monotonic_ns();
    return true;
  }

  // Reads until every record has arrived, a check fails, or nothing arrives for opt.timeout_s.
  void run() {
    std::vector<rd_kafka_message_t*> batch(consume_batch);
    rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk_.get());
    std::int64_t last_progress = monotonic_ns();
    while (received_ < records_ && !fail_.failed.load(std::memory_order_relaxed)) {
      // consume_batch_queue waits for a full batch until its timeout, which would add up to that
      // timeout to the latency: wait for one message, then take what is already queued.
      rd_kafka_message_t* first = rd_kafka_consumer_poll(rk_.get(), 100);
      ssize_t n = 0;
      if (first) {
        check(*first, monotonic_ns());
        rd_kafka_message_destroy(first);
        n = 1 + rd_kafka_consume_batch_queue(queue, 0, batch.data(), batch.size());
      }
      const std::int64_t now = monotonic_ns();
      if (n < 0) {
        fail_.set(std::string("consume: ") + rd_kafka_err2str(rd_kafka_last_error()));
        break;
      }
      for (ssize_t i = 0; i + 1 < n; ++i) {
        check(*batch[i], monotonic_ns());
        rd_kafka_message_destroy(batch[i]);
      }
      if (n > 0) {
        last_progress = now;
      } else if (now - last_progress > static_cast<std::int64_t>(opt_.timeout_s) * 1'000'000'000) {
        fail_.set("consumer: nothing for " + std::to_string(opt_.timeout_s) + " s with " +
                  std::to_string(records_ - received_) + " record(s) missing");
        break;
      }
    }
    rd_kafka_queue_destroy(queue);
  }

  // Stops fetching; the handle is destroyed with the object.
  void close() {
    if (rk_) rd_kafka_consumer_close(rk_.get());
  }

  // Every record exactly once: per partition counts add up and no sequence number is missing.
  bool verify(const char* what) {
    if (fail_.failed) return false;
    std::uint64_t total = 0;
    for (std::size_t p = 0; p < per_partition_.size(); ++p) {
      const std::uint64_t expected = expected_on(p, per_partition_.size(), records_, first_sequence_);
      if (per_partition_[p] != expected) {
        fail_.set(std::string(what) + ": partition " + std::to_string(p) + " delivered " +
                  std::to_string(per_partition_[p]) + " record(s), expected " + std::to_string(expected));
        return false;
      }
      total += per_partition_[p];
    }
    const auto missing = std::count(seen_.begin(), seen_.end(), false);
    if (total != records_ || missing != 0) {
      fail_.set(std::string(what) + ": " + std::to_string(total) + " record(s), " + std::to_string(missing) +
                " sequence number(s) missing, expected " + std::to_string(records_));
      return false;
    }
    return true;
  }

  std::uint64_t received() const { return received_; }
  std::int64_t assigned_ns() const { return assigned_ns_; }
  std::int64_t first_ns() const { return first_ns_; }
  std::int64_t last_ns() const { return last_ns_; }
  std::vector<std::int64_t>& latency_ns() { return latency_ns_; }
  client_stats& stats() { return stats_; }

 private:
  void check(const rd_kafka_message_t& m, std::int64_t now) {
    if (m.err) {
      if (m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
      fail_.set(std::string("consume: ") + rd_kafka_message_errstr(&m));
      return;
    }
    const auto p = static_cast<std::size_t>(m.partition);
    if (p >= next_offset_.size()) return fail_.set("record from partition " + std::to_string(m.partition));
    if (m.offset != next_offset_[p]) {
      return fail_.set("partition " + std::to_string(p) + ": offset " + std::to_string(m.offset) + " after " +
                       std::to_string(next_offset_[p] - 1) + " (a gap or a duplicate)");
    }
    next_offset_[p] = m.offset + 1;
    if (m.len != opt_.record_size) {
      return fail_.set("offset " + std::to_string(m.offset) + ": value of " + std::to_string(m.len) + " bytes");
    }
    const char* value = static_cast<const char*>(m.payload);
    const std::uint64_t sequence = get_u64(value + 8) - first_sequence_;
    if (sequence >= records_ || (first_sequence_ + sequence) % next_offset_.size() != p) {
      return fail_.set("partition " + std::to_string(p) + " offset " + std::to_string(m.offset) +
                       ": unexpected sequence number " + std::to_string(sequence));
    }
    if (seen_[sequence]) return fail_.set("sequence number " + std::to_string(sequence) + " twice");
    seen_[sequence] = true;
    ++per_partition_[p];
    if (keep_latency_) latency_ns_.push_back(now - static_cast<std::int64_t>(get_u64(value)));
    if (received_++ == 0) first_ns_ = now;
    last_ns_ = now;
  }

  const options& opt_;
  const std::uint64_t records_;
  const std::uint64_t first_sequence_;
  std::vector<std::int64_t> next_offset_;
  std::vector<std::uint64_t> per_partition_;
  std::vector<bool> seen_;
  const bool keep_latency_;
  failure& fail_;
  client_stats stats_;
  handle_ptr rk_{nullptr};
  std::uint64_t received_ = 0;
  std::int64_t assigned_ns_ = 0;
  std::int64_t first_ns_ = 0;
  std::int64_t last_ns_ = 0;
  std::vector<std::int64_t> latency_ns_;
};

// The partition count the broker reports for the topic and each partition's high watermark.
bool topic_offsets(rd_kafka_t* rk, const options& opt, std::vector<std::int64_t>& high) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, opt.topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  const auto err = rd_kafka_metadata(rk, 0, t, &md, opt.timeout_s * 1000);
  rd_kafka_topic_destroy(t);
  if (err) {
    std::fprintf(stderr, "metadata for %s: %s\n", opt.topic.c_str(), rd_kafka_err2str(err));
    return false;
  }
  int count = -1;
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (opt.topic == md->topics[i].topic) {
      count = md->topics[i].partition_cnt;
      topic_err = md->topics[i].err;
    }
  }
  rd_kafka_metadata_destroy(md);
  if (topic_err || count != opt.partitions) {
    std::fprintf(stderr, "topic %s: %d partition(s)%s%s, expected %d (create it first)\n", opt.topic.c_str(), count,
                 topic_err ? ", " : "", topic_err ? rd_kafka_err2str(topic_err) : "", opt.partitions);
    return false;
  }
  high.assign(static_cast<std::size_t>(count), 0);
  for (int p = 0; p < count; ++p) {
    std::int64_t low = 0;
    const auto e = rd_kafka_query_watermark_offsets(rk, opt.topic.c_str(), p, &low, &high[p], opt.timeout_s * 1000);
    if (e) {
      std::fprintf(stderr, "watermarks of %s/%d: %s\n", opt.topic.c_str(), p, rd_kafka_err2str(e));
      return false;
    }
  }
  return true;
}


void print_latency(const char* label, std::vector<std::int64_t>& ns) {
  const double p50 = percentile(ns, 0.50) / 1e6;
  const double p99 = percentile(ns, 0.99) / 1e6;
  const double p999 = percentile(ns, 0.999) / 1e6;
  const double max = ns.empty() ? 0 : *std::max_element(ns.begin(), ns.end()) / 1e6;
  std::printf("kafka latency %s: p50 %.3f ms p99 %.3f ms [p99.9 %.3f ms, max %.3f ms, %zu records]\n", label, p50,
              p99, p999, max, ns.size());
}

struct produce_result {
  std::int64_t first_ns = 0;
  std::int64_t last_delivery_ns = 0;
  std::uint64_t queue_full = 0;  // produce calls refused because librdkafka's queue was full
};

// Produces `records` records round-robin over the partitions (sequence number n to partition
// n % P), as fast as librdkafka accepts them (rate 0) or at `rate` records/s, while `tail` (unless
// null) consumes them in a second thread. Returns false when anything fails.

bool produce_and_tail(const options& opt, rd_kafka_t* producer, produce_state& state, checking_consumer* tail,
                      std::uint64_t records, std::uint64_t first_sequence, std::uint64_t rate, failure& fail,
                      produce_result& out) {
  std::thread consumer;
  if (tail) consumer = std::thread([tail] { tail->run(); });
  std::string value(opt.record_size, '\0');
  for (std::size_t i = header_bytes; i < value.size(); ++i) value[i] = static_cast<char>('a' + i % 26);
  const std::uint64_t delivered_before = state.delivered.load();
  out.first_ns = monotonic_ns();
  for (std::uint64_t i = 0; i < records && !fail.failed.load(std::memory_order_relaxed); ++i) {
    if (rate > 0) {
      const std::int64_t due = out.first_ns + static_cast<std::int64_t>(i * 1'000'000'000 / rate);
      for (std::int64_t now = monotonic_ns(); now < due; now = monotonic_ns()) {
        rd_kafka_poll(producer, static_cast<int>(std::max<std::int64_t>((due - now) / 1'000'000, 0)));
      }
    }
    put_u64(value.data() + 8, first_sequence + i);
    for (;;) {
      put_u64(value.data(), static_cast<std::uint64_t>(monotonic_ns()));
      const auto err = rd_kafka_producev(
          producer, RD_KAFKA_V_TOPIC(opt.topic.c_str()),
          RD_KAFKA_V_PARTITION(static_cast<std::int32_t>((first_sequence + i) % opt.partitions)),
          RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        fail.set(std::string("produce: ") + rd_kafka_err2str(err));
        break;
      }
      ++out.queue_full;
      rd_kafka_poll(producer, 1);  // serves delivery reports, which frees queue space
    }
    if ((i & 1023) == 0) rd_kafka_poll(producer, 0);
  }
  const auto deadline = monotonic_ns() + static_cast<std::int64_t>(opt.timeout_s) * 1'000'000'000;
  while (state.delivered.load() - delivered_before < records && !fail.failed && monotonic_ns() < deadline) {
    rd_kafka_poll(producer, 10);
  }
  out.last_delivery_ns = state.last_delivery_ns.load();
  if (!fail.failed && state.delivered.load() - delivered_before < records) {
    fail.set("producer: " + std::to_string(records - (state.delivered.load() - delivered_before)) +
             " record(s) without a delivery report after " + std::to_string(opt.timeout_s) + " s");
  }
  if (consumer.joinable()) consumer.join();
  return !fail.failed;
}

int run(const options& opt) {
  const std::uint64_t total = opt.bytes / opt.record_size;
  if (total == 0) {
    std::fprintf(stderr, "--bytes %llu is less than one record\n", static_cast<unsigned long long>(opt.bytes));
    return exit_usage;
  }
  failure fail;
  produce_state state;
  state.fail = &fail;
  client_stats& producer_stats = state.stats;
  handle_ptr producer = make_producer(opt, state);
  if (!producer) return exit_failure;
  std::vector<std::int64_t> start;
  if (!topic_offsets(producer.get(), opt, start)) return exit_failure;
  const std::uint64_t payload = total * opt.record_size;
  std::printf("kafka setup: topic %s, %d partition(s), start offsets", opt.topic.c_str(), opt.partitions);
  for (auto o : start) std::printf(" %lld", static_cast<long long>(o));
  std::printf("; %llu records of %zu bytes; librdkafka %s\n", static_cast<unsigned long long>(total),
              opt.record_size, rd_kafka_version_str());
  std::fflush(stdout);

  // 1. Throughput: produce everything as fast as the producer accepts it; a tailing consumer checks
  //    every record and measures produce→consume latency under that load.
  produce_result produced;
  {
    std::optional<checking_consumer> tail;
    if (opt.tail) {
      tail.emplace(opt, total, 0, start, true, fail);
      if (!tail->open("kafka-bench-tail")) return exit_failure;
    }
    producer_stats.clear();  // the metadata requests so far
    const cpu_meter cpu(opt.broker_pid);
    if (!produce_and_tail(opt, producer.get(), state, tail ? &*tail : nullptr, total, 0, 0, fail, produced) ||
        (tail && !tail->verify("tail consumer"))) {
      std::fprintf(stderr, "%s\n", fail.first.c_str());
      return exit_failure;
    }
    const double s = seconds_between(produced.first_ns, produced.last_delivery_ns);
    std::printf(
        "kafka produce: %.1f MB/s %.0f records/s [%llu records of %zu bytes in %.3f s from the first produce to the "
        "last delivery report; acks=all linger.ms=%d, %llu queue-full waits, %s]\n",
        mb_per_s(payload, s), per_s(total, s), static_cast<unsigned long long>(total), opt.record_size, s,
        opt.linger_ms, static_cast<unsigned long long>(produced.queue_full),
        tail ? "a consumer tailing" : "no consumer");
    if (tail) {
      const double ts = seconds_between(produced.first_ns, tail->last_ns());
      std::printf(
          "kafka tail consume: %.1f MB/s %.0f records/s [every record exactly once, %.3f s from the first produce "
          "to the last record consumed; the first after %.3f s]\n",
          mb_per_s(payload, ts), per_s(total, ts), ts, seconds_between(produced.first_ns, tail->first_ns()));
      print_latency("under load", tail->latency_ns());
    }
    cpu.print(tail ? "produce + tail" : "produce", payload,
              seconds_between(produced.first_ns, tail ? std::max(tail->last_ns(), produced.last_delivery_ns)
                                                      : produced.last_delivery_ns));
    print_stats("producer", producer_stats, opt.topic);
    if (tail) {
      tail->close();
      print_stats("tail consumer", tail->stats(), opt.topic);
    }
    std::fflush(stdout);
  }

  // 2. Consume throughput: a fresh consumer reads the whole run back (from the page cache, as the
  //    direct read does); a tailing consumer's rate is the producer's, so it cannot show this.
  {
    checking_consumer reader(opt, total, 0, start, false, fail);
    const cpu_meter cpu(opt.broker_pid);
    if (!reader.open("kafka-bench-read")) return exit_failure;
    reader.run();
    if (!reader.verify("catch-up consumer")) {
      std::fprintf(stderr, "%s\n", fail.first.c_str());
      return exit_failure;
    }
    const double s = seconds_between(reader.assigned_ns(), reader.last_ns());
    std::printf(
        "kafka consume: %.1f MB/s %.0f records/s [every record exactly once, %.3f s from assign to the last record; "
        "%.3f s to the first; fetch.wait.max.ms=%d]\n",
        mb_per_s(payload, s), per_s(total, s), s, seconds_between(reader.assigned_ns(), reader.first_ns()),
        opt.fetch_wait_max_ms);
    cpu.print("catch-up consume", payload, s);
    reader.close();
    print_stats("catch-up consumer", reader.stats(), opt.topic);
    std::fflush(stdout);
  }

  // 3. Latency below saturation: the same pair at a fixed rate.
  if (opt.paced_rate > 0) {
    const auto records = static_cast<std::uint64_t>(opt.paced_rate * opt.paced_seconds);
    // A fresh producer, so that its statistics cover this run alone. Its metadata request for the
    // topic (topic_offsets) must come before the first produce: librdkafka 2.0 otherwise holds the
    // first messages of some partitions for about a second (librdkafka issues #1686, #3202).
    produce_state paced_state;
    paced_state.fail = &fail;
    handle_ptr paced_producer = make_producer(opt, paced_state);
    if (!paced_producer) return exit_failure;
    std::vector<std::int64_t> now_at;
    if (!topic_offsets(paced_producer.get(), opt, now_at)) return exit_failure;
    checking_consumer tail(opt, records, total, now_at, true, fail);
    if (!tail.open("kafka-bench-paced")) return exit_failure;
    produce_result paced;
    if (!produce_and_tail(opt, paced_producer.get(), paced_state, &tail, records, total, opt.paced_rate, fail,
                          paced) ||
        !tail.verify("paced tail consumer")) {
      std::fprintf(stderr, "%s\n", fail.first.c_str());
      return exit_failure;
    }
    char label[64];
    std::snprintf(label, sizeof label, "at %llu records/s", static_cast<unsigned long long>(opt.paced_rate));
    print_latency(label, tail.latency_ns());
    print_stats("paced producer", paced_state.stats, opt.topic);
    tail.close();
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  CLI::App app{"Produces fixed-size records to a topic with librdkafka while a consumer tails it, reads them back "
               "with a fresh consumer, checks each arrived exactly once; prints MB/s, records/s and latency.",
               "kafka_bench"};
  app.add_option("--bootstrap", opt.bootstrap, "Broker address, HOST:PORT")->required();
  app.add_option("--topic", opt.topic, "Existing topic (the benchmark does not create it)")->required();
  app.add_option("--bytes", opt.bytes, "Payload volume of the throughput run: records = bytes / record-size")
      ->capture_default_str();
  app.add_option("--record-size", opt.record_size, "Value bytes per record (the first 16 carry time and sequence)")
      ->check(CLI::Range(header_bytes, std::size_t{1000000}))
      ->capture_default_str();
  app.add_option("--partitions", opt.partitions, "Partitions the topic has (checked); records go round-robin")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--linger-ms", opt.linger_ms, "Producer linger.ms")->check(CLI::Range(0, 900000))->capture_default_str();
  app.add_option("--fetch-wait-max-ms", opt.fetch_wait_max_ms, "Consumer fetch.wait.max.ms")
      ->check(CLI::Range(0, 300000))
      ->capture_default_str();
  app.add_option("--paced-rate", opt.paced_rate, "Records/s of the latency run after the throughput run; 0 skips it")
      ->capture_default_str();
  app.add_option("--paced-seconds", opt.paced_seconds, "Length of the latency run")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--timeout", opt.timeout_s, "Seconds without progress before a run is declared failed")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_flag("!--no-tail", opt.tail, "Throughput run without the tailing consumer (no latency under load)");
  app.add_option("--broker-pid", opt.broker_pid, "Process id of the broker, to report its CPU time per phase");
  app.add_option("--producer-set", opt.producer_set, "Extra librdkafka producer property KEY=VALUE (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--consumer-set", opt.consumer_set, "Extra librdkafka consumer property KEY=VALUE (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage;
  }
  return run(opt);
}
