// registry_bench: the device registry in-process, wired as `tributary serve` wires it
// (registry_service::open; the management API served by net::serve_http on a loopback tcp_listener,
// each request offloaded to the blocking pool that the lookups also use), measured in three parts:
//   1. provisioning through the API: C keep-alive HTTP/1.1 clients (Beast coroutines on one client
//      thread) create N devices in one tenant, each a POST /v1/devices/{tenant}/{id} (201) then a
//      PUT /v1/credentials/{tenant}/{id} (204) with one hashed-password secret given as a sha-256
//      pwd-hash; the peer: the same N devices written into a second, fresh registry through
//      registry::management from C threads (the same JSON bodies, parsed; no HTTP, no pool);
//   2. lookups under that load, on one more thread standing for an adapter's I/O thread:
//      async_assert_registration + async_authenticate_password (the adapters' calls: a cache hit is
//      answered inline, a miss goes to the blocking pool) about random "resident" devices (in a
//      tenant of their own, provisioned and looked up before the run: cache hits unless the run
//      disturbs them) and about random devices provisioned so far (usually a first lookup: a
//      miss), each paced at --lookup-rate/s, every call timed and checked, with a wrong password
//      every 16th time;
//   3. authentications/s on 1 thread and on --threads threads: uncached (a second registry on the
//      same database whose lookups have max_entries 0, so every call runs bcrypt at --bcrypt-cost;
//      peer: registry::verify alone) and cached (the server's lookups, warmed; peer: a bare
//      std::unordered_map find + compare on the same auth-ids, the least a cache lookup can cost),
//      the HMAC the password cache computes per call alone, and the async path on an io_context.
// Every answer is checked: a status other than 201/204, a failed or wrong lookup, a wrong password
// that authenticates, exits 1. Prints one line per result, which bench/registry parses. A
// benchmark, never a test: not in ctest.
#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench_support.h"
#include "net/blocking.h"
#include "net/http_session.h"
#include "net/io_pool.h"
#include "net/tcp_listener.h"
#include "registry/password.h"
#include "registry/registry_service.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tributary::bench::failure;
using tributary::bench::monotonic_ns;
using tributary::bench::per_s;
using tributary::bench::percentile;
using tributary::bench::seconds_between;
namespace http = beast::http;
namespace reg = tributary::registry;
namespace net = tributary::net;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
constexpr const char* provision_tenant = "bench";
constexpr const char* resident_tenant = "bench-resident";
constexpr const char* uncached_tenant = "bench-bcrypt";
constexpr const char* cached_tenant = "bench-cached";
// The cached tenant's secrets: one bcrypt hash per device, so that the password cache holds one
// entry per device as it would in production; cost 4 keeps hashing and warming them quick. A hit
// does not run bcrypt, so the cost does not change what a cached authentication costs.
constexpr int cached_cost = 4;

struct options {
  std::filesystem::path dir;
  std::size_t devices = 50000;
  std::size_t clients = 16;
  double lookup_rate = 500;      // rounds/s of each lookup loop during provisioning; 0: back to back
  std::size_t resident = 1000;  // devices provisioned and cached before the provisioning runs
  std::size_t auth_devices = 1000;
  double bcrypt_seconds = 3;
  double cached_seconds = 2;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  unsigned io_threads = 0;  // 0: one per core, as server.threads defaults
  int bcrypt_cost = 10;
  int timeout_s = 1800;  // the longest a provisioning run may take before it is declared failed
};


// User + system CPU seconds of this process so far.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}


std::string base64(const unsigned char* bytes, std::size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string random_hex(std::mt19937_64& rng, std::size_t bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(rng() & 0xff);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::string numbered(const char* prefix, std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%06zu", prefix, i);
  return buf;
}

std::string credentials_body(const std::string& auth_id, const boost::json::object& secret) {
  return boost::json::serialize(boost::json::array{
      boost::json::object{{"type", "hashed-password"}, {"auth-id", auth_id}, {"secrets", boost::json::array{secret}}}});
}

// One device to provision, with its request bodies built before anything is timed.
struct device_data {
  std::string id;
  std::string auth_id;
  std::string password;
  std::string device_body;
  std::string credentials_body;
};

// The secret is what Hono's MessageDigestPasswordEncoder stores: Base64(SHA-256(salt + password)).
std::vector<device_data> make_devices(std::size_t n, const char* id_prefix, const char* auth_prefix, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<device_data> out(n);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  for (std::size_t i = 0; i < n; ++i) {
    device_data& d = out[i];
    d.id = numbered(id_prefix, i);
    d.auth_id = numbered(auth_prefix, i);
    d.password = random_hex(rng, 12);
    d.device_body = boost::json::serialize(boost::json::object{
        {"enabled", true}, {"defaults", boost::json::object{{"content-type", "application/json"}}},
        {"ext", boost::json::object{{"bench-index", i}}}});
    unsigned char salt[16];
    for (auto& b : salt) b = static_cast<unsigned char>(rng() & 0xff);
    unsigned char digest[32];
    unsigned int size = 0;
    EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(md.get(), salt, sizeof salt);
    EVP_DigestUpdate(md.get(), d.password.data(), d.password.size());
    EVP_DigestFinal_ex(md.get(), digest, &size);
    d.credentials_body = credentials_body(d.auth_id, boost::json::object{{"hash-function", "sha-256"},
                                                                          {"pwd-hash", base64(digest, size)},
                                                                          {"salt", base64(salt, sizeof salt)}});
  }
  return out;
}

// "<label>: p50 X <unit> p99 Y <unit> [p99.9 Z <unit>, max M <unit>, N calls]"
void print_latency(const std::string& label, std::vector<std::int64_t> ns, double unit_ns, const char* unit) {
  const double p50 = percentile(ns, 0.50) / unit_ns;
  const double p99 = percentile(ns, 0.99) / unit_ns;
  const double p999 = percentile(ns, 0.999) / unit_ns;
  const double max = ns.empty() ? 0 : *std::max_element(ns.begin(), ns.end()) / unit_ns;
  std::printf("%s: p50 %.3f %s p99 %.3f %s [p99.9 %.3f %s, max %.3f %s, %zu calls]\n", label.c_str(), p50, unit, p99,
              unit, p999, unit, max, unit, ns.size());
}

// A registry as the server has it, with the blocking pool it needs; the pool is joined before the
// registry goes away, as server.cc does at shutdown.
struct registry_env {
  boost::asio::thread_pool blocking{std::max(2u, std::thread::hardware_concurrency())};
  std::unique_ptr<reg::registry_service> service;

  bool open(const std::filesystem::path& database, reg::lookup_options lookups, int max_bcrypt_cost) {
    reg::registry_options o;
    o.database = database;
    o.credentials.max_bcrypt_cost = max_bcrypt_cost;
    o.lookups = lookups;
    auto opened = reg::registry_service::open(o, blocking);
    if (!opened) {
      std::fprintf(stderr, "cannot open the registry %s: %s\n", database.c_str(), opened.error().message.c_str());
      return false;
    }
    service = std::move(*opened);
    return true;
  }
  ~registry_env() {
    blocking.join();
    service.reset();
  }
};

// Which devices are fully provisioned: client (or thread) c provisions devices c, c + C, c + 2C, ...
// in order and counts the finished ones in done[c]. Also when each tenth of them was done, to show
// whether provisioning slows down as the registry fills.
struct progress {
  progress(std::size_t clients, std::size_t devices) : done(clients), total(devices), tenth_ns(11) {}
  std::vector<std::atomic<std::uint32_t>> done;
  const std::size_t total;
  std::atomic<std::size_t> finished{0};
  std::vector<std::atomic<std::int64_t>> tenth_ns;
  std::size_t clients() const { return done.size(); }

  void start() { tenth_ns[0] = monotonic_ns(); }
  void device_done(std::size_t client) {
    done[client].fetch_add(1, std::memory_order_release);
    const std::size_t n = finished.fetch_add(1, std::memory_order_relaxed) + 1;
    if (total >= 10 && n % (total / 10) == 0 && n / (total / 10) <= 10) tenth_ns[n / (total / 10)] = monotonic_ns();
  }
  // "a b c ... j": devices/s in each tenth of the run.
  std::string tenths() const {
    std::string out;
    for (std::size_t i = 1; total >= 10 && i <= 10; ++i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.0f", i == 1 ? "" : " ",
                    per_s(total / 10, seconds_between(tenth_ns[i - 1].load(), tenth_ns[i].load())));
      out += buf;
    }
    return out;
  }
};

struct lookup_stats {
  std::vector<std::int64_t> resident_assert_ns, resident_auth_ns, new_assert_ns, new_auth_ns, wrong_ns;
};

std::string describe_assertion(const reg::registry_result<reg::registration_assertion>& a) {
  if (!a) return "failed: " + a.error().message;
  return a->device ? "asserted a disabled device" : "asserted no device";
}

std::string describe_auth(const reg::registry_result<reg::authenticated_device>& r) {
  return r ? "named device " + r->device_id : "failed: " + r.error().message;
}

// One adapter's questions about one device: async_assert_registration, then
// async_authenticate_password with its password, checked, each call timed.
asio::awaitable<bool> probe(reg::lookups& l, const std::string& tenant, const device_data& d,
                            std::vector<std::int64_t>& assert_ns, std::vector<std::int64_t>& auth_ns, failure& fail) {
  std::int64_t t0 = monotonic_ns();
  auto assert_op = l.async_assert_registration(tenant, d.id, std::nullopt);
  auto a = co_await std::move(assert_op);
  std::int64_t t1 = monotonic_ns();
  assert_ns.push_back(t1 - t0);
  if (!a || !a->device || !a->device->enabled) {
    fail.set("assert_registration(" + d.id + ") " + describe_assertion(a));
    co_return false;
  }
  t0 = monotonic_ns();
  auto auth_op = l.async_authenticate_password(tenant, d.auth_id, d.password);
  auto r = co_await std::move(auth_op);
  t1 = monotonic_ns();
  auth_ns.push_back(t1 - t0);
  if (!r || r->device_id != d.id || r->auth_id != d.auth_id) {
    fail.set("authenticate_password(" + d.auth_id + ") " + describe_auth(r));
    co_return false;
  }
  co_return true;
}

// Waits for the next slot of a paced loop; a slot missed while a call was slow is skipped, not
// made up with a burst.
class pacer {
 public:
  pacer(asio::any_io_executor ex, double rate)
      : timer_(ex), interval_(rate > 0 ? static_cast<std::int64_t>(1e9 / rate) : 0), next_(std::chrono::steady_clock::now()) {}
  asio::awaitable<void> wait() {
    if (interval_.count() == 0) {
      // Back to back: still let the other loop on this thread run (cache hits never suspend).
      co_await asio::post(timer_.get_executor(), asio::use_awaitable);
      co_return;
    }
    timer_.expires_at(next_);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    next_ = std::max(next_ + interval_, std::chrono::steady_clock::now() - interval_);
  }

 private:
  asio::steady_timer timer_;
  std::chrono::nanoseconds interval_;
  std::chrono::steady_clock::time_point next_;
};

// Resident devices (provisioned and looked up before the run: cached, unless the run's changes
// evict them), one every 1/rate s.
asio::awaitable<void> resident_lookups(reg::lookups& l, const std::vector<device_data>& resident, double rate,
                                       const std::atomic<bool>& stop, lookup_stats& out, failure& fail) {
  std::mt19937_64 rng(5);
  pacer pace(co_await asio::this_coro::executor, rate);
  const std::string tenant = resident_tenant;
  while (!resident.empty() && !stop.load(std::memory_order_relaxed) && !fail.failed.load(std::memory_order_relaxed)) {
    co_await pace.wait();
    const device_data& d = resident[rng() % resident.size()];
    if (!co_await probe(l, tenant, d, out.resident_assert_ns, out.resident_auth_ns, fail)) co_return;
  }
}

// Devices provisioned so far in the run (usually their first lookup: a miss, which goes to the
// blocking pool the management API also uses), one every 1/rate s or when the previous one is
// answered; every 16th also with a wrong password, right after the right one.
asio::awaitable<void> new_lookups(reg::lookups& l, const std::vector<device_data>& devices, const progress& p,
                                  double rate, const std::atomic<bool>& stop, lookup_stats& out, failure& fail) {
  std::mt19937_64 rng(7);
  pacer pace(co_await asio::this_coro::executor, rate);
  const std::string tenant = provision_tenant;
  for (std::uint64_t n = 0; !stop.load(std::memory_order_relaxed) && !fail.failed.load(std::memory_order_relaxed);) {
    co_await pace.wait();
    const std::size_t c = rng() % p.clients();
    const std::uint32_t k = p.done[c].load(std::memory_order_acquire);
    if (k == 0) {
      asio::steady_timer idle(co_await asio::this_coro::executor, 1ms);  // nothing provisioned yet
      co_await idle.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    const device_data& d = devices[c + p.clients() * (rng() % k)];
    if (!co_await probe(l, tenant, d, out.new_assert_ns, out.new_auth_ns, fail)) co_return;
    if (n++ % 16 == 0) {
      const std::string wrong = d.password + "x";
      const std::int64_t t0 = monotonic_ns();
      auto op = l.async_authenticate_password(tenant, d.auth_id, wrong);
      auto w = co_await std::move(op);
      out.wrong_ns.push_back(monotonic_ns() - t0);
      if (w || w.error().code != reg::registry_errc::unauthorized) {
        fail.set("authenticate_password(" + d.auth_id + ") with a wrong password " +
                 (w ? "succeeded" : "failed with: " + w.error().message));
        co_return;
      }
    }
  }
}

void print_lookups(const char* load, lookup_stats& s, double rate, double seconds) {
  std::printf("registry lookup pacing under %s load: resident %.0f rounds/s, new %.0f rounds/s, %s [each round "
              "async_assert_registration + async_authenticate_password, co_awaited on one adapter thread]\n",
              load, per_s(s.resident_assert_ns.size(), seconds), per_s(s.new_assert_ns.size(), seconds),
              rate > 0 ? ("each paced at " + std::to_string(static_cast<long>(rate)) + "/s").c_str() : "back to back");
  const std::string prefix = std::string("registry lookup under ") + load + " load, ";
  print_latency(prefix + "resident assert_registration", std::move(s.resident_assert_ns), 1e3, "us");
  print_latency(prefix + "resident authenticate_password", std::move(s.resident_auth_ns), 1e3, "us");
  print_latency(prefix + "new assert_registration", std::move(s.new_assert_ns), 1e3, "us");
  print_latency(prefix + "new authenticate_password", std::move(s.new_auth_ns), 1e3, "us");
  print_latency(prefix + "wrong password", std::move(s.wrong_ns), 1e3, "us");
}

// The resident devices, in a tenant of their own: provisioned (untimed) before the run, then looked
// up twice each (the caches keep a device's answers from its second lookup on), so that they are in
// the lookup caches when it starts, as the devices sending through the adapters are.
bool add_resident(reg::registry_service& r, const std::vector<device_data>& resident) {
  const std::string tenant = resident_tenant;
  if (auto c = r.management().create_tenant(tenant, boost::json::object{}); !c) {
    std::fprintf(stderr, "create_tenant(%s): %s\n", tenant.c_str(), c.error().message.c_str());
    return false;
  }
  for (const auto& d : resident) {
    if (auto c = r.management().create_device(tenant, d.id, boost::json::parse(d.device_body)); !c) {
      std::fprintf(stderr, "create_device(%s): %s\n", d.id.c_str(), c.error().message.c_str());
      return false;
    }
    if (auto c = r.management().update_credentials(tenant, d.id, boost::json::parse(d.credentials_body), std::nullopt); !c) {
      std::fprintf(stderr, "update_credentials(%s): %s\n", d.id.c_str(), c.error().message.c_str());
      return false;
    }
  }
  for (int sight = 0; sight < 2; ++sight) {
    for (const auto& d : resident) {
      auto a = r.lookups().assert_registration(tenant, d.id, std::nullopt);
      auto p = r.lookups().authenticate_password(tenant, d.auth_id, d.password);
      if (!a || !p) {
        std::fprintf(stderr, "looking up %s: %s / %s\n", d.id.c_str(), describe_assertion(a).c_str(), describe_auth(p).c_str());
        return false;
      }
    }
  }
  return true;
}

// ---- provisioning through the management API over HTTP -------------------------------------------

struct client_stats {
  std::vector<std::int64_t> device_ns, credentials_ns;
};

http::request<http::string_body> make_request(http::verb verb, std::string target, const std::string& body) {
  http::request<http::string_body> req{verb, std::move(target), 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  return req;
}

std::string describe(const http::response<http::string_body>& res) {
  return std::to_string(res.result_int()) + " " + std::string(res.reason()) + " " + res.body().substr(0, 200);
}

// One keep-alive connection provisioning devices c, c + C, ...
asio::awaitable<void> provision_client(tcp::endpoint server, const std::vector<device_data>& devices, std::size_t c,
                                       progress& p, client_stats& stats, failure& fail) {
  tcp::socket socket(co_await asio::this_coro::executor);
  auto [connect_error] = co_await socket.async_connect(server, asio::as_tuple(asio::use_awaitable));
  if (connect_error) {
    fail.set("client " + std::to_string(c) + ": connect: " + connect_error.message());
    co_return;
  }
  socket.set_option(tcp::no_delay(true));
  beast::flat_buffer buffer;
  const std::string tenant = provision_tenant;
  for (std::size_t i = c; i < devices.size() && !fail.failed.load(std::memory_order_relaxed); i += p.clients()) {
    const device_data& d = devices[i];
    for (int step = 0; step < 2; ++step) {
      const bool device_step = step == 0;
      auto req = device_step ? make_request(http::verb::post, "/v1/devices/" + tenant + "/" + d.id, d.device_body)
                             : make_request(http::verb::put, "/v1/credentials/" + tenant + "/" + d.id, d.credentials_body);
      http::response<http::string_body> res;
      const std::int64_t t0 = monotonic_ns();
      auto [write_error, written] = co_await http::async_write(socket, req, asio::as_tuple(asio::use_awaitable));
      if (write_error) {
        fail.set("client " + std::to_string(c) + ": write: " + write_error.message());
        co_return;
      }
      auto [read_error, read] = co_await http::async_read(socket, buffer, res, asio::as_tuple(asio::use_awaitable));
      const std::int64_t t1 = monotonic_ns();
      if (read_error) {
        fail.set("client " + std::to_string(c) + ": read: " + read_error.message());
        co_return;
      }
      const auto expected = device_step ? http::status::created : http::status::no_content;
      if (res.result() != expected) {
        fail.set(std::string(device_step ? "POST device " : "PUT credentials ") + d.id + ": " + describe(res));
        co_return;
      }
      (device_step ? stats.device_ns : stats.credentials_ns).push_back(t1 - t0);
    }
    p.device_done(c);
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

// The registry listener of server.cc (open_registry), on a free loopback port.
class api_server {
 public:
  api_server(registry_env& env, unsigned io_threads) : env_(env), pool_(io_threads) {}
  ~api_server() { stop(); }

  bool start() {
    auto* env = &env_;
    net::http_handler handler = [env](const net::http_request& req) -> asio::awaitable<net::http_response> {
      co_return co_await net::offload(env->blocking, [env, &req] { return env->service->api().handle(req); });
    };
    auto bound = net::tcp_listener::bind(pool_, "registry", {"127.0.0.1", 0},
                                         [handler](std::shared_ptr<net::connection> c) {
                                           return net::serve_http(std::move(c), handler, net::http_limits{});
                                         });
    if (!bound) {
      std::fprintf(stderr, "cannot bind the registry listener: %s\n", bound.error().message.c_str());
      return false;
    }
    listener_ = std::move(*bound);
    pool_.start();
    listener_->start();
    return true;
  }
  tcp::endpoint endpoint() const {
    const auto& a = listener_->local_address();
    return {asio::ip::make_address(a.host), a.port};
  }
  std::size_t io_threads() const { return pool_.size(); }

  // The staged shutdown of server.cc: stop accepting, drain, close what is left, stop the pool.
  void stop() {
    if (!listener_ || stopped_) return;
    stopped_ = true;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    listener_->stop_accepting();
    listener_->drain();
    if (!listener_->wait_until_empty(deadline)) {
      listener_->close_all();
      listener_->wait_until_empty(std::chrono::steady_clock::now() + 2s);
    }
    pool_.stop(std::chrono::steady_clock::now() + 2s);
  }

 private:
  registry_env& env_;
  net::io_pool pool_;
  std::unique_ptr<net::tcp_listener> listener_;
  bool stopped_ = false;
};

struct provision_result {
  double seconds = 0;
  double cpu = 0;
};

// Runs `provision` (which returns when every device is done or the run failed) while the lookup
// load runs against `l` on its own thread, as an adapter's I/O thread would.
bool with_lookup_load(const options& opt, reg::lookups& l, const std::vector<device_data>& devices,
                      const std::vector<device_data>& resident, progress& p, lookup_stats& lookups, failure& fail,
                      provision_result& out, const std::function<void()>& provision) {
  std::atomic<bool> stop{false};
  asio::io_context adapter;
  asio::co_spawn(adapter, resident_lookups(l, resident, opt.lookup_rate, stop, lookups, fail), asio::detached);
  asio::co_spawn(adapter, new_lookups(l, devices, p, opt.lookup_rate, stop, lookups, fail), asio::detached);
  const double cpu0 = cpu_seconds();
  p.start();
  const std::int64_t t0 = monotonic_ns();
  std::thread loader([&] { adapter.run(); });
  provision();
  const std::int64_t t1 = monotonic_ns();
  stop = true;
  loader.join();
  out.seconds = seconds_between(t0, t1);
  out.cpu = cpu_seconds() - cpu0;
  if (fail.failed) return false;
  if (p.finished.load() != devices.size()) {
    fail.set("only " + std::to_string(p.finished.load()) + " of " + std::to_string(devices.size()) +
             " devices provisioned");
    return false;
  }
  return true;
}

void print_calls(const char* first, const char* second, std::vector<client_stats>& stats) {
  std::vector<std::int64_t> device_ns, credentials_ns;
  for (auto& s : stats) {
    device_ns.insert(device_ns.end(), s.device_ns.begin(), s.device_ns.end());
    credentials_ns.insert(credentials_ns.end(), s.credentials_ns.begin(), s.credentials_ns.end());
  }
  print_latency(first, std::move(device_ns), 1e6, "ms");
  print_latency(second, std::move(credentials_ns), 1e6, "ms");
}

bool provision_api(const options& opt, const std::vector<device_data>& devices, const std::vector<device_data>& resident) {
  registry_env env;
  if (!env.open(opt.dir / "api" / "registry.db", {}, 10)) return false;
  api_server server(env, opt.io_threads);
  if (!server.start()) return false;
  // The tenant through the API as well; the resident devices are setup, through management.
  {
    asio::io_context ctx;
    tcp::socket socket(ctx);
    socket.connect(server.endpoint());
    auto req = make_request(http::verb::post, std::string("/v1/tenants/") + provision_tenant, "{}");
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    if (res.result() != http::status::created) {
      std::fprintf(stderr, "POST /v1/tenants/%s: %s\n", provision_tenant, describe(res).c_str());
      return false;
    }
  }
  if (!add_resident(*env.service, resident)) return false;
  failure fail;
  progress p(opt.clients, devices.size());
  std::vector<client_stats> stats(opt.clients);
  lookup_stats lookups;
  provision_result result;
  const bool ok = with_lookup_load(opt, env.service->lookups(), devices, resident, p, lookups, fail, result, [&] {
    asio::io_context ctx;
    for (std::size_t c = 0; c < opt.clients; ++c) {
      asio::co_spawn(ctx, provision_client(server.endpoint(), devices, c, p, stats[c], fail), asio::detached);
    }
    ctx.run_for(std::chrono::seconds(opt.timeout_s));
    if (!ctx.stopped()) fail.set("provisioning through the API took longer than " + std::to_string(opt.timeout_s) + " s");
  });
  server.stop();
  if (!ok) {
    std::fprintf(stderr, "%s\n", fail.first.c_str());
    return false;
  }
  std::printf(
      "registry provision api: %.1f devices/s [%zu devices, each POST device + PUT credentials (sha-256 pwd-hash), "
      "in %.3f s over %zu keep-alive HTTP/1.1 connections; server %zu io thread(s), blocking pool %u; process cpu "
      "%.2f s = %.0f us/device]\n",
      per_s(devices.size(), result.seconds), devices.size(), result.seconds, opt.clients, server.io_threads(),
      std::max(2u, std::thread::hardware_concurrency()), result.cpu, result.cpu * 1e6 / static_cast<double>(devices.size()));
  std::printf("registry provision api by tenths: %s devices/s\n", p.tenths().c_str());
  print_calls("registry http POST device", "registry http PUT credentials", stats);
  print_lookups("api", lookups, opt.lookup_rate, result.seconds);
  std::fflush(stdout);
  return true;
}

// The peer: the same devices through registry::management from C threads, no HTTP.
bool provision_direct(const options& opt, const std::vector<device_data>& devices,
                      const std::vector<device_data>& resident) {
  registry_env env;
  if (!env.open(opt.dir / "direct" / "registry.db", {}, 10)) return false;
  reg::management& m = env.service->management();
  if (auto r = m.create_tenant(std::string(provision_tenant), boost::json::object{}); !r) {
    std::fprintf(stderr, "create_tenant: %s\n", r.error().message.c_str());
    return false;
  }
  if (!add_resident(*env.service, resident)) return false;
  failure fail;
  progress p(opt.clients, devices.size());
  std::vector<client_stats> stats(opt.clients);
  lookup_stats lookups;
  provision_result result;
  const bool ok = with_lookup_load(opt, env.service->lookups(), devices, resident, p, lookups, fail, result, [&] {
    std::vector<std::thread> threads;
    for (std::size_t c = 0; c < opt.clients; ++c) {
      threads.emplace_back([&, c] {
        const std::string tenant = provision_tenant;
        for (std::size_t i = c; i < devices.size() && !fail.failed.load(std::memory_order_relaxed); i += opt.clients) {
          const device_data& d = devices[i];
          std::int64_t t0 = monotonic_ns();
          auto created = m.create_device(tenant, d.id, boost::json::parse(d.device_body));
          std::int64_t t1 = monotonic_ns();
          if (!created) return fail.set("create_device(" + d.id + "): " + created.error().message);
          stats[c].device_ns.push_back(t1 - t0);
          t0 = monotonic_ns();
          auto updated = m.update_credentials(tenant, d.id, boost::json::parse(d.credentials_body), std::nullopt);
          t1 = monotonic_ns();
          if (!updated) return fail.set("update_credentials(" + d.id + "): " + updated.error().message);
          stats[c].credentials_ns.push_back(t1 - t0);
          p.device_done(c);
        }
      });
    }
    for (auto& t : threads) t.join();
  });
  if (!ok) {
    std::fprintf(stderr, "%s\n", fail.first.c_str());
    return false;
  }
  std::printf(
      "registry provision direct: %.1f devices/s [%zu devices, each management::create_device + update_credentials "
      "on the same JSON bodies (parsed), in %.3f s from %zu threads; process cpu %.2f s = %.0f us/device]\n",
      per_s(devices.size(), result.seconds), devices.size(), result.seconds, opt.clients, result.cpu,
      result.cpu * 1e6 / static_cast<double>(devices.size()));
  std::printf("registry provision direct by tenths: %s devices/s\n", p.tenths().c_str());
  print_calls("registry direct create_device", "registry direct update_credentials", stats);
  print_lookups("direct", lookups, opt.lookup_rate, result.seconds);
  std::fflush(stdout);
  return true;
}

// ---- authentications/s --------------------------------------------------------------------------

// Runs `op(thread, i)` on `threads` threads until `seconds` have passed (each thread finishes the
// call in hand); false from op stops the run. Returns the calls made and the wall time taken.
struct timed_result {
  std::uint64_t calls = 0;
  double seconds = 0;
  double rate() const { return per_s(calls, seconds); }
};

template <typename Op>
timed_result run_timed(unsigned threads, double seconds, failure& fail, Op op) {
  std::atomic<std::uint64_t> total{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> pool;
  const std::int64_t t0 = monotonic_ns();
  const auto deadline = t0 + static_cast<std::int64_t>(seconds * 1e9);
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::uint64_t n = 0;
      // Checking the clock every 64 calls keeps it out of the cheap loops' figures.
      while (!stop.load(std::memory_order_relaxed)) {
        for (int k = 0; k < 64; ++k, ++n) {
          if (!op(t, n)) {
            stop = true;
            break;
          }
        }
        if (monotonic_ns() >= deadline) break;
      }
      total += n;
    });
  }
  for (auto& t : pool) t.join();
  return {fail.failed ? 0 : total.load(), seconds_between(t0, monotonic_ns())};
}

// Runs op(i) for i in [0, n) on `threads` threads, each taking i = t, t + threads, ...
template <typename Op>
void parallel_for(unsigned threads, std::size_t n, Op op) {
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (std::size_t i = t; i < n; i += threads) op(i);
    });
  }
  for (auto& t : pool) t.join();
}

// Like run_timed, but stops at the first call after the deadline: for calls of tens of milliseconds.
template <typename Op>
timed_result run_timed_slow(unsigned threads, double seconds, failure& fail, Op op) {
  std::atomic<std::uint64_t> total{0};
  std::vector<std::thread> pool;
  const std::int64_t t0 = monotonic_ns();
  const auto deadline = t0 + static_cast<std::int64_t>(seconds * 1e9);
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::uint64_t n = 0;
      while (monotonic_ns() < deadline && !fail.failed.load(std::memory_order_relaxed) && op(t, n)) ++n;
      total += n;
    });
  }
  for (auto& t : pool) t.join();
  return {fail.failed ? 0 : total.load(), seconds_between(t0, monotonic_ns())};
}

void print_rate(const char* what, unsigned threads, const char* unit, const timed_result& r, const char* note) {
  std::printf("registry %s, %u thread%s: %.1f %s [%llu calls in %.3f s; %.1f per thread%s%s]\n", what, threads,
              threads == 1 ? "" : "s", r.rate(), unit, static_cast<unsigned long long>(r.calls), r.seconds,
              r.rate() / threads, *note ? "; " : "", note);
}

struct auth_device {
  std::string auth_id;
  std::string password;
};

bool add_devices(reg::management& m, const char* tenant, const char* prefix, const std::vector<auth_device>& devices,
                 const std::vector<std::string>& hashes) {
  if (auto r = m.create_tenant(std::string(tenant), boost::json::object{}); !r) {
    std::fprintf(stderr, "create_tenant(%s): %s\n", tenant, r.error().message.c_str());
    return false;
  }
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const std::string id = numbered(prefix, i);
    if (auto r = m.create_device(tenant, id, boost::json::object{}); !r) {
      std::fprintf(stderr, "create_device(%s): %s\n", id.c_str(), r.error().message.c_str());
      return false;
    }
    const auto body = boost::json::parse(credentials_body(
        devices[i].auth_id, boost::json::object{{"hash-function", "bcrypt"}, {"pwd-hash", hashes[i % hashes.size()]}}));
    if (auto r = m.update_credentials(tenant, id, body, std::nullopt); !r) {
      std::fprintf(stderr, "update_credentials(%s): %s\n", id.c_str(), r.error().message.c_str());
      return false;
    }
  }
  return true;
}

// The figure of a password-cache hit needs the hashing the cache does per call, HMAC-SHA256 over
// (function, hash, salt, password) from a duplicated keyed context: measured alone to show its part.
struct keyed_hmac {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* keyed = nullptr;
  keyed_hmac() {
    mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    keyed = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    unsigned char key[32];
    RAND_bytes(key, sizeof key);
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                 OSSL_PARAM_construct_end()};
    if (keyed && EVP_MAC_init(keyed, key, sizeof key, params) != 1) {
      EVP_MAC_CTX_free(keyed);
      keyed = nullptr;
    }
  }
  ~keyed_hmac() {
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(mac);
  }
  bool digest(std::string_view a, std::string_view b, std::string_view c, std::string_view d, unsigned char* out) const {
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(keyed);
    std::size_t size = 0;
    bool ok = ctx != nullptr;
    for (auto field : {a, b, c, d}) {
      const std::uint64_t n = field.size();
      ok = ok && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(&n), sizeof n) == 1 &&
           EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(field.data()), field.size()) == 1;
    }
    ok = ok && EVP_MAC_final(ctx, out, &size, 32) == 1;
    EVP_MAC_CTX_free(ctx);
    return ok;
  }
};

bool authentications(const options& opt) {
  failure fail;
  const std::size_t n = opt.auth_devices;
  std::mt19937_64 rng(99);

  // The bcrypt tenant: n devices sharing one hash at --bcrypt-cost (hashing n of them would take
  // minutes; without a cache each call runs bcrypt anyway). The cached tenant: one password and one
  // cost-4 hash per device.
  const std::string shared_password = random_hex(rng, 12);
  std::int64_t t0 = monotonic_ns();
  auto shared = reg::hash_plain(shared_password, opt.bcrypt_cost);
  const double one_hash_ms = (monotonic_ns() - t0) / 1e6;
  if (!shared) {
    std::fprintf(stderr, "hash_plain(cost %d): %s\n", opt.bcrypt_cost, shared.error().message.c_str());
    return false;
  }
  std::vector<auth_device> bcrypt_devices(n), cached_devices(n);
  for (std::size_t i = 0; i < n; ++i) {
    bcrypt_devices[i] = {numbered("bauth-", i), shared_password};
    cached_devices[i] = {numbered("cauth-", i), random_hex(rng, 12)};
  }
  std::vector<std::string> cached_hashes(n);
  t0 = monotonic_ns();
  parallel_for(opt.threads, n, [&](std::size_t i) {
    auto h = reg::hash_plain(cached_devices[i].password, cached_cost);
    if (!h) fail.set("hash_plain(cost 4): " + h.error().message);
    else cached_hashes[i] = h->hash;
  });
  if (fail.failed) {
    std::fprintf(stderr, "%s\n", fail.first.c_str());
    return false;
  }
  const double cost4_s = seconds_between(t0, monotonic_ns());

  registry_env env;
  if (!env.open(opt.dir / "auth" / "registry.db", {}, std::max(opt.bcrypt_cost, cached_cost))) return false;
  if (!add_devices(env.service->management(), uncached_tenant, "bdev-", bcrypt_devices, {shared->hash}) ||
      !add_devices(env.service->management(), cached_tenant, "cdev-", cached_devices, cached_hashes)) {
    return false;
  }
  // The same database through a second registry whose lookups cache nothing (max_entries 0 turns
  // off the tenant, credential and password caches alike).
  registry_env uncached_env;
  if (!uncached_env.open(opt.dir / "auth" / "registry.db", {.ttl = 300000ms, .max_entries = 0},
                         std::max(opt.bcrypt_cost, cached_cost))) {
    return false;
  }
  std::printf("registry auth setup: %zu devices per tenant; %s: one shared bcrypt cost-%d hash (hash_plain took %.1f ms); "
              "%s: %zu distinct cost-%d hashes (%.2f s on %u threads)\n",
              n, uncached_tenant, opt.bcrypt_cost, one_hash_ms, cached_tenant, n, cached_cost, cost4_s, opt.threads);
  std::fflush(stdout);

  reg::lookups& uncached = uncached_env.service->lookups();
  reg::lookups& cached = env.service->lookups();
  const std::string bcrypt_tenant = uncached_tenant;
  const std::string cache_tenant = cached_tenant;
  auto check = [&](const reg::registry_result<reg::authenticated_device>& r, const std::string& auth_id) {
    if (!r) fail.set("authenticate_password(" + auth_id + "): " + r.error().message);
    else if (r->auth_id != auth_id) fail.set("authenticate_password(" + auth_id + ") named " + r->auth_id);
    return !fail.failed.load(std::memory_order_relaxed);
  };
  auto check_wrong = [&](reg::lookups& l, const std::string& tenant, const auth_device& d) {
    auto w = l.authenticate_password(tenant, d.auth_id, d.password + "x");
    if (w || w.error().code != reg::registry_errc::unauthorized) {
      fail.set("authenticate_password(" + d.auth_id + ") with a wrong password " +
               (w ? "succeeded" : "failed with: " + w.error().message));
    }
  };

  // Uncached: one bcrypt per call.
  check_wrong(uncached, bcrypt_tenant, bcrypt_devices[0]);
  std::vector<unsigned> thread_counts{1};
  if (opt.threads > 1) thread_counts.push_back(opt.threads);
  for (unsigned threads : thread_counts) {
    auto ours = run_timed_slow(threads, opt.bcrypt_seconds, fail, [&](unsigned t, std::uint64_t k) {
      const auto& d = bcrypt_devices[(t * 7919 + k) % n];
      return check(uncached.authenticate_password(bcrypt_tenant, d.auth_id, d.password), d.auth_id);
    });
    if (fail.failed) break;
    print_rate("uncached authenticate_password bcrypt", threads, "auth/s", ours, "lookups with max_entries 0");
    const reg::password_hash stored = *shared;
    auto peer = run_timed_slow(threads, opt.bcrypt_seconds, fail, [&](unsigned, std::uint64_t) {
      if (!reg::verify(stored, shared_password)) fail.set("registry::verify of the shared hash failed");
      return !fail.failed.load();
    });
    if (fail.failed) break;
    print_rate("bcrypt verify", threads, "verify/s", peer, "registry::verify alone");
    std::fflush(stdout);
  }
  if (fail.failed) {
    std::fprintf(stderr, "%s\n", fail.first.c_str());
    return false;
  }

  // Cached: warm with two authentications per device (one cost-4 bcrypt each; the credential is
  // cached from its second lookup on), then time hits.
  t0 = monotonic_ns();
  for (int sight = 0; sight < 2; ++sight) {
    parallel_for(opt.threads, n, [&](std::size_t i) {
      check(cached.authenticate_password(cache_tenant, cached_devices[i].auth_id, cached_devices[i].password),
            cached_devices[i].auth_id);
    });
  }
  for (std::size_t i = 0; i < n && !fail.failed; i += std::max<std::size_t>(1, n / 16)) {
    check_wrong(cached, cache_tenant, cached_devices[i]);
  }
  if (fail.failed) {
    std::fprintf(stderr, "%s\n", fail.first.c_str());
    return false;
  }
  std::printf("registry cache warm-up: %zu authentications in %.3f s, and 16 wrong passwords refused\n", 2 * n,
              seconds_between(t0, monotonic_ns()));

  std::unordered_map<std::string, std::string> bare;
  for (const auto& d : cached_devices) bare.emplace(d.auth_id, d.password);
  keyed_hmac hmac;
  const std::string sample_hash = cached_hashes[0];
  for (unsigned threads : thread_counts) {
    auto ours = run_timed(threads, opt.cached_seconds, fail, [&](unsigned t, std::uint64_t k) {
      const auto& d = cached_devices[(t * 7919 + k) % n];
      return check(cached.authenticate_password(cache_tenant, d.auth_id, d.password), d.auth_id);
    });
    if (fail.failed) break;
    print_rate("cached authenticate_password", threads, "auth/s", ours, "password cache hits, bcrypt secrets");
    std::atomic<std::uint64_t> misses{0};
    auto peer = run_timed(threads, opt.cached_seconds, fail, [&](unsigned t, std::uint64_t k) {
      const auto& d = cached_devices[(t * 7919 + k) % n];
      const auto it = bare.find(d.auth_id);
      if (it == bare.end() || it->second != d.password) misses.fetch_add(1, std::memory_order_relaxed);
      return true;
    });
    if (misses) fail.set("the bare map missed");
    if (fail.failed) break;
    print_rate("bare unordered_map find + compare", threads, "finds/s", peer, "the same auth-ids and passwords");
    auto mac = run_timed(threads, opt.cached_seconds / 2, fail, [&](unsigned t, std::uint64_t k) {
      const auto& d = cached_devices[(t * 7919 + k) % n];
      unsigned char out[32];
      if (!hmac.digest("bcrypt", sample_hash, "", d.password, out)) fail.set("HMAC failed");
      return !fail.failed.load(std::memory_order_relaxed);
    });
    if (fail.failed) break;
    print_rate("HMAC-SHA256 of a cache key alone", threads, "digests/s", mac,
               "EVP_MAC_CTX_dup + 8 updates + final, as password_cache::key_of");
    std::fflush(stdout);
  }
  if (fail.failed) {
    std::fprintf(stderr, "%s\n", fail.first.c_str());
    return false;
  }

  // The async path adapters use: a hit is answered inline, without a trip to the blocking pool.
  {
    asio::io_context ctx;
    std::uint64_t calls = 0;
    double seconds = 0;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void> {
          const std::int64_t start = monotonic_ns();
          const auto deadline = start + static_cast<std::int64_t>(opt.cached_seconds * 1e9);
          for (std::uint64_t k = 0;; ++k) {
            const auto& d = cached_devices[k % n];
            auto op = cached.async_authenticate_password(cache_tenant, d.auth_id, d.password);
            auto r = co_await std::move(op);
            if (!check(r, d.auth_id)) break;
            ++calls;
            if ((k & 63) == 0 && monotonic_ns() >= deadline) break;
          }
          seconds = seconds_between(start, monotonic_ns());
        },
        asio::detached);
    ctx.run();
    if (fail.failed) {
      std::fprintf(stderr, "%s\n", fail.first.c_str());
      return false;
    }
    print_rate("cached async_authenticate_password", 1, "auth/s", {calls, seconds},
               "co_awaited one after another on an io_context");
  }
  std::fflush(stdout);
  return true;
}

int run(const options& opt) {
  const std::string pacing =
      opt.lookup_rate > 0 ? std::to_string(static_cast<long>(opt.lookup_rate)) + " rounds/s" : "back to back";
  std::printf("registry setup: %zu devices, %zu clients, %zu resident devices, lookups %s during provisioning, %zu "
              "devices per auth tenant, %u threads, bcrypt cost %d, %u CPUs, data in %s\n",
              opt.devices, opt.clients, opt.resident, pacing.c_str(), opt.auth_devices, opt.threads, opt.bcrypt_cost,
              std::thread::hardware_concurrency(), opt.dir.c_str());
  std::fflush(stdout);
  const std::int64_t t0 = monotonic_ns();
  const auto devices = make_devices(opt.devices, "device-", "auth-", 42);
  const auto resident = make_devices(opt.resident, "resident-", "rauth-", 43);
  std::printf("registry bodies: %zu devices' JSON bodies and sha-256 secrets built in %.3f s (untimed)\n",
              devices.size(), seconds_between(t0, monotonic_ns()));
  std::fflush(stdout);
  if (!provision_api(opt, devices, resident)) return exit_failure;
  if (!provision_direct(opt, devices, resident)) return exit_failure;
  if (!authentications(opt)) return exit_failure;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  CLI::App app{"Benchmarks the device registry in-process: provisioning through the management API and directly, "
               "lookup latency under that load, cached and bcrypt authentications per second.",
               "registry_bench"};
  app.add_option("--dir", opt.dir, "Directory for the registry databases (created; must be empty)")->required();
  app.add_option("--devices", opt.devices, "Devices provisioned, through the API and again directly")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  app.add_option("--clients", opt.clients, "Concurrent HTTP connections (and direct threads) provisioning")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1024}))
      ->capture_default_str();
  app.add_option("--lookup-rate", opt.lookup_rate,
                 "Lookup rounds/s during provisioning (a resident and a new device, each assert_registration + "
                 "authenticate_password); 0: back to back")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  app.add_option("--resident", opt.resident, "Devices provisioned and cached before the provisioning runs")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000000}))
      ->capture_default_str();
  app.add_option("--auth-devices", opt.auth_devices, "Devices in each authentication tenant")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->capture_default_str();
  app.add_option("--bcrypt-seconds", opt.bcrypt_seconds, "Length of each uncached (bcrypt) run")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--cached-seconds", opt.cached_seconds, "Length of each cached run")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--threads", opt.threads, "Threads of the multi-threaded authentication runs")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  app.add_option("--io-threads", opt.io_threads, "I/O threads of the API server; 0: one per core")->capture_default_str();
  app.add_option("--bcrypt-cost", opt.bcrypt_cost, "bcrypt cost of the uncached runs")
      ->check(CLI::Range(4, 16))
      ->capture_default_str();
  app.add_option("--timeout", opt.timeout_s, "Seconds a provisioning run may take before it is declared failed")
      ->check(CLI::Range(1, 36000))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage;
  }
  spdlog::set_level(spdlog::level::warn);
  std::error_code ec;
  for (const char* sub : {"api", "direct", "auth"}) std::filesystem::create_directories(opt.dir / sub, ec);
  if (ec) {
    std::fprintf(stderr, "cannot create %s: %s\n", opt.dir.c_str(), ec.message().c_str());
    return exit_failure;
  }
  return run(opt);
}
