// restproxy_load: produces fixed-size records through the Kafka REST Proxy (v2, binary embedded
// format, --batch records per request, --connections keep-alive connections each sending its next
// request when the previous one is answered), then reads them all back through one REST consumer
// instance (binary, assigned every partition, records GETs of up to --max-bytes). Each record's
// key is its sequence number, so every record is checked to come back exactly once. The consumer
// keeps its buffers (response body, JSON document memory) from one response to the next and reads
// a body of known length straight into its buffer, as the proxy's HTTP server does. Prints one
// line per phase in kafka_bench's shape ("rest produce: <MB/s> MB/s <records/s> records/s [...]"),
// MB = 10^6 value bytes, which bench/restproxy parses. A benchmark, never a test: not in ctest.
#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "common/base64.h"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using tributary::bench::cpu_seconds;
using tributary::bench::failure;
using tributary::bench::monotonic_ns;
using tributary::bench::per_s;
using tributary::bench::seconds_between;

struct options {
  std::string address;  // host:port of the REST proxy
  std::string topic;
  std::uint64_t records = 200000;
  std::size_t record_size = 1024;
  std::size_t batch = 100;
  int connections = 16;
  int partitions = 1;
  std::size_t max_bytes = 8 << 20;
  int broker_pid = 0;
};

// One keep-alive HTTP/1.1 connection.
class client {
 public:
  explicit client(const std::string& address) {
    const auto colon = address.rfind(':');
    host_ = address;
    tcp::resolver resolver(ioc_);
    asio::connect(socket_, resolver.resolve(address.substr(0, colon), address.substr(colon + 1)));
    socket_.set_option(tcp::no_delay(true));
  }

  // `reuse`: a string whose capacity the response body is read into (a client that keeps its
  // buffers instead of faulting in fresh pages for every response).
  http::response<http::string_body> send(http::verb method, const std::string& target, std::string body,
                                         const std::string& content_type, const std::string& accept,
                                         std::string reuse = {}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, host_);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    if (!accept.empty()) req.set(http::field::accept, accept);
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(socket_, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ULL << 31);
    http::read_header(socket_, buffer_, parser);
    const auto length = parser.content_length();
    if (parser.is_done() || !length || parser.chunked()) {
      http::read(socket_, buffer_, parser);
      return parser.release();
    }
    // A body of known length straight into the kept string: what the header read buffered, then
    // one read for the rest (Beast's parser would take it through buffer_ in small steps).
    auto res = parser.release();
    const std::size_t buffered = std::min<std::size_t>(buffer_.size(), *length);
    reuse.resize(*length);
    asio::buffer_copy(asio::buffer(reuse.data(), buffered), buffer_.data());
    buffer_.consume(buffered);
    asio::read(socket_, asio::buffer(reuse.data() + buffered, *length - buffered));
    res.body() = std::move(reuse);
    return res;
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_{ioc_};
  boost::beast::flat_buffer buffer_;
  std::string host_;
};

constexpr const char* binary_type = "application/vnd.kafka.binary.v2+json";
constexpr const char* v2_type = "application/vnd.kafka.v2+json";

std::string key_of(std::uint64_t seq) { return tributary::base64_encode(std::to_string(seq)); }

void cpu_line(const char* phase, double client_s, const options& opt, double broker_s, double mb, double wall_s) {
  std::printf("cpu %s: client %.2f s (%.0f us/MB)", phase, client_s, mb > 0 ? client_s * 1e6 / mb : 0);
  if (opt.broker_pid) std::printf(", broker %.2f s (%.0f us/MB)", broker_s, mb > 0 ? broker_s * 1e6 / mb : 0);
  std::printf(" in %.2f s wall\n", wall_s);
}

bool produce(const options& opt, failure& fail) {
  const std::string value = tributary::base64_encode(std::string(opt.record_size, 'x'));
  const std::uint64_t batches = (opt.records + opt.batch - 1) / opt.batch;
  std::atomic<std::uint64_t> next{0};
  const auto cpu0 = cpu_seconds(0), broker0 = cpu_seconds(opt.broker_pid);
  const auto start = monotonic_ns();
  std::vector<std::thread> threads;
  for (int c = 0; c < opt.connections; ++c) {
    threads.emplace_back([&] {
      try {
        client cl(opt.address);
        std::string body;
        for (std::uint64_t b; !fail.failed && (b = next.fetch_add(1)) < batches;) {
          const auto first = b * opt.batch;
          const auto last = std::min(opt.records, first + opt.batch);
          body = "{\"records\":[";
          for (auto seq = first; seq < last; ++seq) {
            if (seq != first) body += ',';
            body += "{\"key\":\"" + key_of(seq) + "\",\"value\":\"" + value + "\"}";
          }
          body += "]}";
          auto res = cl.send(http::verb::post, "/topics/" + opt.topic, std::move(body), binary_type, v2_type);
          if (res.result() != http::status::ok) return fail.set("produce: HTTP " + std::to_string(res.result_int()) + " " + res.body());
          json::monotonic_resource arena;
          const auto answer = json::parse(res.body(), &arena);
          const auto& offsets = answer.at("offsets").as_array();
          if (offsets.size() != last - first) return fail.set("produce: " + std::to_string(offsets.size()) + " offsets for " + std::to_string(last - first) + " records");
          for (const auto& o : offsets)
            if (o.at("offset").is_null()) return fail.set("produce: a record failed: " + json::serialize(o));
        }
      } catch (const std::exception& e) {
        fail.set(std::string("produce: ") + e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto wall = seconds_between(start, monotonic_ns());
  if (fail.failed) return false;
  const double mb = static_cast<double>(opt.records * opt.record_size) / 1e6;
  std::printf("rest produce: %.1f MB/s %.0f records/s [%llu records of %zu bytes in %.3f s, %zu records per request, "
              "%d connections]\n",
              per_s(mb, wall), per_s(static_cast<double>(opt.records), wall), static_cast<unsigned long long>(opt.records),
              opt.record_size, wall, opt.batch, opt.connections);
  cpu_line("rest produce", cpu_seconds(0) - cpu0, opt, cpu_seconds(opt.broker_pid) - broker0, mb, wall);
  return true;
}

bool consume(const options& opt, failure& fail) {
  try {
    client cl(opt.address);
    const std::string group = "rest-bench-" + std::to_string(::getpid());
    auto created = cl.send(http::verb::post, "/consumers/" + group,
                           R"({"format":"binary","auto.offset.reset":"earliest","auto.commit.enable":"false"})", v2_type, v2_type);
    if (created.result() != http::status::ok) return fail.set("create: " + created.body()), false;
    const std::string base = "/consumers/" + group + "/instances/" + std::string(json::parse(created.body()).at("instance_id").as_string());
    json::array partitions;
    for (int p = 0; p < opt.partitions; ++p) partitions.push_back(json::object{{"topic", opt.topic}, {"partition", p}});
    auto assigned = cl.send(http::verb::post, base + "/assignments", json::serialize(json::object{{"partitions", partitions}}), v2_type, "");
    if (assigned.result() != http::status::no_content) return fail.set("assign: " + assigned.body()), false;

    std::vector<bool> seen(opt.records, false);
    std::uint64_t received = 0, requests = 0;
    const auto target = base + "/records?timeout=1000&max_bytes=" + std::to_string(opt.max_bytes);
    // Buffers kept from one response to the next: the body, and the memory its JSON document is
    // built in (a base64 value of n bytes takes about 4n/3 in the document).
    std::string body;
    std::vector<unsigned char> document_memory(opt.max_bytes * 2 + (1 << 20));
    const auto cpu0 = cpu_seconds(0), broker0 = cpu_seconds(opt.broker_pid);
    const auto start = monotonic_ns();
    auto last_progress = start;
    while (received < opt.records) {
      auto res = cl.send(http::verb::get, target, "", "", binary_type, std::move(body));
      ++requests;
      if (res.result() != http::status::ok) return fail.set("records: HTTP " + std::to_string(res.result_int()) + " " + res.body()), false;
      json::monotonic_resource arena(document_memory.data(), document_memory.size());  // one response's document
      const auto records = json::parse(res.body(), &arena);
      for (const auto& r : records.as_array()) {
        const auto key = tributary::base64_decode(r.at("key").as_string());
        const auto seq = key ? std::stoull(*key) : opt.records;
        if (seq >= opt.records || seen[seq]) return fail.set("records: unexpected or repeated key " + json::serialize(r.at("key"))), false;
        if (r.at("value").as_string().size() != (opt.record_size + 2) / 3 * 4) return fail.set("records: a value of the wrong size"), false;
        seen[seq] = true;
        ++received;
        last_progress = monotonic_ns();
      }
      body = std::move(res.body());  // its capacity serves the next response
      if (seconds_between(last_progress, monotonic_ns()) > 30) return fail.set("records: no progress for 30 s at " + std::to_string(received)), false;
    }
    const auto wall = seconds_between(start, last_progress);
    const double mb = static_cast<double>(opt.records * opt.record_size) / 1e6;
    std::printf("rest consume: %.1f MB/s %.0f records/s [every record exactly once, %.3f s from the first records "
                "request to the last record, %llu requests of up to %zu bytes]\n",
                per_s(mb, wall), per_s(static_cast<double>(opt.records), wall), wall,
                static_cast<unsigned long long>(requests), opt.max_bytes);
    cpu_line("rest consume", cpu_seconds(0) - cpu0, opt, cpu_seconds(opt.broker_pid) - broker0, mb, wall);
    cl.send(http::verb::delete_, base, "", "", "");
    return true;
  } catch (const std::exception& e) {
    fail.set(std::string("consume: ") + e.what());
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  CLI::App app{"Produces and consumes through the Kafka REST Proxy"};
  app.add_option("--address", opt.address, "REST proxy HOST:PORT")->required();
  app.add_option("--topic", opt.topic, "Topic (created on first produce)")->required();
  app.add_option("--records", opt.records, "Records to produce and read back")->capture_default_str();
  app.add_option("--record-size", opt.record_size, "Value bytes per record")->capture_default_str();
  app.add_option("--batch", opt.batch, "Records per produce request")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--connections", opt.connections, "Produce connections")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--partitions", opt.partitions, "Partitions of the topic (all assigned to the consumer)")->capture_default_str();
  app.add_option("--max-bytes", opt.max_bytes, "max_bytes of each records request")->capture_default_str();
  app.add_option("--broker-pid", opt.broker_pid, "Process id of the broker, to report its CPU time per phase");
  CLI11_PARSE(app, argc, argv);
  failure fail;
  if (!produce(opt, fail) || !consume(opt, fail)) {
    std::fprintf(stderr, "%s\n", fail.first.c_str());
    return 1;
  }
  return 0;
}
