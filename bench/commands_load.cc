// commands_load: the load generator of bench/commands. N MQTT 3.1.1 devices (the adapter's codec
// builds and reads their packets; one Asio thread for all of them) answer every request they get,
// and an application in the same process sends requests at a fixed rate, round-robin over the
// devices, and measures each round trip with CLOCK_MONOTONIC:
//   --broker tributary  Hono's command & control: the application writes command records to
//                       hono.command.<tenant> (kafka/client producer, acks=all; key and device_id =
//                       the device, subject "ping", correlation-id = the request's sequence number,
//                       response-required) and reads hono.command_response.<tenant> (kafka/client
//                       consumer, assigned at the end before the first request). Devices log in as
//                       d<i>@<tenant>, subscribe to command///req/# and answer on
//                       command///res/<request-id>/200. Round trip: record handed to the producer →
//                       response record read by the consumer.
//   --broker mosquitto  a plain request/reply over two topics: the application (an MQTT client)
//                       publishes to req/d<i> and subscribes to res/#; device d<i> subscribes to
//                       req/d<i> and answers on res/d<i>. Round trip: PUBLISH written → response read.
//   --broker kafka-floor  the Kafka client hops alone, against Tributary's embedded broker: no
//                       device and no router; the application writes each response record itself
//                       (to hono.command_response.<tenant>, with the correlation-id and status 200
//                       a device's answer would get) with the same producer and reads it with the
//                       same consumer. Round trip: record handed to the producer → record read. The
//                       least any command round trip through these clients can take.
// Both ways use QoS 1 everywhere on MQTT (subscriptions, requests, responses; PUBACKs are sent), the
// payload carries the sequence number and the device echoes it. The first --warmup seconds of
// requests are not measured. Prints the result line, except for the floor the two legs of the
// round trip (request to the device, device to the response read), and the CPU time per measured
// round trip of this process (devices, application, librdkafka's threads) and, with --server-pid,
// of the broker, from the first measured request to the last response:
//   <broker> round trip at R/s: count C p50 X ms p99 Y ms p99.9 Z ms max M ms lost L
//   <broker> legs: to the device p50 .. p99 ..; device to response read p50 .. p99 ..
//   <broker> cpu per round trip: load generator U us broker B us
// Exits 1 when something is functionally wrong (a refused connection or subscription, a response
// for an unknown or already answered request, a non-200 status, requests left unanswered after the
// drain), never for a figure. A benchmark, never a test: not in ctest.
#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "adapters/mqtt/codec.h"
#include "bench_devices.h"
#include "bench_support.h"
#include "kafka/client/client.h"

namespace {

namespace asio = boost::asio;
namespace mq = tributary::adapters::mqtt;
namespace kc = tributary::kafka::client;
using tributary::bench::cpu_usage;
using tributary::bench::device_set;
using tributary::bench::failure;
using tributary::bench::monotonic_ns;
using tributary::bench::percentile;
using tcp = asio::ip::tcp;

struct options {
  std::string broker = "tributary";  // tributary | mosquitto | kafka-floor
  std::string mqtt = "127.0.0.1:1883";
  std::string bootstrap = "127.0.0.1:9092";
  std::string app_user = "mqtt-load-sink";  // Mosquitto: the application's MQTT login
  std::string app_password;
  device_set devices;
  std::size_t count = 1000;
  double rate = 1000;
  double seconds = 10;
  double warmup = 2;
  int timeout_s = 30;
  int server_pid = 0;  // the broker's process, for its CPU time; 0: not measured
  bool tributary() const { return broker == "tributary"; }
  bool floor() const { return broker == "kafka-floor"; }
  bool kafka() const { return tributary() || floor(); }
};

mq::bytes as_bytes(const std::string& s) { return mq::bytes(s.begin(), s.end()); }
std::string as_string(const mq::bytes& b) { return std::string(b.begin(), b.end()); }

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Round-trip bookkeeping shared by the application's sending and receiving sides.
class ledger {
 public:
  explicit ledger(std::size_t total) : sent_ns_(total), at_device_ns_(total), answered_(total) {
    for (auto& a : answered_) a.store(false);
  }
  void sent(std::uint64_t seq) { sent_ns_[seq].store(monotonic_ns(), std::memory_order_release); }
  // The device has the request: splits the round trip into its way there and back.
  void at_device(std::uint64_t seq) {
    if (seq < at_device_ns_.size()) at_device_ns_[seq].store(monotonic_ns(), std::memory_order_release);
  }
  // Request → device and device → response of an answered request.
  std::pair<std::int64_t, std::int64_t> legs(std::uint64_t seq, std::int64_t rtt_ns) const {
    const auto there = at_device_ns_[seq].load(std::memory_order_acquire) - sent_ns_[seq].load(std::memory_order_acquire);
    return {there, rtt_ns - there};
  }
  // The round trip of a response, or an error text.
  std::optional<std::string> answered(std::uint64_t seq, std::int64_t& rtt_ns) {
    if (seq >= answered_.size()) return "response for unknown request " + std::to_string(seq);
    const auto at = sent_ns_[seq].load(std::memory_order_acquire);
    if (at == 0) return "response for request " + std::to_string(seq) + " before it was sent";
    if (answered_[seq].exchange(true)) return "second response for request " + std::to_string(seq);
    rtt_ns = monotonic_ns() - at;
    answers_.fetch_add(1);
    return std::nullopt;
  }
  std::size_t answers() const { return answers_.load(); }

 private:
  std::vector<std::atomic<std::int64_t>> sent_ns_;
  std::vector<std::atomic<std::int64_t>> at_device_ns_;
  std::vector<std::atomic<bool>> answered_;
  std::atomic<std::size_t> answers_{0};
};

// One MQTT connection on the shared io_context: packets out through one write queue, packets in
// handed to on_packet. Devices and the Mosquitto application are both this.
class mqtt_conn : public std::enable_shared_from_this<mqtt_conn> {
 public:
  mqtt_conn(asio::io_context& io, failure& fail, std::string name) : sock_(io), fail_(fail), name_(std::move(name)) {}
  std::function<void(mq::packet&)> on_packet;

  void start(const tcp::endpoint& at, mq::connect_packet c, mq::subscribe_packet s) {
    subscribe_ = std::move(s);
    sock_.async_connect(at, [self = shared_from_this(), c = std::move(c)](boost::system::error_code ec) mutable {
      if (ec) return self->fail_.set(self->name_ + ": connect: " + ec.message());
      self->sock_.set_option(tcp::no_delay(true));
      self->send(c);
      self->read();
    });
  }
  void send(const mq::packet& p) {
    if (auto r = mq::encode(p, out_); !r) return fail_.set(name_ + ": encode: " + r.error().message);
    flush();
  }
  bool ready() const { return ready_; }
  void close() {
    boost::system::error_code ignored;
    sock_.close(ignored);
  }

 private:
  void flush() {
    if (writing_ || out_.empty()) return;
    writing_ = true;
    sending_.swap(out_);
    out_.clear();
    asio::async_write(sock_, asio::buffer(sending_), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      self->writing_ = false;
      self->sending_.clear();
      if (ec) return self->fail_.set(self->name_ + ": write: " + ec.message());
      self->flush();
    });
  }
  void read() {
    if (in_.size() - used_ < 4096) in_.resize(used_ + 16384);
    sock_.async_read_some(asio::buffer(in_.data() + used_, in_.size() - used_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            if (ec) {
                              if (!self->closing()) self->fail_.set(self->name_ + ": read: " + ec.message());
                              return;
                            }
                            self->used_ += n;
                            if (self->consume()) self->read();
                          });
  }
  bool closing() const { return !sock_.is_open(); }
  // Handles every whole packet in the buffer; false on a protocol failure.
  bool consume() {
    std::size_t at = 0;
    for (;;) {
      auto decoded = mq::decode(std::span<const std::uint8_t>(in_.data() + at, used_ - at));
      if (!decoded) {
        fail_.set(name_ + ": malformed packet: " + decoded.error().message);
        return false;
      }
      if (!*decoded) break;
      at += (*decoded)->size;
      mq::packet& p = (*decoded)->packet;
      if (auto* connack = std::get_if<mq::connack_packet>(&p)) {
        if (connack->return_code != mq::connect_return_code::accepted) {
          fail_.set(name_ + ": CONNACK " + std::to_string(static_cast<int>(connack->return_code)));
          return false;
        }
        send(subscribe_);
      } else if (auto* suback = std::get_if<mq::suback_packet>(&p)) {
        if (suback->return_codes.empty() || suback->return_codes[0] == mq::suback_return_code::failure) {
          fail_.set(name_ + ": subscription refused");
          return false;
        }
        ready_ = true;
      } else if (auto* publish = std::get_if<mq::publish_packet>(&p)) {
        if (publish->qos == mq::qos::at_least_once) send(mq::puback_packet{publish->packet_id});
        if (on_packet) on_packet(p);
      }
    }
    std::memmove(in_.data(), in_.data() + at, used_ - at);
    used_ -= at;
    return true;
  }

  tcp::socket sock_;
  failure& fail_;
  std::string name_;
  mq::subscribe_packet subscribe_;
  std::vector<std::uint8_t> in_;
  std::size_t used_ = 0;
  mq::bytes out_, sending_;
  bool writing_ = false;
  bool ready_ = false;
};

std::uint16_t next_id(std::uint16_t& id) {
  id = id == 65535 ? 1 : static_cast<std::uint16_t>(id + 1);
  return id;
}

struct latencies {
  std::mutex mutex;
  std::vector<std::int64_t> ns, there_ns, back_ns;  // measured requests only
};

int run(const options& o) {
  failure fail;
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  const auto colon = o.mqtt.rfind(':');
  const tcp::endpoint at(asio::ip::make_address(o.mqtt.substr(0, colon)),
                         static_cast<std::uint16_t>(std::stoi(o.mqtt.substr(colon + 1))));
  const auto total = static_cast<std::size_t>((o.warmup + o.seconds) * o.rate);
  const auto measured_from = static_cast<std::size_t>(o.warmup * o.rate);
  ledger book(total);
  latencies lat;
  auto record = [&](std::uint64_t seq) {
    std::int64_t rtt = 0;
    if (auto problem = book.answered(seq, rtt)) return fail.set(*problem);
    if (seq >= measured_from) {
      const auto [there, back] = book.legs(seq, rtt);
      std::lock_guard lock(lat.mutex);
      lat.ns.push_back(rtt);
      lat.there_ns.push_back(there);
      lat.back_ns.push_back(back);
    }
  };

  // The devices: answer each request with its payload, status 200.
  std::vector<std::shared_ptr<mqtt_conn>> devices;
  std::vector<std::uint16_t> device_ids(o.count, 0);
  for (std::size_t i = 0; i < o.count && !o.floor(); ++i) {
    auto d = std::make_shared<mqtt_conn>(io, fail, o.devices.id(i));
    mq::connect_packet c;
    c.client_id = "cmd-" + o.devices.id(i);
    c.keep_alive = 120;
    c.username = o.devices.id(i) + (o.tributary() ? "@" + o.devices.tenant : "");
    c.password = as_bytes(device_set::password(i));
    mq::subscribe_packet s{1, {{o.tributary() ? "command///req/#" : "req/" + o.devices.id(i), mq::qos::at_least_once}}};
    d->on_packet = [&, i, raw = d.get()](mq::packet& p) {
      auto& req = std::get<mq::publish_packet>(p);
      if (const auto seq = parse_u64(as_string(req.payload))) book.at_device(*seq);
      mq::publish_packet res;
      res.qos = mq::qos::at_least_once;
      res.packet_id = next_id(device_ids[i]);
      res.payload = std::move(req.payload);
      if (o.tributary()) {
        // command///req/<request-id>/ping → command///res/<request-id>/200
        const auto first = req.topic.find("/req/");
        const auto last = req.topic.rfind('/');
        if (first == std::string::npos || last <= first + 5) return fail.set("unexpected command topic " + req.topic);
        res.topic = "command///res/" + req.topic.substr(first + 5, last - first - 5) + "/200";
      } else {
        res.topic = "res/" + o.devices.id(i);
      }
      raw->send(res);
    };
    d->start(at, std::move(c), std::move(s));
    devices.push_back(std::move(d));
  }

  // The Mosquitto application: an MQTT client reading res/#.
  std::shared_ptr<mqtt_conn> app;
  std::uint16_t app_id = 0;
  if (!o.kafka()) {
    app = std::make_shared<mqtt_conn>(io, fail, "application");
    mq::connect_packet c;
    c.client_id = "cmd-application";
    c.keep_alive = 120;
    c.username = o.app_user;
    c.password = as_bytes(o.app_password);
    app->on_packet = [&](mq::packet& p) {
      const auto seq = parse_u64(as_string(std::get<mq::publish_packet>(p).payload));
      if (!seq) return fail.set("response with a payload that is not a sequence number");
      record(*seq);
    };
    app->start(at, std::move(c), mq::subscribe_packet{1, {{"res/#", mq::qos::at_least_once}}});
  }
  std::thread io_thread([&] { io.run(); });

  auto wait_until = [&](auto done, const char* what) {
    const auto end = monotonic_ns() + static_cast<std::int64_t>(o.timeout_s) * 1'000'000'000;
    while (!done() && !fail.failed) {
      if (monotonic_ns() > end) {
        fail.set(std::string("timed out waiting for ") + what);
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return !fail.failed;
  };
  auto all_ready = [&] {
    std::atomic<bool> result{false};
    std::atomic<bool> answered{false};
    asio::post(io, [&] {
      bool ok = !app || app->ready();
      for (const auto& d : devices) ok = ok && d->ready();
      result = ok;
      answered = true;
    });
    while (!answered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return result.load();
  };
  const auto connect_start = monotonic_ns();
  bool ok = wait_until(all_ready, "the devices to connect and subscribe");
  if (ok && !o.floor())
    std::printf("%s: %zu devices connected and subscribed in %.2f s\n", o.broker.c_str(), o.count,
                static_cast<double>(monotonic_ns() - connect_start) / 1e9);

  // Tributary's application: a producer for the commands (the responses, as the floor), a
  // consumer for the responses.
  std::unique_ptr<kc::producer> producer;
  std::unique_ptr<kc::consumer> consumer;
  std::atomic<bool> stop_consumer{false};
  std::thread consumer_thread;
  if (ok && o.kafka()) {
    kc::connection_options k;
    k.bootstrap = o.bootstrap;
    auto p = kc::producer::create(k);
    auto c = kc::consumer::create(k);
    if (!p || !c) {
      fail.set("kafka client: " + (!p ? p.error().message : c.error().message));
      ok = false;
    } else {
      producer = std::move(*p);
      consumer = std::move(*c);
      if (auto a = consumer->assign({"hono.command_response." + o.devices.tenant}, kc::start_at::end,
                                    std::chrono::seconds(o.timeout_s));
          !a) {
        fail.set("assigning the response topic: " + a.error().message);
        ok = false;
      }
    }
    if (ok) {
      consumer_thread = std::thread([&] {
        while (!stop_consumer) {
          auto r = consumer->poll(std::chrono::milliseconds(100));
          if (!r || !r->has_value()) continue;
          const kc::record& rec = **r;
          const auto* status = rec.header_value("status");
          const auto* correlation = rec.header_value("correlation-id");
          if (!status || *status != "200") {
            fail.set("response with status " + (status ? *status : "none") + ": " + rec.value.value_or(""));
            continue;
          }
          const auto seq = correlation ? parse_u64(*correlation) : std::nullopt;
          if (!seq) {
            fail.set("response without a numeric correlation-id");
            continue;
          }
          record(*seq);
        }
      });
    }
  }

  // Requests at the fixed rate, from this thread.
  std::int64_t send_start = 0, send_end = 0;
  std::optional<cpu_usage> cpu;  // from the first measured request
  double cpu_self_s = 0, cpu_server_s = 0;
  if (ok) {
    send_start = monotonic_ns();
    const double interval_ns = 1e9 / o.rate;
    for (std::size_t seq = 0; seq < total && !fail.failed; ++seq) {
      const auto due = send_start + static_cast<std::int64_t>(static_cast<double>(seq) * interval_ns);
      for (auto now = monotonic_ns(); now < due; now = monotonic_ns()) {
        if (producer) producer->poll(std::chrono::milliseconds(0));
        if (due - now > 200'000) std::this_thread::sleep_for(std::chrono::nanoseconds(due - now - 100'000));
      }
      if (seq == measured_from) cpu.emplace(o.server_pid);
      const std::size_t device = seq % o.count;
      const std::string payload = std::to_string(seq);
      if (producer) {
        kc::record r;
        r.key = o.devices.id(device);
        r.value = payload;
        if (o.floor()) {
          r.topic = "hono.command_response." + o.devices.tenant;
          r.headers = {{"device_id", o.devices.id(device)}, {"correlation-id", payload}, {"status", "200"},
                       {"content-type", "text/plain"}};
        } else {
          r.topic = "hono.command." + o.devices.tenant;
          r.headers = {{"device_id", o.devices.id(device)}, {"subject", "ping"}, {"correlation-id", payload},
                       {"response-required", "true"}, {"content-type", "text/plain"}};
        }
        book.sent(seq);
        auto queued = producer->send_async(r, [&fail](kc::client_result<void> done) {
          if (!done) fail.set("command not stored: " + done.error().message);
        });
        if (!queued) fail.set("command not queued: " + queued.error().message);
      } else {
        asio::post(io, [&, seq, device, payload] {
          mq::publish_packet req;
          req.qos = mq::qos::at_least_once;
          req.packet_id = next_id(app_id);
          req.topic = "req/" + o.devices.id(device);
          req.payload = as_bytes(payload);
          book.sent(seq);
          app->send(req);
        });
      }
    }
    send_end = monotonic_ns();
    // Drain: every request answered.
    wait_until(
        [&] {
          if (producer) producer->poll(std::chrono::milliseconds(0));
          return book.answers() == total;
        },
        "every response");
    if (cpu) {
      cpu_self_s = cpu->self_s();
      cpu_server_s = cpu->server_s();
    }
  }
  stop_consumer = true;
  if (consumer_thread.joinable()) consumer_thread.join();
  asio::post(io, [&] {
    for (auto& d : devices) d->close();
    if (app) app->close();
    guard.reset();
  });
  io_thread.join();
  if (fail.failed) {
    std::fprintf(stderr, "%s: FAILED: %s (%zu of %zu requests answered)\n", o.broker.c_str(), fail.first.c_str(),
                 book.answers(), total);
    return 1;
  }
  const double sent_rate = static_cast<double>(total) / (static_cast<double>(send_end - send_start) / 1e9);
  std::vector<std::int64_t>& v = lat.ns;
  const auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
  const auto count = v.size();
  const auto p50 = percentile(v, 0.50), p99 = percentile(v, 0.99), p999 = percentile(v, 0.999),
             max = percentile(v, 1.0);
  std::printf("%s round trip at %.0f/s: count %zu p50 %.3f ms p99 %.3f ms p99.9 %.3f ms max %.3f ms lost %zu"
              " (sent at %.0f/s)\n",
              o.broker.c_str(), o.rate, count, ms(p50), ms(p99), ms(p999), ms(max), total - book.answers(), sent_rate);
  if (!o.floor()) {  // no device: no legs
    std::printf("%s legs: to the device p50 %.3f ms p99 %.3f ms; device to response read p50 %.3f ms p99 %.3f ms\n",
                o.broker.c_str(), ms(percentile(lat.there_ns, 0.5)), ms(percentile(lat.there_ns, 0.99)),
                ms(percentile(lat.back_ns, 0.5)), ms(percentile(lat.back_ns, 0.99)));
  }
  const auto us_per = [&](double s) { return count > 0 ? s * 1e6 / static_cast<double>(count) : 0; };
  std::printf("%s cpu per round trip: load generator %.1f us", o.broker.c_str(), us_per(cpu_self_s));
  if (o.server_pid) std::printf(" broker %.1f us", us_per(cpu_server_s));
  std::printf("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"commands_load: request/response round trips through Tributary's command & control or Mosquitto"};
  app.add_option("--broker", o.broker, "tributary, mosquitto or kafka-floor")
      ->check(CLI::IsMember({"tributary", "mosquitto", "kafka-floor"}));
  app.add_option("--mqtt", o.mqtt, "MQTT host:port");
  app.add_option("--bootstrap", o.bootstrap, "Kafka bootstrap (tributary)");
  app.add_option("--tenant", o.devices.tenant, "tenant of the devices d0..");
  app.add_option("--devices", o.count, "connected devices")->check(CLI::Range(1, 15000));
  app.add_option("--rate", o.rate, "requests per second")->check(CLI::Range(1.0, 1e6));
  app.add_option("--seconds", o.seconds, "measured seconds")->check(CLI::Range(0.1, 3600.0));
  app.add_option("--warmup", o.warmup, "seconds of requests before measuring")->check(CLI::Range(0.0, 600.0));
  app.add_option("--app-user", o.app_user, "the application's MQTT user (mosquitto)");
  app.add_option("--app-password", o.app_password, "its password");
  app.add_option("--timeout", o.timeout_s, "seconds to wait for connections and for the drain");
  app.add_option("--server-pid", o.server_pid, "the broker's process id, to report its CPU time per round trip");
  CLI11_PARSE(app, argc, argv);
  return run(o);
}
