#include "kafka/broker/broker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/big_endian.h"
#include "kafka/broker/handler.h"
#include "kafka/protocol/messages/all.h"

namespace tributary::kafka::broker {

namespace asio = boost::asio;

log::log_result<std::unique_ptr<broker>> broker::create(log::log_manager& log, broker_config config) {
  std::unique_ptr<broker> b(new broker(log, std::move(config)));
  auto offsets = offset_store::open(log);
  if (!offsets) return fail(offsets.error());
  b->offsets_ = std::move(*offsets);
  return b;
}

std::int64_t broker::first_producer_id() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::max<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count(), 0) << 12;
}

host_port broker::advertised(const std::string& listener) const {
  auto it = config_.advertised.find(listener);
  if (it != config_.advertised.end()) return it->second;
  return config_.advertised.empty() ? host_port{"127.0.0.1", 9092} : config_.advertised.begin()->second;
}

log::topic_config broker::config_for_new_topic(const std::string& name, std::int32_t partitions) const {
  log::topic_config c = config_.topic_defaults;
  if (partitions > 0) {
    c.partitions = partitions;
  } else {
    c.partitions = name.starts_with("hono.") ? config_.hono_partitions : config_.default_partitions;
  }
  if (name.starts_with("hono.event.")) c.flush = config_.event_flush;
  return c;
}

std::shared_ptr<log::topic> broker::find_or_create_topic(const std::string& name, bool create, error_code& error) {
  error = error_code::none;
  if (auto t = log_.find_topic(name)) return t;
  if (auto valid = log::validate_topic_name(name); !valid) {
    error = error_code::invalid_topic_exception;
    return nullptr;
  }
  if (!create || !config_.auto_create_topics) {
    error = error_code::unknown_topic_or_partition;
    return nullptr;
  }
  auto created = log_.create_topic(name, config_for_new_topic(name, -1));
  if (!created) {
    if (created.error().code == log::log_errc::topic_exists) return log_.find_topic(name);  // created concurrently
    spdlog::warn("kafka: cannot auto-create topic {}: {}", name, created.error().message);
    error = to_kafka(created.error().code);
    return nullptr;
  }
  return *created;
}

namespace {

handler_result close_with(std::string reason) { return handler_result{std::nullopt, true, std::move(reason)}; }

// ApiVersions at a version we do not speak: a v0 body with UNSUPPORTED_VERSION and our ApiVersions
// range, so the client retries with a version we do (KIP-511, kafka-protocol.md §5.1).
std::string unsupported_api_versions(std::int32_t correlation_id, const api_handler& h) {
  protocol::api_versions_response body;
  body.error_code = static_cast<std::int16_t>(error_code::unsupported_version);
  body.api_keys.push_back({h.api_key, h.min_version, h.max_version});
  std::string out;
  protocol::writer w(out);
  w.int32(correlation_id);
  body.encode(w, 0);
  return out;
}

}  // namespace

// After SaslHandshake v0 the client sends bare SASL tokens, and gets bare tokens back
// (kafka-protocol.md §7 "SASL"); a failure closes the connection, as Kafka does.
handler_result broker::handle_raw_sasl_token(const std::string& token, client_state& client) {
  auto step = client.sasl->respond(token);
  if (step.st == sasl_exchange::state::failed) {
    client.sasl.reset();
    return close_with("SASL " + std::string(step.error));
  }
  if (step.st == sasl_exchange::state::succeeded) {
    client.authenticated = true;
    client.principal = client.sasl->principal();
    client.raw_sasl_tokens = false;
    client.sasl.reset();
  }
  return handler_result{std::move(step.challenge), false, {}};
}

asio::awaitable<handler_result> broker::handle(std::string& frame, client_state& client) {
  if (client.raw_sasl_tokens && client.sasl) co_return handle_raw_sasl_token(frame, client);
  if (frame.size() < 8) co_return close_with("request of " + std::to_string(frame.size()) + " bytes has no header");
  const auto* p = reinterpret_cast<const std::uint8_t*>(frame.data());
  const auto api_key = read_be<std::int16_t>(p);
  const auto version = read_be<std::int16_t>(p + 2);
  const auto correlation_id = read_be<std::int32_t>(p + 4);
  const api_handler* h = find_handler(api_key);
  if (h == nullptr) co_return close_with("unknown API key " + std::to_string(api_key));
  const std::string api = std::string(protocol::api_name(api_key));
  if (version < h->min_version || version > h->max_version) {
    if (api_key == protocol::api_versions_request::api_key) {
      co_return handler_result{unsupported_api_versions(correlation_id, *h), false, {}};
    }
    co_return close_with(api + " v" + std::to_string(version) + " is not supported (" +
                         std::to_string(h->min_version) + ".." + std::to_string(h->max_version) + ")");
  }
  protocol::reader r({p, frame.size()});
  auto header = protocol::request_header::decode(r, protocol::request_header_version(api_key, version));
  if (!header) co_return close_with("malformed request header: " + header.error().message);
  client.client_id = header->client_id.value_or("");
  if (client.sasl_required && !client.authenticated && !h->before_authentication) {
    co_return close_with(api + " before SASL authentication");
  }
  request_context ctx{*this, client, api_key, version, correlation_id};
  api_outcome outcome = co_await h->handle(ctx, frame, r.position());
  if (outcome.close && !outcome.body) co_return close_with(api + " v" + std::to_string(version) + ": " + outcome.reason);
  if (!outcome.body) co_return handler_result{};
  std::string response;
  response.reserve(outcome.body->size() + 5);
  protocol::writer w(response);
  w.int32(correlation_id);
  if (protocol::response_header_version(api_key, version) >= 1) w.uvarint(0);  // no tagged fields
  response += *outcome.body;
  co_return handler_result{std::move(response), outcome.close, outcome.reason};
}

}  // namespace tributary::kafka::broker
