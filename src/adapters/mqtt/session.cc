#include "adapters/mqtt/session.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "adapters/mqtt/codec.h"
#include "commands/request_id.h"
#include "messaging/async_send.h"
#include "messaging/hono_records.h"

namespace tributary::adapters::mqtt {
namespace {

namespace asio = boost::asio;

// A read asks for as many bytes as the last one got, doubled when it filled its buffer: a CONNECT
// or a lone PUBLISH needs a few hundred bytes, a busy device's batch of PUBLISHes up to the most.
// 256 connections connecting at once then hold 64 KiB of read buffers, not 1 MiB.
constexpr std::uint16_t first_read_chunk = 256;
constexpr std::uint16_t max_read_chunk = 4096;
constexpr const char* empty_notification = "application/vnd.eclipse-hono-empty-notification";
constexpr const char* connection_notification = "application/vnd.eclipse-hono-dc-notification+json";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string first_segment(std::string_view topic) { return std::string(topic.substr(0, topic.find('/'))); }

// A CONNECT of MQTT 3.1 (protocol name "MQIsdp"): answered with CONNACK 0x01 like any protocol
// level the adapter does not speak, rather than dropped as malformed.
bool is_mqtt_3_1(const std::vector<std::uint8_t>& in) {
  auto header = decode_fixed_header(in);
  if (!header || !*header || (*header)->type != packet_type::connect) return false;
  const std::size_t at = (*header)->header_size;
  static constexpr std::string_view name{"\x00\x06MQIsdp", 8};
  return in.size() >= at + name.size() && std::equal(name.begin(), name.end(), in.begin() + static_cast<std::ptrdiff_t>(at));
}

// The one table from registry outcomes to CONNACK codes (spec/hono.md §3.2).
connect_return_code connack_for(registry::registry_errc code) {
  switch (code) {
    case registry::registry_errc::unauthorized:
    case registry::registry_errc::not_found: return connect_return_code::bad_username_or_password;
    case registry::registry_errc::unavailable: return connect_return_code::server_unavailable;
    default: return connect_return_code::not_authorized;
  }
}

}  // namespace

session::session(adapter& a, std::shared_ptr<net::connection> conn, std::unique_ptr<net::byte_stream> stream)
    : adapter_(a), conn_(std::move(conn)), stream_(std::move(stream)), read_chunk_(first_read_chunk) {}

// A session whose end() never ran (its io_context went away while it was parked) is still tracked.
session::~session() { adapter_.untrack(*this); }

net::steady_timer& session::wake() {
  auto& x = extra();
  if (!x.wake) x.wake.emplace(conn_->socket().get_executor());
  return *x.wake;
}

const std::string& session::auth_type() const {
  static const std::string password = "hashed-password", certificate = "x509-cert";
  return x509_ ? certificate : password;
}

session::extra_state& session::extra() {
  if (!extra_) extra_ = std::make_unique<extra_state>();
  return *extra_;
}

void session::close_soon(std::string reason) {
  asio::post(conn_->socket().get_executor(), [self = shared_from_this(), reason = std::move(reason)] { self->close_now(reason); });
}

void session::close_now(const std::string& reason) {
  if (closing_) return;
  closing_ = true;
  spdlog::log(reason == "client disconnected" ? spdlog::level::debug : spdlog::level::info,
              "mqtt: closing connection of client {} (tenant {}, device {}) from {}: {}", client_id_,
              tenant_.empty() ? "-" : tenant_, device_.empty() ? "-" : device_, conn_->peer(), reason);
  wake_waiter();
  if (!writing_) conn_->close();  // else the writer closes once the queued bytes are out
}

void session::queue(const packet& p) {
  if (auto r = encode(p, out_); !r) {
    spdlog::warn("mqtt: cannot encode a {} for client {}: {}", to_string(type_of(p)), client_id_, r.error().message);
    return;
  }
  if (writing_) return;  // the writer takes it
  writing_ = true;
  // After this turn's handlers, so that what they queue (a burst of PUBACKs) goes out together.
  asio::post(conn_->socket().get_executor(), [self = shared_from_this()] { self->write_queued(); });
}

void session::write_queued() {
  // Most writes fit into the socket at once: one send(2), no writer coroutine, and a parked
  // device's descriptor (a command for it) stays in the parking lot.
  const auto sent = stream().write_now(asio::buffer(out_));
  out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(sent));
  if (!out_.empty()) {
    conn_->hold_for_io();  // a parked device's socket must be asio's to write to
    asio::co_spawn(conn_->socket().get_executor(), write_loop(shared_from_this()), asio::detached);
    return;
  }
  writing_ = false;
  wake_waiter();
  if (closing_) {
    conn_->close();
  } else if (conn_->parked()) {
    // Parked meanwhile (after a CONNACK, a command): the lot may take the socket now, and an idle
    // device keeps no write buffer.
    std::vector<std::uint8_t>().swap(out_);
    conn_->settle();
  }
}

// `self` keeps the session alive while the writer runs.
asio::awaitable<void> session::write_loop(std::shared_ptr<session> /*self*/) {
  std::vector<std::uint8_t> sending;
  while (!out_.empty()) {
    sending.clear();
    sending.swap(out_);
    const auto written = co_await stream().write_all(asio::buffer(sending));
    if (written.ec) {
      out_.clear();
      closing_ = true;
      break;
    }
  }
  writing_ = false;
  wake_waiter();
  if (closing_) conn_->close();
  else conn_->settle();  // when parked, the socket has nothing pending but the park again
}

asio::awaitable<void> session::flush() {
  while (writing_) {
    wake().expires_after(std::chrono::seconds(5));
    boost::system::error_code ec;
    co_await wake().async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) break;  // timed out: give up on the peer
  }
}

bool session::ready_to_read() {
  if (closing_) return false;
  const bool idle = in_flight_.empty();
  conn_->set_idle(idle);
  if (idle && conn_->draining()) return false;
  if (authenticated_ || !client_id_.empty() || keep_alive_ > 0) {
    if (keep_alive_ > 0) conn_->expires_after(std::chrono::milliseconds(keep_alive_) * 1500);  // [MQTT-3.1.2-24]
    else conn_->expires_never();
  }
  if (in_.empty()) std::vector<std::uint8_t>().swap(in_);  // idle: give the buffers back
  if (out_.empty() && !writing_) std::vector<std::uint8_t>().swap(out_);
  return true;
}

asio::awaitable<bool> session::read_more() {
  // After run() saw bytes arrive it has already done ready_to_read() and the wait.
  if (!std::exchange(readable_, false)) {
    if (!ready_to_read()) co_return false;
    if (in_.empty()) {
      // Wait for data without a read buffer (MQTT devices idle most of the time).
      auto waiting = stream().wait_readable();
      const auto [ec] = co_await std::move(waiting);
      if (ec || closing_) co_return false;
    }
  }
  const std::size_t old = in_.size();
  const std::size_t chunk = read_chunk_;
  in_.resize(old + chunk);
  const auto read = co_await stream().read_some(asio::buffer(in_.data() + old, chunk));
  in_.resize(old + read.bytes);
  if (read.bytes == chunk && read_chunk_ < max_read_chunk) read_chunk_ *= 2;
  conn_->set_idle(false);
  co_return !read.ec && !closing_;
}

asio::awaitable<std::optional<packet>> session::next_packet(bool connecting) {
  const decode_limits limits{adapter_.options().max_payload_bytes + 128 + max_fixed_header_size};
  for (;;) {
    auto header = decode_fixed_header(in_, limits);
    // As Hono's decoder: the payload limit plus 128 bytes for topic and headers; the payload itself is
    // checked in handle_publish.
    const std::size_t max_remaining = adapter_.options().max_payload_bytes + 128;
    if (header && *header && (*header)->remaining_length > max_remaining) {
      close_now("packet of " + std::to_string((*header)->remaining_length) + " bytes exceeds the limit of " +
                std::to_string(max_remaining));
      co_return std::nullopt;
    }
    auto decoded = decode(in_, limits);
    if (!decoded) {
      if (connecting && (decoded.error().code == codec_errc::unacceptable_protocol_level || is_mqtt_3_1(in_))) {
        queue(connack_packet{false, connect_return_code::unacceptable_protocol_level});  // [MQTT-3.1.2-2]
      }
      close_now("malformed packet: " + decoded.error().message);
      co_return std::nullopt;
    }
    if (*decoded) {
      packet p = std::move((*decoded)->packet);
      in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>((*decoded)->size));
      co_return p;
    }
    if (!co_await read_more()) co_return std::nullopt;
  }
}

// The connection's life in phases, each its own coroutine, so that a quiet device keeps none of
// them (most devices are quiet most of the time): see park().
asio::awaitable<void> session::run(std::shared_ptr<session> self) {
  auto opening = self->open();
  const auto opened = co_await std::move(opening);
  if (opened == open_result::refused) co_return;
  auto serving = serve(std::move(self), opened == open_result::connected);
  co_await std::move(serving);
}

asio::awaitable<void> session::serve(std::shared_ptr<session> self, bool connected) {
  while (connected && !self->closing_) {
    // Nothing buffered: wait for the next bytes without a read buffer, parked when possible.
    if (self->in_.empty() && !self->readable_) {
      if (!self->ready_to_read()) break;
      if (self->in_flight_.empty()) {
        decltype(self->in_flight_)().swap(self->in_flight_);
        if (self->park()) co_return;  // serve() runs again when bytes arrive or the socket closes
      }
      auto waiting = self->stream().wait_readable();
      const auto [ec] = co_await std::move(waiting);
      if (ec || self->closing_) break;
      self->readable_ = true;  // read_more need not wait again
    }
    auto serving = self->serve_buffered();
    if (!co_await std::move(serving)) break;
  }
  auto ending = self->end(connected);
  co_await std::move(ending);
  self->conn_->close();  // a session that parked took closing over
}

bool session::park() {
  if (!stream().parkable()) return false;
  conn_->hand_over_closing();
  // A keep-alive expiry, a drain or close_now() closes the socket, which ends the wait with an error.
  auto woken = [](void* owner, const boost::system::error_code& ec) {
    auto self = static_cast<session*>(owner)->shared_from_this();
    if (ec) self->closing_ = true;
    else self->readable_ = true;
    auto serving = serve(self, true);
    asio::co_spawn(self->conn_->socket().get_executor(), std::move(serving),
                   [self](std::exception_ptr e) { self->conn_->session_ended(e); });
  };
  conn_->park(shared_from_this(), woken, writing_);
  return true;
}

asio::awaitable<session::open_result> session::open() {
  if (!adapter_.admit_connection()) {
    // Hono refuses before reading CONNECT when the adapter is full (spec/hono.md §3.2).
    conn_->expires_after(adapter_.options().connect_timeout);
    auto first = co_await next_packet(true);
    if (first && std::holds_alternative<connect_packet>(*first)) {
      adapter_.metrics().connection_attempt("", "adapter-connections-exceeded", stream().cipher_suite());
      queue(connack_packet{false, connect_return_code::server_unavailable});
    }
    close_now("adapter connection limit reached");
    co_await flush();
    co_return open_result::refused;
  }
  conn_->expires_after(adapter_.options().connect_timeout);
  auto first = co_await next_packet(true);
  if (first && !std::holds_alternative<connect_packet>(*first)) {
    close_now("the first packet is not CONNECT [MQTT-3.1.0-1]");
  } else if (first) {
    if (co_await handle_connect(std::get<connect_packet>(std::move(*first)))) co_return open_result::connected;
  }
  co_return open_result::failed;
}

asio::awaitable<bool> session::serve_buffered() {
  do {
    auto p = co_await next_packet(false);
    if (!p) co_return false;
    if (auto* publish = std::get_if<publish_packet>(&*p)) {
      publish_context context;
      if (!handle_publish(*publish, context)) {
        auto waiting = publish_after_lookups(std::move(*publish), std::move(context));
        co_await std::move(waiting);
      }
      while (in_flight_.size() >= adapter_.options().max_in_flight && !closing_) {
        wake().expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await wake().async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
    } else if (auto* subscribe = std::get_if<subscribe_packet>(&*p)) {
      co_await handle_subscribe(std::move(*subscribe));
    } else if (auto* unsubscribe = std::get_if<unsubscribe_packet>(&*p)) {
      handle_unsubscribe(*unsubscribe);
    } else if (std::holds_alternative<pingreq_packet>(*p)) {
      queue(pingresp_packet{});
    } else if (std::holds_alternative<disconnect_packet>(*p)) {
      close_now("client disconnected");
    } else if (std::holds_alternative<connect_packet>(*p)) {
      close_now("second CONNECT [MQTT-3.1.0-2]");
    } else if (auto* puback = std::get_if<puback_packet>(&*p)) {
      handle_command_puback(puback->packet_id);  // a stray PUBACK is harmless
    } else {
      close_now(std::string("unexpected ") + std::string(to_string(type_of(*p))));
    }
  } while (!in_.empty() && !closing_);
  co_return true;
}

asio::awaitable<void> session::end(bool connected) {
  end_command_routes();
  // Stored messages still get their PUBACKs while the peer listens; wait for storage to answer.
  while (!in_flight_.empty() && !conn_->draining()) {
    wake().expires_after(std::chrono::seconds(10));
    boost::system::error_code ec;
    co_await wake().async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) break;
  }
  if (connected) {
    adapter_.untrack(*this);
    if (!authenticated_) adapter_.metrics().unauthenticated_connections(-1);
    if (authenticated_) {
      adapter_.release_tenant(tenant_);
      send_connection_event("disconnected");
      auto lookup = adapter_.lookups().async_tenant(tenant_);
      if (auto t = co_await std::move(lookup)) adapter_.limits().record_connection(**t, connected_at_, limits::now());
    }
  }
  adapter_.release_connection();
  closing_ = true;
  co_await flush();
}

asio::awaitable<registry::registry_result<registry::authenticated_device>> session::credentials(const connect_packet& c) {
  // Hono's order (spec/hono.md §3.1): a client certificate, then username and password.
  auto& lookups = adapter_.lookups();
  if (std::string cert = stream().peer_certificate(); !cert.empty()) {
    co_return co_await lookups.async_authenticate_certificate(std::move(cert));
  }
  const auto at = c.username->rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == c.username->size()) {
    co_return registry::registry_result<registry::authenticated_device>(
        fail(registry::registry_error{registry::registry_errc::unauthorized, "username must be auth-id@tenant"}));
  }
  std::string auth_id = c.username->substr(0, at);
  std::string tenant = c.username->substr(at + 1);
  std::string password = c.password ? std::string(c.password->begin(), c.password->end()) : std::string();
  co_return co_await lookups.async_authenticate_password(std::move(tenant), std::move(auth_id), std::move(password));
}

asio::awaitable<session::connect_verdict> session::authenticate(const connect_packet& c) {
  using enum connect_return_code;
  const auto& options = adapter_.options();
  if (!c.username && stream().peer_certificate().empty()) {
    if (options.authentication_required) co_return connect_verdict{bad_username_or_password, "unauthorized"};
    co_return connect_verdict{accepted, "succeeded"};
  }
  auto& lookups = adapter_.lookups();
  auto authenticated = co_await credentials(c);
  if (!authenticated) {
    const bool unavailable = authenticated.error().code == registry::registry_errc::unavailable;
    co_return connect_verdict{connack_for(authenticated.error().code), unavailable ? "unavailable" : "unauthorized"};
  }
  std::string tenant = authenticated->tenant_id;
  auto t = co_await lookups.async_tenant(tenant);
  if (!t) co_return connect_verdict{connack_for(t.error().code), "unauthorized"};
  tenant_ = tenant;  // for the metrics of a refusal from here on
  if (!(*t)->enabled || !(*t)->adapter_enabled(adapter_type)) {
    co_return connect_verdict{not_authorized, "adapter-disabled"};
  }
  // spec/hono.md §3.2, §6.1: the tenant's connection duration, and its data volume for 1 byte.
  if (adapter_.limits().connection_duration_exceeded(**t)) {
    co_return connect_verdict{not_authorized, "connection-duration-exceeded"};
  }
  if (adapter_.limits().data_volume_exceeded(**t, 1)) co_return connect_verdict{not_authorized, "data-volume-exceeded"};
  auto assertion = co_await lookups.async_assert_registration(tenant, authenticated->device_id, std::nullopt);
  if (!assertion) {
    if (assertion.error().code == registry::registry_errc::unavailable) {
      co_return connect_verdict{server_unavailable, "unavailable"};
    }
    co_return connect_verdict{not_authorized, "registration-assertion-failure"};
  }
  if (!adapter_.admit_tenant(tenant, (*t)->max_connections)) {
    co_return connect_verdict{not_authorized, "tenant-connections-exceeded"};
  }
  tenant_max_ttl_ = static_cast<std::int32_t>(std::min<std::int64_t>((*t)->max_ttl, std::numeric_limits<std::int32_t>::max()));
  device_ = authenticated->device_id;
  auth_id_ = authenticated->auth_id;
  x509_ = !stream().peer_certificate().empty();
  connected_at_ = limits::now();
  authenticated_ = true;
  co_return connect_verdict{accepted, "succeeded"};
}

asio::awaitable<bool> session::handle_connect(connect_packet c) {
  client_id_ = c.client_id;
  keep_alive_ = c.keep_alive;
  if (c.client_id.empty() && !c.clean_session) {  // [MQTT-3.1.3-8]
    adapter_.metrics().connection_attempt("", "unknown", stream().cipher_suite());
    queue(connack_packet{false, connect_return_code::identifier_rejected});
    close_now("empty client id without clean session");
    co_return false;
  }
  auto [code, outcome] = co_await authenticate(c);
  if (code == connect_return_code::accepted && authenticated_ &&
      adapter_.options().connection_events == connection_events_mode::events) {
    if (!co_await send_connection_event_and_wait("connected")) {
      adapter_.release_tenant(tenant_);
      authenticated_ = false;
      code = connect_return_code::server_unavailable;
      outcome = "unavailable";
    }
  }
  adapter_.metrics().connection_attempt(tenant_, outcome, stream().cipher_suite());
  queue(connack_packet{false, code});
  if (code != connect_return_code::accepted) {
    authenticated_ = false;
    close_now("connection refused with CONNACK code " + std::to_string(static_cast<int>(code)));
    co_return false;
  }
  if (!authenticated_) adapter_.metrics().unauthenticated_connections(1);
  if (authenticated_) {
    adapter_.track(*this);
    if (adapter_.options().connection_events == connection_events_mode::logging) {
      spdlog::info("mqtt: device {} of tenant {} connected (client {}, {})", device_, tenant_, client_id_, conn_->peer());
    }
  }
  co_return true;
}

messaging::outgoing_record session::connection_event(const std::string& cause) const {
  messaging::outgoing_record r;
  r.topic = messaging::hono_topic(messaging::hono_endpoint::event, tenant_);
  r.key = device_;
  r.value = boost::json::serialize(boost::json::object{{"cause", cause}, {"remote-id", client_id_}, {"source", adapter_type}});
  r.timestamp_ms = now_ms();
  r.headers = {{"content-type", connection_notification},
               {"creation-time", std::to_string(r.timestamp_ms)},
               {"device_id", device_},
               {"qos", "1"},
               {"orig_adapter", adapter_type}};
  if (tenant_max_ttl_ > 0) r.headers.push_back({"ttl", std::to_string(std::int64_t{tenant_max_ttl_} * 1000)});
  return r;
}

asio::awaitable<bool> session::send_connection_event_and_wait(const std::string& cause) {
  auto record = connection_event(cause);
  auto sent = messaging::async_send(adapter_.sender(), std::move(record));
  auto r = co_await std::move(sent);
  if (!r) spdlog::warn("mqtt: cannot send the {} event of device {} (tenant {}): {}", cause, device_, tenant_, r.error().message);
  co_return r.ok();
}

void session::send_connection_event(const std::string& cause) {
  const auto mode = adapter_.options().connection_events;
  if (mode == connection_events_mode::logging) {
    spdlog::info("mqtt: device {} of tenant {} {} (client {})", device_, tenant_, cause, client_id_);
  } else if (mode == connection_events_mode::events) {
    adapter_.sender().send(connection_event(cause), [](messaging::send_result) {});
  }
}

bool session::handle_publish(publish_packet& p, publish_context& c) {
  auto f = std::make_shared<in_flight>();
  c.f = f;
  f->received = std::chrono::steady_clock::now();
  f->payload_bytes = p.payload.size();
  f->qos = p.qos == qos::at_least_once ? "1" : p.qos == qos::at_most_once ? "0" : "unknown";
  f->tenant = tenant_;
  f->packet_id = p.packet_id;
  f->endpoint_segment = first_segment(p.topic);
  f->correlation_id = p.qos == qos::at_least_once ? std::to_string(p.packet_id) : "-1";
  in_flight_.push_back(f);

  f->puback = p.qos == qos::at_least_once;
  // Until the topic says otherwise the message is the authenticated device's; an authenticated
  // device's messages always belong to its tenant (Hono's MqttContext.tenant()).
  f->device = device_;
  f->message_tenant = tenant_;
  if (p.payload.size() > adapter_.options().max_payload_bytes) {
    in_flight_.pop_back();  // never processed: nothing for run() to wait for
    close_now("payload of " + std::to_string(p.payload.size()) + " bytes exceeds the limit of " +
              std::to_string(adapter_.options().max_payload_bytes));
    return true;
  }
  auto address = parse_topic(p.topic);
  if (!address) return complete(f, address.error()), true;
  if (const auto* correlation = address->properties.find("correlation-id")) f->correlation_id = *correlation;
  if (const auto* on_error = address->properties.find("on-error")) {
    if (*on_error == "disconnect") f->on_error = on_error_mode::disconnect;
    else if (*on_error == "ignore") f->on_error = on_error_mode::ignore;
    else if (*on_error == "skip-ack") f->on_error = on_error_mode::skip_ack;
  }
  if (!address->device.empty()) f->device = address->device;
  if (!authenticated_) f->message_tenant = address->tenant;
  c.response = address->endpoint == endpoint::command_response;
  if (!address->known_endpoint || (c.response && !adapter_.commands())) return complete(f, api_error{404, "no such endpoint"}), true;
  c.event = address->endpoint == endpoint::event;
  if (c.event && p.qos != qos::at_least_once) return complete(f, api_error{400, "Only QoS 1 supported for event messages"}), true;
  if (p.qos == qos::exactly_once) {
    return complete(f, api_error{400, c.response ? "QoS 2 not supported for command responses" : "QoS 2 not supported for telemetry messages"}), true;
  }
  f->type = address->endpoint == endpoint::event ? "event" : "telemetry";
  if (auto valid = validate_address(*address, tenant_, device_); !valid) return complete(f, valid.error()), true;
  f->device = address->device;
  f->tenant = c.response ? std::string() : address->tenant;  // telemetry metrics count telemetry and events only
  if (c.response) {
    auto decoded = commands::decode_request_id(address->request_id);
    if (!decoded) return complete(f, api_error{400, "invalid request ID: " + decoded.error().message}), true;
    c.correlation_id = std::move(*decoded);
  }
  if (authenticated_ && address->device != device_) c.gateway = device_;
  c.address = std::move(*address);

  // Cached answers here; only a miss costs a coroutine (and a trip to the blocking pool).
  auto& lookups = adapter_.lookups();
  auto tenant = lookups.tenant_cached(c.address.tenant);
  if (!tenant) return false;
  if (!accept_tenant(c, std::move(*tenant))) return true;
  auto asserted = lookups.assert_registration_cached(c.address.tenant, c.f->tenant_info, c.address.device, c.gateway);
  if (!asserted) return false;
  forward_publish(p, c, *asserted);
  return true;
}

asio::awaitable<void> session::publish_after_lookups(publish_packet p, publish_context c) {
  auto& lookups = adapter_.lookups();
  auto looking_up_tenant = lookups.async_tenant(c.address.tenant);
  auto tenant = co_await std::move(looking_up_tenant);
  if (!tenant) {
    co_return complete(c.f, api_error{tenant.error().code == registry::registry_errc::unavailable ? 503 : 404,
                                      "tenant not found", authenticated_});
  }
  if (!accept_tenant(c, std::move(*tenant))) co_return;
  auto asserting = lookups.async_assert_registration(c.address.tenant, c.address.device, c.gateway);
  const auto asserted = co_await std::move(asserting);
  forward_publish(p, c, asserted);
}

bool session::accept_tenant(publish_context& c, std::shared_ptr<const registry::tenant_info> tenant) {
  c.f->tenant_info = std::move(tenant);
  const auto& t = *c.f->tenant_info;
  if (!t.enabled) return complete(c.f, api_error{403, "tenant is disabled", authenticated_}), false;
  if (!t.adapter_enabled(adapter_type)) return complete(c.f, api_error{403, "adapter is disabled for tenant", authenticated_}), false;
  return true;
}

void session::forward_publish(publish_packet& p, publish_context& c, const registry::registry_result<registry::registration_assertion>& assertion) {
  const auto& f = c.f;
  const auto& address = c.address;
  if (!assertion) {
    const auto code = assertion.error().code;
    const int status = code == registry::registry_errc::unavailable ? 503 : code == registry::registry_errc::forbidden ? 403 : 404;
    // The authenticated device itself unknown or disabled: terminal (spec/hono.md §3.7).
    return complete(f, api_error{status, assertion.error().message, authenticated_ && !c.gateway});
  }
  const auto& tenant = *f->tenant_info;
  if (adapter_.limits().data_volume_exceeded(tenant, p.payload.size())) {
    return complete(f, api_error{429, "data volume limit of the tenant exceeded"});
  }
  // Commands for the device prefer the gateway it last sent through (spec/hono.md §3.5).
  if (c.gateway && adapter_.commands()) adapter_.commands()->set_last_gateway(address.tenant, address.device, *c.gateway);

  messaging::hono_message m;
  m.endpoint = c.response ? messaging::hono_endpoint::command_response
               : c.event  ? messaging::hono_endpoint::event
                          : messaging::hono_endpoint::telemetry;
  m.tenant_id = address.tenant;
  m.device_id = address.device;
  m.qos = p.qos == qos::at_least_once ? 1 : 0;
  if (c.response) {
    // spec/hono.md §1.7: the command response record.
    m.properties = {{"correlation-id", c.correlation_id}, {"status", std::to_string(address.status)}, {"tenant_id", address.tenant}};
  }
  if (const auto* type = address.properties.find("content-type")) m.content_type = *type;
  if (const auto* ttl = address.properties.find("hono-ttl"); ttl && c.event) {
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(ttl->data(), ttl->data() + ttl->size(), seconds);
    if (ec == std::errc{} && end == ttl->data() + ttl->size()) m.ttl_seconds = seconds;
  }
  m.orig_adapter = adapter_type;
  m.orig_address = p.topic;
  m.retain = p.retain;
  if (!c.response || !p.payload.empty()) m.payload = std::string(p.payload.begin(), p.payload.end());
  m.creation_time_ms = now_ms();
  static const boost::json::object no_defaults;
  const auto& defaults = adapter_.options().defaults_enabled ? *assertion->defaults : no_defaults;
  // spec/hono.md §1.4: an empty payload needs a content type in the message itself (defaults do not
  // count, as in Hono); the empty-notification type no payload.
  // A command response may be empty (spec/hono.md §1.7).
  if (!c.response && m.payload->empty() && !m.content_type) return complete(f, api_error{400, "empty payload requires a content type"});
  if (!c.response && !m.payload->empty() && m.content_type == empty_notification) {
    return complete(f, api_error{400, "empty notification must not have a payload"});
  }
  auto record = messaging::to_record(std::move(m), defaults, messaging::ttl_limits::from_resource_limits(tenant.resource_limits));
  adapter_.sender().send(std::move(record), [self = shared_from_this(), f](messaging::send_result r) {
    asio::post(self->conn_->socket().get_executor(), [self, f, r = std::move(r)] {
      if (r) return self->complete(f, std::nullopt);
      const int status = r.error().code == messaging::messaging_errc::rejected ? 400 : 503;
      self->complete(f, api_error{status, r.error().message});
    });
  });
}

void session::complete(const std::shared_ptr<in_flight>& f, std::optional<api_error> error) {
  f->done = true;
  f->error = std::move(error);
  const std::string_view status = !f->error ? "forwarded" : f->error->status < 500 ? "unprocessable" : "undeliverable";
  if (!f->tenant.empty()) {
    adapter_.metrics().telemetry({f->tenant, f->type, status, f->qos}, f->payload_bytes,
                                 std::chrono::steady_clock::now() - f->received);
  }
  // The tenant's data volume (spec/hono.md §6.1): forwarded and unprocessable messages count, not
  // those refused for the limit itself.
  if (f->tenant_info && status != "undeliverable" && !(f->error && f->error->status == 429)) {
    adapter_.limits().record_data_volume(*f->tenant_info, f->payload_bytes);
  }
  drain_acknowledgements();
}

void session::drain_acknowledgements() {
  while (!in_flight_.empty() && in_flight_.front()->done) {
    const auto f = in_flight_.front();
    in_flight_.pop_front();
    // A closing session answers nothing more, but still lets go of what storage has answered:
    // run() waits for in_flight_ to empty before it ends (a QoS 0 PUBLISH right before DISCONNECT
    // used to keep the session, its connection count and its disconnect event for 10 s).
    if (closing_) continue;
    if (!f->error) {
      if (f->puback) queue(puback_packet{f->packet_id});
    } else {
      fail_publish(*f);
    }
  }
  wake_waiter();
}

const error_subscription* session::error_subscription_for(const in_flight& f) const {
  // As Hono (spec/hono.md §3.6): subscriptions are keyed by (tenant, device), where a filter
  // without a device or with "+" stands for the authenticated device (the gateway). The message's
  // (tenant, device) is looked up first, then (tenant, authenticated device).
  if (!extra_) return nullptr;
  auto find = [this](const std::string& tenant, const std::string& device) -> const error_subscription* {
    if (tenant.empty() || device.empty()) return nullptr;
    for (const auto& s : extra_->errors) {
      const std::string& key_tenant = s.tenant.empty() ? tenant_ : s.tenant;
      const std::string& key_device = s.device.empty() || s.device == "+" ? device_ : s.device;
      if (key_tenant == tenant && key_device == device) return &s;
    }
    return nullptr;
  };
  if (const auto* exact = find(f.message_tenant, f.device)) return exact;
  return authenticated_ ? find(f.message_tenant, device_) : nullptr;
}

void session::fail_publish(const in_flight& f) {
  const api_error& e = *f.error;
  spdlog::debug("mqtt: message of client {} (tenant {}, device {}) failed: {} {}", client_id_, tenant_, f.device, e.status,
                e.message);
  const error_subscription* subscription = error_subscription_for(f);
  if (subscription) {
    publish_packet error;
    error.topic = error_topic_name(*subscription, f.device, device_, f.endpoint_segment, f.correlation_id, e.status);
    const std::string payload = error_payload(e.status, e.message, f.correlation_id, std::chrono::system_clock::now());
    error.payload.assign(payload.begin(), payload.end());
    queue(error);
  }
  if (e.terminal) return close_now(e.message);
  switch (f.on_error) {
    case on_error_mode::default_mode:
      if (!subscription) return close_now(e.message);
      if (f.puback) queue(puback_packet{f.packet_id});
      return;
    case on_error_mode::disconnect: return close_now(e.message);
    case on_error_mode::ignore:
      if (f.puback) queue(puback_packet{f.packet_id});
      return;
    case on_error_mode::skip_ack: return;
  }
}

asio::awaitable<void> session::handle_subscribe(subscribe_packet s) {
  suback_packet ack{s.packet_id, {}};
  for (const auto& sub : s.subscriptions) {
    if (auto command_filter = parse_command_filter(sub.filter)) {
      auto subscribing = subscribe_commands(*command_filter, sub.requested_qos);
      const bool subscribed = co_await std::move(subscribing);
      ack.return_codes.push_back(!subscribed                                ? suback_return_code::failure
                                 : sub.requested_qos == qos::at_least_once ? suback_return_code::granted_qos1
                                                                           : suback_return_code::granted_qos0);
      continue;
    }
    auto error_filter = parse_error_filter(sub.filter);
    bool granted = false;
    if (error_filter && sub.requested_qos == qos::at_most_once) {
      if (authenticated_) {
        // The tenant, when given, must be the device's own; a device other than itself needs the gateway check.
        granted = (error_filter->tenant.empty() || error_filter->tenant == tenant_);
        if (granted && !error_filter->device.empty() && error_filter->device != "+" && error_filter->device != device_) {
          auto a = co_await adapter_.lookups().async_assert_registration(tenant_, error_filter->device, device_);
          granted = a.ok();
        }
      } else {
        granted = !error_filter->tenant.empty() && !error_filter->device.empty() && error_filter->device != "+";
      }
    }
    // Of the same filter, the last one wins.
    if (granted) {
      std::erase_if(extra().errors, [&](const error_subscription& e) {
        return e.tenant == error_filter->tenant && e.device == error_filter->device;
      });
      extra().errors.push_back(*error_filter);
    }
    ack.return_codes.push_back(granted ? suback_return_code::granted_qos0 : suback_return_code::failure);
  }
  queue(ack);
}

void session::handle_unsubscribe(const unsubscribe_packet& u) {
  for (const auto& filter : u.filters) {
    if (auto c = parse_command_filter(filter)) {
      std::erase_if(extra().command_routes, [&](const std::shared_ptr<command_route>& r) {
        const bool same = r->filter.endpoint_segment == c->endpoint_segment && r->filter.req_segment == c->req_segment &&
                          r->filter.tenant == c->tenant && r->filter.device == c->device;
        if (same) end_command_route(*r);
        return same;
      });
    }
    if (auto f = parse_error_filter(filter)) {
      std::erase_if(extra().errors, [&](const error_subscription& e) {
        return e.endpoint_segment == f->endpoint_segment && e.tenant == f->tenant && e.device == f->device;
      });
    }
  }
  queue(unsuback_packet{u.packet_id});
}


// ---- commands (spec/hono.md §1.7, §3.5)

// Hands the router's commands to the session on its executor; the session may be gone by then.
class session::command_sink final : public commands::command_consumer {
 public:
  command_sink(std::weak_ptr<session> s, std::shared_ptr<const command_route> route) : session_(std::move(s)), route_(std::move(route)) {}

  void deliver(std::shared_ptr<const commands::command> c, std::string target,
               std::function<void(commands::delivery_result)> done) override {
    auto s = session_.lock();
    if (!s) return done(fail(commands::delivery_error{commands::delivery_errc::unavailable, 503, ""}));
    asio::post(s->conn_->socket().get_executor(), [s, route = route_, c = std::move(c), target = std::move(target),
                                                  done = std::move(done)]() mutable {
      s->deliver_command(*route, c, target, std::move(done));
    });
  }

 private:
  std::weak_ptr<session> session_;
  std::shared_ptr<const command_route> route_;
};

asio::awaitable<bool> session::subscribe_commands(const command_subscription& filter, qos requested) {
  auto* directory = adapter_.commands();
  if (!directory || requested == qos::exactly_once) co_return false;
  auto route = std::make_shared<command_route>();
  route->filter = filter;
  route->granted = requested;
  auto scope = commands::subscription_scope::device;
  std::optional<std::string> gateway;
  std::optional<std::pair<std::string, std::optional<std::string>>> check;  // (device, gateway) to assert
  if (authenticated_) {
    if (!filter.tenant.empty() && filter.tenant != tenant_) co_return false;
    route->tenant = tenant_;
    route->device = device_;
    if (filter.device == "+") {
      scope = commands::subscription_scope::gateway_devices;
    } else if (!filter.device.empty() && filter.device != device_) {
      route->device = filter.device;  // a gateway subscribing for one device in whose via it is
      gateway = device_;
      check = std::pair{filter.device, gateway};
    }
  } else {
    if (filter.tenant.empty() || filter.device.empty() || filter.device == "+") co_return false;
    route->tenant = filter.tenant;
    route->device = filter.device;
    check = std::pair{filter.device, std::nullopt};
  }
  if (check) {
    auto asserting = adapter_.lookups().async_assert_registration(route->tenant, check->first, check->second);
    auto asserted = co_await std::move(asserting);
    if (!asserted || closing_) co_return false;
  }
  // A new subscription for the same (tenant, device) replaces the old one (the directory, too).
  std::erase_if(extra().command_routes, [&](const std::shared_ptr<command_route>& r) {
    return r->tenant == route->tenant && r->device == route->device;
  });
  route->registration = directory->add(route->tenant, route->device, scope, gateway, std::make_shared<command_sink>(weak_from_this(), route));
  extra().command_routes.push_back(route);
  send_ttd_event(route->tenant, route->device, -1);
  co_return true;
}

void session::deliver_command(const command_route& route, const std::shared_ptr<const commands::command>& c, const std::string& target,
                              std::function<void(commands::delivery_result)> done) {
  using commands::delivery_errc;
  using commands::delivery_error;
  constexpr std::size_t max_queued_bytes = 64 * 1024;  // a device that does not read gets no more
  if (closing_ || out_.size() > max_queued_bytes) return done(fail(delivery_error{delivery_errc::unavailable, 503, ""}));
  std::string request_id;
  if (!c->one_way()) {
    auto id = commands::encode_request_id(*c->correlation_id);  // parse_command checked it fits
    if (!id) return done(fail(delivery_error{delivery_errc::rejected, 400, id.error().message}));
    request_id = std::move(*id);
  }
  publish_packet p;
  p.qos = route.granted;
  p.topic = command_topic_name(route.filter, target, authenticated_ ? device_ : route.device, request_id, c->name);
  if (c->payload) p.payload.assign(c->payload->begin(), c->payload->end());
  spdlog::debug("mqtt: command {} for device {} (tenant {}) to client {} on {}", c->name, target, c->tenant_id, client_id_, p.topic);
  if (p.qos == qos::at_most_once) {
    queue(p);
    return done({});
  }
  do {
    p.packet_id = next_packet_id_++;
  } while (p.packet_id == 0 || extra().pending_commands.contains(p.packet_id));
  auto timer = std::make_unique<asio::steady_timer>(conn_->socket().get_executor(), adapter_.options().command_ack_timeout);
  timer->async_wait([weak = weak_from_this(), id = p.packet_id](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    auto& pending = self->extra().pending_commands;
    const auto it = pending.find(id);
    if (it == pending.end()) return;
    auto pending_done = std::move(it->second.done);
    pending.erase(it);
    spdlog::info("mqtt: client {} (tenant {}, device {}) did not acknowledge command packet {} in time", self->client_id_,
                 self->tenant_, self->device_, id);
    pending_done(fail(delivery_error{delivery_errc::unavailable, 503, ""}));
  });
  extra().pending_commands.emplace(p.packet_id, pending_command{std::move(done), std::move(timer)});
  queue(p);
}

void session::handle_command_puback(std::uint16_t packet_id) {
  if (!extra_) return;  // a stray PUBACK
  const auto it = extra_->pending_commands.find(packet_id);
  if (it == extra_->pending_commands.end()) return;
  auto done = std::move(it->second.done);
  it->second.timeout->cancel();
  extra_->pending_commands.erase(it);
  done({});
}

void session::end_command_route(const command_route& route) {
  if (auto* directory = adapter_.commands()) directory->remove(route.registration);
  send_ttd_event(route.tenant, route.device, 0);
}

void session::end_command_routes() {
  if (!extra_) return;
  for (const auto& route : extra_->command_routes) end_command_route(*route);
  extra_->command_routes.clear();
  auto pending = std::move(extra_->pending_commands);
  extra_->pending_commands.clear();
  for (auto& [id, p] : pending) {
    p.timeout->cancel();
    p.done(fail(commands::delivery_error{commands::delivery_errc::unavailable, 503, ""}));
  }
}

// spec/hono.md §1.4: ttd -1 once a device can receive commands, 0 when it no longer can.
void session::send_ttd_event(const std::string& tenant, const std::string& device, std::int64_t ttd) {
  messaging::hono_message m;
  m.endpoint = messaging::hono_endpoint::event;
  m.tenant_id = tenant;
  m.device_id = device;
  m.qos = 1;
  m.content_type = empty_notification;
  m.ttd_seconds = ttd;
  m.orig_adapter = adapter_type;
  m.creation_time_ms = now_ms();
  static const boost::json::object no_defaults;
  adapter_.sender().send(messaging::to_record(m, no_defaults, {}), [tenant, device, ttd](messaging::send_result r) {
    if (!r) spdlog::warn("mqtt: ttd={} notification of device {} (tenant {}) not stored: {}", ttd, device, tenant, r.error().message);
  });
}

}  // namespace tributary::adapters::mqtt
