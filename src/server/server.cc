#include "server/server.h"

#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <future>
#include <unistd.h>

#include "admin/health.h"
#include "admin/routes.h"
#include "common/version.h"
#include "kafka/broker/broker.h"
#include "kafka/broker/session.h"
#include "limits/resource_limits.h"
#include "limits/usage_file.h"
#include "commands/consumer_directory.h"
#include "commands/router.h"
#include "log/log_manager.h"
#include "metrics/registry.h"
#include "net/http_session.h"
#include "net/io_pool.h"
#include "net/tcp_listener.h"
#include "net/blocking.h"
#include "registry/notifications.h"
#include "registry/registry_service.h"
#include "adapters/http/adapter.h"
#include "restproxy/embedded_cluster.h"
#include "restproxy/proxy.h"
#include "schema_registry/api.h"
#include "schema_registry/store.h"
#include "adapters/mqtt/adapter.h"
#include "messaging/embedded_sender.h"
#include "server/data_dir_lock.h"
#include "server/malloc_tuning.h"

namespace tributary::server {
namespace {

using namespace std::chrono_literals;

// After the drain deadline, connections still open are closed; they get this long to go away.
constexpr auto close_grace = 2s;

// Blocks the signals the main thread waits for, so that no io thread receives them.
sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// <data-dir>/listeners.json: {"pid": ..., "listeners": {"admin": "127.0.0.1:8088", ...}}, the
// addresses actually bound (useful with port 0), for scripts and tests.
void write_listeners_file(const std::filesystem::path& dir,
                          const std::vector<std::unique_ptr<net::tcp_listener>>& listeners) {
  boost::json::object bound;
  for (const auto& l : listeners) bound[l->name()] = l->local_address().to_string();
  const boost::json::object file{{"pid", ::getpid()}, {"listeners", std::move(bound)}};
  const auto tmp = dir / "listeners.json.tmp";
  std::ofstream(tmp) << boost::json::serialize(file) << '\n';
  std::filesystem::rename(tmp, dir / "listeners.json");
}

class server {
 public:
  server(const config::config& c, bool demo) : config_(c), demo_(demo), pool_(static_cast<unsigned>(c.server.threads)) {
    metrics_.add_collector(metrics::collect_process_metrics);
    metrics_
        .get_gauge("tributary_build_info", "Version and commit of this build.",
                   {{"version", std::string(version())}, {"commit", std::string(git_commit())}})
        .set(1);
  }

  // Opens storage and binds every listener; fails before serving anything when one cannot.
  bool open() {
    health_.register_service("log");
    auto opened = log::log_manager::open({.dir = config_.data_dir / "log"});
    if (!opened) {
      spdlog::critical("cannot open the log: {}", opened.error().message);
      return false;
    }
    log_ = std::move(*opened);
    health_.set_up("log", true);
    if (!add_http_listener("admin", config_.admin.listen, [this](const net::http_request& req)
                               -> boost::asio::awaitable<net::http_response> { co_return admin_routes_.handle(req); }))
      return false;
    return open_registry() && open_kafka() && open_messaging() && open_limits() && open_commands() && open_mqtt() &&
           open_http() && open_schema_registry() && open_restproxy();
  }

  void start() {
    pool_.start();
    command_router_->start();
    boost::asio::co_spawn(pool_.at(0), tick_groups(), boost::asio::detached);
    boost::asio::co_spawn(pool_.at(0), save_usage_periodically(), boost::asio::detached);
    for (auto& l : listeners_) {
      l->start();
      health_.set_up(l->name(), true);
      spdlog::info("{} listening on {}", l->name(), l->local_address().to_string());
    }
    write_listeners_file(config_.data_dir, listeners_);
  }

  // Staged shutdown; later listeners (device-facing) stop first, the admin listener last so that
  // /health/ready reports DOWN while the others drain.
  void shutdown() {
    health_.begin_shutdown();
    broker_->shutdown();
    const auto deadline = std::chrono::steady_clock::now() + config_.server.shutdown_timeout;
    for (auto it = listeners_.rbegin(); it != listeners_.rend(); ++it) {
      net::tcp_listener& l = **it;
      l.stop_accepting();
      l.drain();
      if (!l.wait_until_empty(deadline)) {
        spdlog::warn("{}: {} connection(s) still busy at the shutdown deadline; closing them", l.name(),
                     l.connection_count());
        l.close_all();
        if (!l.wait_until_empty(std::chrono::steady_clock::now() + close_grace)) {
          spdlog::warn("{}: {} connection(s) did not close in time", l.name(), l.connection_count());
        }
      }
    }
    command_router_.reset();  // after the sessions: commands still in flight are read again next time
    close_consumer_instances();
    boost::asio::post(pool_.at(0), [this] {
      ticker_.cancel();
      usage_timer_.cancel();
    });
    pool_.stop(std::chrono::steady_clock::now() + close_grace);
    blocking_.join();
    lookups_pool_.join();
    if (auto r = limits::save_usage(usage_file(), usage_); !r) spdlog::error("limits: {}", r.error().message);
    if (auto r = log_->close(); !r) spdlog::error("closing the log: {}", r.error().message);
    std::error_code ignored;
    std::filesystem::remove(config_.data_dir / "listeners.json", ignored);
  }

 private:
  bool add_listener(const std::string& name, const host_port& address, net::tcp_listener::session session) {
    auto bound = net::tcp_listener::bind(pool_, name, address, std::move(session));
    if (!bound) {
      spdlog::critical("{}", bound.error().message);
      return false;
    }
    health_.register_service(name);
    listeners_.push_back(std::move(*bound));
    return true;
  }

  bool add_http_listener(const std::string& name, const host_port& address, net::http_handler handler,
                         net::http_limits limits = {}) {
    return add_listener(name, address, [handler = std::move(handler), limits](std::shared_ptr<net::connection> c) {
      return net::serve_http(std::move(c), handler, limits);
    });
  }

  static bool loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
  }

  static void log_registry_change(const registry::change_event& e) {
    static constexpr const char* kinds[] = {"tenant", "device", "credentials", "all devices"};
    static constexpr const char* changes[] = {"created", "updated", "deleted"};
    spdlog::info("registry: {} {} (tenant {}{}{}, enabled {})", kinds[static_cast<int>(e.kind)],
                 changes[static_cast<int>(e.change)], e.tenant_id, e.device_id.empty() ? "" : ", device ", e.device_id,
                 e.enabled);
  }

  bool open_registry() {
    const auto& rc = config_.registry;
    registry::registry_options options;
    options.database = config_.data_dir / "registry.db";
    options.credentials = {.bcrypt_cost = rc.bcrypt_cost, .max_bcrypt_cost = rc.max_bcrypt_cost};
    options.lookups = {.ttl = rc.cache_ttl, .max_entries = static_cast<std::size_t>(rc.cache_entries)};
    options.api = {.basic_users = rc.users, .bearer_token = rc.bearer_token};
    if (!loopback(rc.listen.host) && rc.users.empty() && rc.bearer_token.empty()) {
      spdlog::critical("registry.listen is {}, not a loopback address, and neither registry.users nor "
                       "registry.bearer-token is set: refusing to expose the device registry without authentication",
                       rc.listen.to_string());
      return false;
    }
    auto opened = registry::registry_service::open(options, lookups_pool_);
    if (!opened) {
      spdlog::critical("cannot open the device registry: {}", opened.error().message);
      return false;
    }
    registry_ = std::move(*opened);
    registry_->events().subscribe(log_registry_change);
    if (demo_) {
      if (auto r = registry::load_demo_data(registry_->management()); !r) {
        spdlog::critical("cannot load the demo data into the registry: {}", r.error().message);
        return false;
      }
    }
    net::http_limits limits;
    limits.body_bytes = static_cast<std::size_t>(rc.max_payload_bytes);
    return add_http_listener(
        "registry", rc.listen,
        [this](const net::http_request& req) -> boost::asio::awaitable<net::http_response> {
          auto answer = net::offload(blocking_, [this, &req] { return registry_->api().handle(req); });
          co_return co_await std::move(answer);
        },
        limits);
  }

  static log::flush_policy flush_policy(const std::string& name) {
    if (name == "always") return log::flush_policy::always;
    if (name == "interval") return log::flush_policy::interval;
    return log::flush_policy::os;
  }

  bool open_kafka() {
    kafka::broker::broker_config bc;
    std::string users = config_.kafka.sasl_users;
    if (demo_) users += std::string(users.empty() ? "" : ",") + "hono:hono-secret";
    for (std::size_t pos = 0; pos < users.size();) {
      const auto end = std::min(users.find(',', pos), users.size());
      const std::string pair = users.substr(pos, end - pos);
      const auto colon = pair.find(':');
      bc.users.add(pair.substr(0, colon), pair.substr(colon + 1));
      pos = end + 1;
    }
    bc.auto_create_topics = config_.kafka.auto_create_topics;
    bc.default_partitions = config_.kafka.default_partitions;
    bc.hono_partitions = config_.kafka.hono_partitions;
    bc.topic_defaults.flush = flush_policy(config_.storage.flush_policy);
    bc.topic_defaults.flush_ms = config_.storage.flush_interval.count();
    bc.topic_defaults.segment_bytes = config_.storage.segment_bytes;
    bc.topic_defaults.retention_ms = config_.storage.retention.count();
    bc.topic_defaults.retention_bytes = config_.storage.retention_bytes;
    bc.event_flush = flush_policy(config_.storage.event_flush_policy);
    bc.groups.initial_rebalance_delay_ms = config_.kafka.group_initial_rebalance_delay.count();
    bc.groups.min_session_timeout_ms = config_.kafka.group_min_session_timeout_ms;
    bc.groups.max_session_timeout_ms = config_.kafka.group_max_session_timeout_ms;
    kafka::broker::session_limits limits;
    limits.max_request_bytes = static_cast<std::size_t>(config_.kafka.max_request_bytes);
    for (const auto& [name, address, sasl] : {std::tuple{"kafka", config_.kafka.listen, false},
                                               std::tuple{"kafka-sasl", config_.kafka.sasl_listen, true}}) {
      const bool bound =
          add_listener(name, address, [this, limits, name, sasl](std::shared_ptr<net::connection> c) {
            kafka::broker::client_state client;
            client.listener = name;
            client.sasl_required = sasl;
            return kafka::broker::serve_kafka(
                std::move(c),
                [this](std::string& frame, kafka::broker::client_state& cs) { return broker_->handle(frame, cs); },
                limits, std::move(client));
          });
      if (!bound) return false;
      host_port advertised = listeners_.back()->local_address();
      if (!config_.kafka.advertised_host.empty()) {
        advertised.host = config_.kafka.advertised_host;
      } else if (advertised.host == "0.0.0.0" || advertised.host == "::") {
        advertised.host = "127.0.0.1";
      }
      bc.advertised[name] = advertised;
    }
    auto created = kafka::broker::broker::create(*log_, std::move(bc));
    if (!created) {
      spdlog::critical("cannot start the Kafka broker: {}", created.error().message);
      return false;
    }
    broker_ = std::move(*created);
    return true;
  }

  // The embedded downstream sender, and the registry's notifications (spec/hono.md §1.8) through it.
  bool open_messaging() {
    sender_ = std::make_unique<messaging::embedded_sender>([this](const std::string& name, std::string& why) {
      kafka::broker::error_code error{};
      auto topic = broker_->find_or_create_topic(name, true, error);
      if (!topic) why = "cannot create topic " + name;
      return topic;
    });
    registry_->events().subscribe([this](const registry::change_event& e) {
      bool invalidate = false;
      if (e.kind == registry::change_kind::tenant && e.change != registry::change_type::deleted) {
        if (auto t = registry_->lookups().tenant(e.tenant_id)) {
          const auto* v = (*t)->ext.if_contains("invalidate-cache-on-update");
          invalidate = v && v->is_bool() && v->get_bool();
        }
      }
      auto n = registry::to_notification(e, invalidate, std::chrono::system_clock::now());
      messaging::outgoing_record r{n.topic, std::nullopt, std::move(n.json), {{"content-type", "application/json"}},
                                   std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()};
      sender_->send(std::move(r), [topic = n.topic](messaging::send_result sent) {
        if (!sent) spdlog::warn("registry: notification to {} not stored: {}", topic, sent.error().message);
      });
    });
    return true;
  }

  // Tenants' usage of their period limits, as saved by the previous run.
  bool open_limits() {
    if (auto r = limits::load_usage(usage_file(), usage_); !r) {
      spdlog::critical("limits: {} (remove the file to start counting from zero)", r.error().message);
      return false;
    }
    return true;
  }

  std::filesystem::path usage_file() const { return config_.data_dir / "limits" / "usage.json"; }

  // Saves the usage ledger every few seconds while it changes (a crash loses at most that much).
  boost::asio::awaitable<void> save_usage_periodically() {
    std::uint64_t saved = usage_.changes();
    for (;;) {
      usage_timer_.expires_after(std::chrono::seconds(5));
      boost::system::error_code ec;
      co_await usage_timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (ec) co_return;
      const std::uint64_t changes = usage_.changes();
      if (changes == saved) continue;
      auto save = net::offload(blocking_, [this] { return limits::save_usage(usage_file(), usage_); });
      if (auto r = co_await std::move(save); !r) {
        spdlog::error("limits: {}", r.error().message);
        continue;
      }
      saved = changes;
    }
  }

  // Command & control (spec/hono.md §1.7): the router reads hono.command.* and hands commands to
  // the consumers the adapters register.
  bool open_commands() {
    command_router_ = std::make_unique<commands::router>(*log_, broker_->offsets(), registry_->lookups(), command_consumers_, *sender_);
    return true;
  }

  bool open_mqtt() {
    const auto& mc = config_.mqtt;
    adapters::mqtt::mqtt_options options;
    options.authentication_required = mc.authentication_required;
    options.max_payload_bytes = static_cast<std::size_t>(mc.max_payload_bytes);
    options.max_connections = static_cast<std::size_t>(mc.max_connections);
    options.connection_events = mc.connection_events == "none"     ? adapters::mqtt::connection_events_mode::none
                                : mc.connection_events == "events" ? adapters::mqtt::connection_events_mode::events
                                                                   : adapters::mqtt::connection_events_mode::logging;
    options.max_in_flight = static_cast<std::size_t>(mc.max_in_flight);
    options.command_ack_timeout = mc.command_ack_timeout;
    mqtt_ = std::make_unique<adapters::mqtt::adapter>(registry_->lookups(), registry_->events(), *sender_, resource_limits_,
                                                    metrics_, options, &command_consumers_);
    if (!add_listener("mqtt", mc.listen, [this](std::shared_ptr<net::connection> c) { return mqtt_->serve(std::move(c)); })) {
      return false;
    }
    if (config_.tls.cert_file.empty()) {
      spdlog::info("mqtt: no TLS listener (tls.cert-file is not set)");
      return true;
    }
    if (!tls_context()) return false;
    return add_listener("mqtt-tls", mc.tls_listen, [this, ctx = tls_](std::shared_ptr<net::connection> c) {
      return mqtt_->serve_tls(std::move(c), ctx);
    });
  }

  // The device listeners' TLS context, made once from tls.cert-file/tls.key-file.
  bool tls_context() {
    if (tls_) return true;
    auto context = net::make_server_context(config_.tls.cert_file, config_.tls.key_file);
    if (!context) {
      spdlog::critical("{}", context.error().message);
      return false;
    }
    tls_ = std::move(*context);
    return true;
  }

  bool open_http() {
    const auto& hc = config_.http;
    adapters::http::http_options options;
    options.authentication_required = hc.authentication_required;
    options.max_payload_bytes = static_cast<std::size_t>(hc.max_payload_bytes);
    options.idle_timeout = hc.idle_timeout;
    options.cors_allowed_origin = hc.cors_allowed_origin;
    http_ = std::make_unique<adapters::http::adapter>(registry_->lookups(), *sender_, resource_limits_, metrics_, options,
                                                    &command_consumers_);
    net::http_peer_handler handler = [this](const net::http_request& req, const net::http_peer& peer) {
      return http_->handle(req, peer);
    };
    const auto limits = http_->limits();
    if (!add_listener("http", hc.listen, [handler, limits](std::shared_ptr<net::connection> c) {
          return net::serve_http(std::move(c), handler, limits);
        })) {
      return false;
    }
    if (config_.tls.cert_file.empty()) return true;
    if (!tls_context()) return false;
    return add_listener("http-tls", hc.tls_listen, [handler, limits, ctx = tls_](std::shared_ptr<net::connection> c) {
      return net::serve_https(std::move(c), ctx, handler, limits);
    });
  }

  bool open_schema_registry() {
    auto opened = schema_registry::store::open(*log_);
    if (!opened) {
      spdlog::critical("cannot open the schema registry: {}", opened.error().message);
      return false;
    }
    schemas_ = std::move(*opened);
    schema_api_ = std::make_unique<schema_registry::api>(*schemas_);
    net::http_limits limits;
    limits.body_bytes = 1 << 20;
    limits.error_response = [](boost::beast::http::status status, std::string_view message, unsigned version) {
      const auto code = static_cast<unsigned>(status);
      return restproxy::error_response({code, static_cast<int>(code), std::string(message)},
                                       "application/vnd.schemaregistry.v1+json", version);
    };
    // Registrations wait for an fsync: never on an I/O thread.
    return add_http_listener(
        "schema-registry", config_.schema_registry.listen,
        [this](const net::http_request& req) -> boost::asio::awaitable<net::http_response> {
          auto answer = net::offload(blocking_, [this, &req] { return schema_api_->handle(req); });
          co_return co_await std::move(answer);
        },
        limits);
  }

  // REST consumer instances commit (when they auto-commit) and leave their groups.
  void close_consumer_instances() {
    auto closed = std::make_shared<std::promise<void>>();
    auto done = closed->get_future();
    boost::asio::co_spawn(pool_.at(0), restproxy_->close_all(), [closed](std::exception_ptr) { closed->set_value(); });
    if (done.wait_for(close_grace) != std::future_status::ready)
      spdlog::warn("restproxy: consumer instances did not close in time");
  }

  bool open_restproxy() {
    const auto& rc = config_.restproxy;
    restproxy_cluster_ = std::make_unique<restproxy::embedded_cluster>(*broker_);
    restproxy::proxy_options options;
    options.request_timeout = rc.consumer_request_timeout;
    options.max_response_bytes = rc.consumer_request_max_bytes;
    options.fetch_min_bytes = rc.fetch_min_bytes;
    options.instance_timeout = rc.consumer_instance_timeout;
    options.max_instances = static_cast<std::size_t>(rc.max_consumer_instances);
    options.id = rc.id;
    options.advertised_url = rc.advertised_url;
    options.basic_auth = rc.authentication_required;
    options.read_ahead_bytes = static_cast<std::size_t>(rc.read_ahead_bytes);
    if (rc.authentication_required && config_.kafka.sasl_users.empty()) {
      spdlog::critical("restproxy.authentication-required needs users in kafka.sasl-users");
      return false;
    }
    avro_serde_ = std::make_unique<restproxy::avro_serde>(*schemas_, blocking_);
    restproxy_ = std::make_unique<restproxy::proxy>(*restproxy_cluster_, std::move(options),
                                                    restproxy::proxy_services{avro_serde_.get(), &blocking_, &metrics_});
    net::http_limits limits;
    limits.body_bytes = static_cast<std::size_t>(rc.max_request_bytes);
    // A records request may wait consumer.request.timeout.ms before it answers.
    limits.request_timeout = std::max(limits.request_timeout, rc.consumer_request_timeout + std::chrono::seconds(30));
    limits.error_response = [](boost::beast::http::status status, std::string_view message, unsigned version) {
      const auto code = static_cast<unsigned>(status);
      return restproxy::error_response({code, static_cast<int>(code), std::string(message)}, restproxy::v2_json, version);
    };
    return add_http_listener(
        "restproxy", rc.listen,
        [this](const net::http_request& req) { return restproxy_->handle(req); }, limits);
  }

  // Drives consumer-group timeouts (session expiry, rebalance deadlines) and the REST proxy's
  // consumer instances (heartbeats, auto commits, idle expiry).
  boost::asio::awaitable<void> tick_groups() {
    for (;;) {
      ticker_.expires_after(std::chrono::milliseconds(100));
      boost::system::error_code ec;
      co_await ticker_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (ec) co_return;
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count();
      broker_->tick(now);
      restproxy_->tick(now, pool_.at(0).get_executor());
    }
  }

  const config::config& config_;
  bool demo_;
  admin::health health_;
  metrics::registry metrics_;
  admin::routes admin_routes_{health_, metrics_};
  std::unique_ptr<log::log_manager> log_;
  std::unique_ptr<kafka::broker::broker> broker_;
  net::io_pool pool_;
  // bcrypt, SQLite: never on an I/O thread. Joined at shutdown before the registry goes away.
  boost::asio::thread_pool blocking_{std::max(2u, std::thread::hardware_concurrency())};
  // Registry lookups of the adapters (store misses, bcrypt): their own threads, so that a device
  // logging in does not wait behind management API requests.
  boost::asio::thread_pool lookups_pool_{std::max(2u, std::thread::hardware_concurrency())};
  std::unique_ptr<registry::registry_service> registry_;
  std::unique_ptr<messaging::embedded_sender> sender_;
  limits::usage_ledger usage_;
  limits::resource_limits resource_limits_{usage_};
  commands::local_consumer_directory command_consumers_;
  std::unique_ptr<commands::router> command_router_;
  std::unique_ptr<adapters::mqtt::adapter> mqtt_;
  std::unique_ptr<adapters::http::adapter> http_;
  std::unique_ptr<schema_registry::store> schemas_;
  std::unique_ptr<schema_registry::api> schema_api_;
  std::unique_ptr<restproxy::embedded_cluster> restproxy_cluster_;
  std::unique_ptr<restproxy::avro_serde> avro_serde_;
  std::unique_ptr<restproxy::proxy> restproxy_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::steady_timer ticker_{pool_.at(0)};
  boost::asio::steady_timer usage_timer_{pool_.at(0)};
  std::vector<std::unique_ptr<net::tcp_listener>> listeners_;
};

}  // namespace

int serve(const config::config& c, serve_options options) {
  auto lock = data_dir_lock::acquire(c.data_dir);
  if (!lock) {
    spdlog::critical("{}", lock.error().message);
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  if (!tune_malloc()) spdlog::debug("the allocator did not take the malloc tuning; running with its defaults");
  const sigset_t signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  spdlog::info("tributary {} (commit {}) starting: data-dir {}, {} io thread(s)", version(), git_commit(),
               c.data_dir.string(), c.server.threads == 0 ? std::thread::hardware_concurrency() : c.server.threads);
  if (options.demo) {
    spdlog::info("demo mode: Kafka SASL user hono; registry tenant DEFAULT_TENANT with devices 4711 "
                 "(sensor1@DEFAULT_TENANT / hono-secret), gw-1 (gw@DEFAULT_TENANT / gw-secret), 4712 via gw-1");
  }
  std::error_code ignored;
  std::filesystem::remove(c.data_dir / "listeners.json", ignored);  // left by a killed predecessor
  server s(c, options.demo);
  if (!s.open()) return 1;
  s.start();
  spdlog::info("ready");

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("received {}; shutting down (deadline {} ms)", signal_number == SIGTERM ? "SIGTERM" : "SIGINT",
               c.server.shutdown_timeout.count());
  s.shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace tributary::server
