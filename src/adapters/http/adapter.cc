#include "adapters/http/adapter.h"

#include <boost/asio/this_coro.hpp>
#include <boost/json/object.hpp>
#include <spdlog/spdlog.h>

#include <charconv>

#include "adapters/http/upload_uri.h"
#include "commands/request_id.h"
#include "common/base64.h"
#include "messaging/async_send.h"
#include "messaging/hono_records.h"

namespace tributary::adapters::http {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using status = beast_http::status;

constexpr const char* empty_notification = "application/vnd.eclipse-hono-empty-notification";
constexpr std::int64_t default_max_ttd = 60;  // TenantConstants.DEFAULT_MAX_TTD

struct failure_reply {
  status code;
  std::string message;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<std::int64_t> integer(std::string_view text) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// A header, else the query parameter of the same name (hono-ttd, hono-ttl).
std::optional<std::string> header_or_param(const net::http_request& req, const upload_uri& uri, std::string_view name) {
  if (const auto h = req.find(name); h != req.end()) return std::string(h->value());
  if (const auto* p = uri.param(name)) return *p;
  return std::nullopt;
}

struct identity {
  std::string tenant, device;
};

// spec/hono.md §2.4: 200 with the command for `device` (the request's device) in the response.
net::http_response command_reply(const delivered_command& got, const std::string& device, unsigned version,
                                 const std::string& cors_origin) {
  const commands::command& c = *got.command;
  net::http_response res{status::ok, version};
  res.set("hono-command", c.name);
  if (!c.one_way()) {
    if (auto id = commands::encode_request_id(*c.correlation_id)) res.set("hono-cmd-req-id", *id);
  }
  if (got.target_device != device) res.set("hono-cmd-target-device", got.target_device);
  if (c.content_type) res.set(beast_http::field::content_type, *c.content_type);
  res.set(beast_http::field::access_control_allow_origin, cors_origin);
  res.set(beast_http::field::access_control_expose_headers, "hono-command,hono-cmd-req-id");
  if (c.payload) res.body() = *c.payload;
  res.prepare_payload();
  return res;
}

}  // namespace

adapter::adapter(registry::lookups& lookups, messaging::downstream_sender& sender, limits::resource_limits& limits,
                 metrics::registry& metrics, http_options options, commands::consumer_directory* commands)
    : lookups_(lookups),
      sender_(sender),
      limits_(limits),
      metrics_(metrics, adapter_type),
      options_(std::move(options)),
      waits_(commands ? std::make_unique<command_waits>(*commands) : nullptr) {}

net::http_limits adapter::limits() const {
  net::http_limits l;
  l.body_bytes = options_.max_payload_bytes;
  l.idle_timeout = options_.idle_timeout;
  l.request_timeout = options_.idle_timeout;
  return l;
}

asio::awaitable<net::http_response> adapter::handle(const net::http_request& req, const net::http_peer& peer) {
  const auto started = std::chrono::steady_clock::now();
  auto reply = [&](status code, std::string_view message) {
    net::http_response res = net::json_error(code, message, req.version());
    if (code == status::unauthorized) res.set(beast_http::field::www_authenticate, "Basic realm=\"" + options_.realm + "\"");
    if (code == status::service_unavailable) res.set(beast_http::field::retry_after, "2");
    res.set(beast_http::field::access_control_allow_origin, options_.cors_allowed_origin);
    return res;
  };
  auto accepted = [&] {
    net::http_response res{status::accepted, req.version()};
    res.set(beast_http::field::access_control_allow_origin, options_.cors_allowed_origin);
    res.set(beast_http::field::access_control_expose_headers, "hono-command,hono-cmd-req-id");
    res.prepare_payload();
    return res;
  };

  auto uri = parse_upload_uri(req.target());
  if (!uri) co_return reply(static_cast<status>(uri.error().status), uri.error().message);
  const bool command_response = uri->endpoint == upload_endpoint::command_response;

  // spec/hono.md §2.7: CORS preflight.
  if (req.method() == beast_http::verb::options) {
    net::http_response res{status::no_content, req.version()};
    res.set(beast_http::field::access_control_allow_origin, options_.cors_allowed_origin);
    res.set(beast_http::field::access_control_allow_methods, "POST, PUT");
    res.set(beast_http::field::access_control_allow_headers,
            command_response ? "hono-cmd-status, authorization, content-type"
            : uri->endpoint == upload_endpoint::telemetry ? "QoS-Level, hono-ttd, authorization, content-type"
                                                           : "hono-ttd, authorization, content-type");
    res.set(beast_http::field::access_control_expose_headers, "hono-command, hono-cmd-req-id");
    res.set(beast_http::field::access_control_max_age, "86400");
    res.prepare_payload();
    co_return res;
  }
  if (command_response && !waits_) co_return reply(status::not_implemented, "command responses are not supported");
  const bool post = req.method() == beast_http::verb::post;
  const bool put = req.method() == beast_http::verb::put;
  if ((!post && !put) || (post && uri->has_address) || (put && !uri->has_address)) {
    co_return reply(status::method_not_allowed, "method not allowed for this URI");
  }

  // Authentication (spec/hono.md §2.1): client certificate, then Basic.
  std::optional<identity> auth;
  if (!peer.certificate.empty()) {
    auto a = co_await lookups_.async_authenticate_certificate(peer.certificate);
    if (!a) {
      co_return reply(a.error().code == registry::registry_errc::unavailable ? status::service_unavailable : status::unauthorized,
                      "bad credentials");
    }
    auth = identity{a->tenant_id, a->device_id};
  } else if (const auto h = req.find(beast_http::field::authorization); h != req.end()) {
    std::string_view value = h->value();
    if (value.size() < 6 || !boost::beast::iequals(value.substr(0, 6), "Basic ")) co_return reply(status::unauthorized, "bad credentials");
    auto decoded = base64_decode(value.substr(6));
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    const auto at = colon != std::string::npos ? decoded->rfind('@', colon) : std::string::npos;
    if (at == std::string::npos || at == 0 || at + 1 == colon) co_return reply(status::unauthorized, "bad credentials");
    std::string auth_id = decoded->substr(0, at);
    std::string tenant = decoded->substr(at + 1, colon - at - 1);
    std::string password = decoded->substr(colon + 1);
    auto a = lookups_.authenticate_cached(tenant, auth_id, password);
    if (!a) {
      auto lookup = lookups_.async_authenticate_password(std::move(tenant), std::move(auth_id), std::move(password));
      a = co_await std::move(lookup);
    }
    if (!*a) {
      co_return reply(a->error().code == registry::registry_errc::unavailable ? status::service_unavailable : status::unauthorized,
                      "bad credentials");
    }
    auth = identity{(*a)->tenant_id, (*a)->device_id};
  } else if (options_.authentication_required || post) {
    co_return reply(status::unauthorized, "authentication required");
  }

  // Address: POST = the authenticated device; PUT = a gateway acting for a device, or an
  // unauthenticated device naming itself.
  std::string tenant = auth ? auth->tenant : uri->tenant;
  std::string device = post ? auth->device : uri->device;
  std::optional<std::string> gateway;
  if (put && auth) {
    if (!uri->tenant.empty() && uri->tenant != auth->tenant) {
      co_return reply(status::forbidden, "not authorized to upload data for device from other tenant");
    }
    if (device != auth->device) gateway = auth->device;
  }
  if (tenant.empty()) co_return reply(status::not_found, "request URI must contain tenant");
  // spec/hono.md §2.3: a command response needs a request id this hub handed out and a valid status.
  std::string correlation_id;
  int response_status = 0;
  if (command_response) {
    const auto status_text = header_or_param(req, *uri, "hono-cmd-status");
    const auto code = status_text ? integer(*status_text) : std::nullopt;
    auto decoded = commands::decode_request_id(uri->request_id);
    if (!decoded || !code || !((*code >= 200 && *code < 300) || (*code >= 400 && *code < 600))) {
      co_return reply(status::bad_request, "command-request-id [" + uri->request_id + "] or status code [" + status_text.value_or("") +
                                               "] is missing/invalid");
    }
    correlation_id = std::move(*decoded);
    response_status = static_cast<int>(*code);
  }

  const bool event = uri->endpoint == upload_endpoint::event;
  const std::string_view type = event ? "event" : "telemetry";
  int qos = event ? 1 : 0;
  if (const auto h = req.find("QoS-Level"); h != req.end()) {
    if (h->value() == "1") qos = 1;
    else if (h->value() == "0" && !event) qos = 0;
    else co_return reply(status::bad_request, event ? "unsupported QoS-Level header value for events" : "unsupported QoS-Level header value");
  }
  std::shared_ptr<const registry::tenant_info> tenant_info;
  auto outcome = [&](net::http_response res, std::string_view st) {
    if (!command_response) {
      metrics_.telemetry({tenant, type, st, qos == 1 ? "1" : "0"}, req.body().size(), std::chrono::steady_clock::now() - started);
    }
    // The tenant's data volume (spec/hono.md §6.1): forwarded and unprocessable messages count, not
    // those refused for the limit itself.
    if (tenant_info && st != "undeliverable" && res.result() != status::too_many_requests) {
      limits_.record_data_volume(*tenant_info, req.body().size());
    }
    return res;
  };

  registry::registry_result<std::shared_ptr<const registry::tenant_info>> t{nullptr};
  if (auto cached = lookups_.tenant_cached(tenant)) {
    t = std::move(*cached);
  } else {
    auto lookup = lookups_.async_tenant(tenant);
    t = co_await std::move(lookup);
  }
  if (!t) {
    if (t.error().code == registry::registry_errc::unavailable) co_return reply(status::service_unavailable, "temporarily unavailable");
    co_return reply(status::not_found, "tenant is disabled or not registered");
  }
  tenant_info = *t;
  if (!(*t)->enabled) co_return outcome(reply(status::forbidden, "tenant is disabled or not registered"), "unprocessable");
  if (!(*t)->adapter_enabled(adapter_type)) co_return outcome(reply(status::forbidden, "adapter is disabled"), "unprocessable");
  auto asserted = lookups_.assert_registration_cached(tenant, device, gateway);
  if (!asserted) {
    auto lookup = lookups_.async_assert_registration(tenant, device, gateway);
    asserted = co_await std::move(lookup);
  }
  const auto& assertion = *asserted;
  if (!assertion) {
    switch (assertion.error().code) {
      case registry::registry_errc::unavailable: co_return reply(status::service_unavailable, "temporarily unavailable");
      case registry::registry_errc::forbidden: co_return outcome(reply(status::forbidden, assertion.error().message), "unprocessable");
      default: co_return outcome(reply(status::not_found, "device is disabled or not registered"), "unprocessable");
    }
  }
  if (limits_.data_volume_exceeded(**t, req.body().size())) {
    co_return outcome(reply(status::too_many_requests, "data volume limit of the tenant exceeded"), "unprocessable");
  }
  // Commands for the device prefer the gateway it last sent through (spec/hono.md §2.5, §3.5).
  if (gateway && waits_) waits_->directory().set_last_gateway(tenant, device, *gateway);

  messaging::hono_message m;
  m.endpoint = command_response ? messaging::hono_endpoint::command_response
               : event          ? messaging::hono_endpoint::event
                                : messaging::hono_endpoint::telemetry;
  if (command_response) {
    // spec/hono.md §1.7: the command response record.
    m.properties = {{"correlation-id", correlation_id}, {"status", std::to_string(response_status)}, {"tenant_id", tenant}};
  }
  m.tenant_id = tenant;
  m.device_id = device;
  m.qos = qos;
  // An empty Content-Type header counts as none (spec/hono.md §2.3, §1.3: a MIME type or nothing).
  if (const auto h = req.find(beast_http::field::content_type); h != req.end() && !h->value().empty()) {
    m.content_type = std::string(h->value());
  }
  if (event) {
    if (auto ttl = header_or_param(req, *uri, "hono-ttl")) m.ttl_seconds = integer(*ttl);
  }
  if (auto ttd = command_response ? std::nullopt : header_or_param(req, *uri, "hono-ttd")) {
    if (auto seconds = integer(*ttd); seconds && *seconds > 0) {
      std::int64_t max_ttd = default_max_ttd;
      if ((*t)->adapters) {
        for (const auto& a : *(*t)->adapters) {
          if (const auto* v = a.ext.if_contains("max-ttd"); a.type == adapter_type && v && v->is_int64()) max_ttd = v->get_int64();
        }
      }
      const std::int64_t idle_cap = std::chrono::duration_cast<std::chrono::seconds>(options_.idle_timeout).count() * 8 / 10;
      m.ttd_seconds = std::min({*seconds, max_ttd, idle_cap});
    }
  }
  m.orig_adapter = adapter_type;
  m.orig_address = std::string(req.target());
  if (!command_response || !req.body().empty()) m.payload = req.body();  // a command response may be empty
  m.creation_time_ms = now_ms();
  static const boost::json::object no_defaults;
  const auto& defaults = options_.defaults_enabled ? *assertion->defaults : no_defaults;
  // spec/hono.md §2.3: content type and body.
  if (!command_response && req.body().empty() && !m.content_type) {
    co_return outcome(reply(status::bad_request, "missing content type"), "unprocessable");
  }
  if (!command_response && !req.body().empty() && m.content_type == empty_notification) {
    co_return outcome(reply(status::bad_request, "content type [" + *m.content_type + "] does not match payload"), "unprocessable");
  }
  // spec/hono.md §2.5: with a ttd, the device can take a command in the response; the consumer is
  // registered before the upload is stored, so that an application reacting to it finds the device.
  std::shared_ptr<command_waits::wait> waiting;
  if (m.ttd_seconds && waits_) {
    auto executor = co_await asio::this_coro::executor;
    waiting = waits_->open(executor, tenant, device,
                           post ? commands::subscription_scope::gateway_devices : commands::subscription_scope::device, gateway);
  }
  const std::optional<std::int64_t> ttd_seconds = m.ttd_seconds;
  auto record = messaging::to_record(std::move(m), defaults, messaging::ttl_limits::from_resource_limits((*t)->resource_limits));
  auto sent = messaging::async_send(sender_, std::move(record));
  auto stored = co_await std::move(sent);
  if (waiting && stored) {
    auto taking = waits_->take(waiting, std::chrono::seconds(*ttd_seconds));
    auto got = co_await std::move(taking);
    if (got) co_return outcome(command_reply(*got, device, req.version(), options_.cors_allowed_origin), "forwarded");
    co_return outcome(accepted(), "forwarded");
  }
  if (waiting && !stored) waits_->close(waiting);
  if (qos == 0 && !event && !command_response) {
    // At most once: 202 whatever became of it. Answered once the log took it (the same turn of the
    // I/O thread's loop: records of a turn are stored together), which costs the device no
    // noticeable time and the server less than answering first.
    if (!stored) spdlog::warn("http: telemetry of device {} (tenant {}) not stored: {}", device, tenant, stored.error().message);
    co_return outcome(accepted(), stored ? "forwarded" : "undeliverable");
  }
  if (!stored) {
    if (stored.error().code == messaging::messaging_errc::rejected) {
      co_return outcome(reply(status::bad_request, stored.error().message), "unprocessable");
    }
    co_return outcome(reply(status::service_unavailable, "temporarily unavailable"), "undeliverable");
  }
  co_return outcome(accepted(), "forwarded");
}

}  // namespace tributary::adapters::http
