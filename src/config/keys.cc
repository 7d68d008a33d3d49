#include "config/keys.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace tributary::config {
namespace {

// Accessors are generic lambdas `[](auto& c) -> auto& { return c.section.member; }` so one accessor
// serves both apply (mutable config) and show (const config).

long long as_number(long long n) { return n; }
long long as_number(std::chrono::milliseconds d) { return d.count(); }
void assign_number(int& dst, long long n) { dst = static_cast<int>(n); }
void assign_number(long long& dst, long long n) { dst = n; }
void assign_number(std::chrono::milliseconds& dst, long long n) { dst = std::chrono::milliseconds(n); }

template <typename Access>
key_spec bool_key(std::string name, bool def, std::string doc, Access access) {
  return {std::move(name), def ? "true" : "false", "true or false", std::move(doc),
          [access](config& c, std::string_view v) -> std::optional<std::string> {
            if (v == "true") access(c) = true;
            else if (v == "false") access(c) = false;
            else return "must be true or false";
            return std::nullopt;
          },
          [access](const config& c) { return std::string(access(c) ? "true" : "false"); }};
}

// "name:password,name:password" (may be empty); names non-empty and without ':' or ','.
template <typename Access>
key_spec users_key(std::string name, std::string doc, Access access) {
  return {std::move(name), "", "comma-separated name:password pairs, or empty", std::move(doc),
          [access](config& c, std::string_view v) -> std::optional<std::string> {
            std::size_t pos = 0;
            while (pos < v.size()) {
              const auto end = std::min(v.find(',', pos), v.size());
              const auto pair = v.substr(pos, end - pos);
              const auto colon = pair.find(':');
              if (colon == std::string_view::npos || colon == 0) {
                return "each user must be written name:password (entry " + std::to_string(pos) + " is not)";
              }
              pos = end + 1;
            }
            access(c) = std::string(v);
            return std::nullopt;
          },
          [access](const config& c) { return access(c).empty() ? std::string() : std::string("<secret>"); }};
}

// A secret that may be empty; never shown.
template <typename Access>
key_spec secret_key(std::string name, std::string doc, Access access) {
  return {std::move(name), "", "text, or empty", std::move(doc),
          [access](config& c, std::string_view v) -> std::optional<std::string> {
            access(c) = std::string(v);
            return std::nullopt;
          },
          [access](const config& c) { return access(c).empty() ? std::string() : std::string("<secret>"); }};
}

// Text that may be empty (empty meaning "derive it").
template <typename Access>
key_spec optional_text_key(std::string name, std::string doc, Access access) {
  return {std::move(name), "", "text, or empty", std::move(doc),
          [access](config& c, std::string_view v) -> std::optional<std::string> {
            access(c) = std::string(v);
            return std::nullopt;
          },
          [access](const config& c) { return std::string(access(c)); }};
}

template <typename Access>
key_spec text_key(std::string name, std::string def, std::string doc, Access access) {
  return {std::move(name), std::move(def), "non-empty text", std::move(doc),
          [access](config& c, std::string_view v) -> std::optional<std::string> {
            if (v.empty()) return "must not be empty";
            access(c) = std::string(v);
            return std::nullopt;
          },
          [access](const config& c) { return std::string(access(c)); }};
}

template <typename Access>
key_spec choice_key(std::string name, std::string def, std::vector<std::string> choices, std::string doc,
                    Access access) {
  std::string listed;
  for (const auto& choice : choices) listed += (listed.empty() ? "" : ", ") + choice;
  return {std::move(name), std::move(def), "one of: " + listed, std::move(doc),
          [access, choices, listed](config& c, std::string_view v) -> std::optional<std::string> {
            if (std::find(choices.begin(), choices.end(), v) == choices.end()) return "must be one of: " + listed;
            access(c) = std::string(v);
            return std::nullopt;
          },
          [access](const config& c) { return std::string(access(c)); }};
}

template <typename Access>
key_spec integer_key(std::string name, long long def, long long min, long long max, std::string doc, Access access) {
  std::string range = std::to_string(min) + ".." + std::to_string(max);
  return {std::move(name), std::to_string(def), "integer " + range, std::move(doc),
          [access, min, max, range](config& c, std::string_view v) -> std::optional<std::string> {
            long long n = 0;
            const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) return "must be an integer";
            if (n < min || n > max) return "must be in the range " + range;
            assign_number(access(c), n);
            return std::nullopt;
          },
          [access](const config& c) { return std::to_string(as_number(access(c))); }};
}

template <typename Access>
key_spec listen_key(std::string name, std::string def, std::string doc, Access access) {
  return {std::move(name), std::move(def), "host:port ([v6]:port for IPv6; port 0 picks a free port)",
          std::move(doc),
          [access](config& c, std::string_view v) -> std::optional<std::string> {
            auto parsed = parse_host_port(v);
            if (!parsed) return parsed.error().message;
            access(c) = *parsed;
            return std::nullopt;
          },
          [access](const config& c) { return access(c).to_string(); }};
}

std::vector<key_spec> declare_keys() {
  std::vector<key_spec> keys;
  keys.push_back(text_key("data-dir", "./data",
                          "Directory holding all state (log segments, registry, offsets). One process owns it "
                          "at a time; a second `serve` on it fails at once.",
                          [](auto& c) -> auto& { return c.data_dir; }));
  keys.push_back(choice_key("log.level", "info", {"trace", "debug", "info", "warn", "error", "critical", "off"},
                            "Lowest severity written to the log.", [](auto& c) -> auto& { return c.log.level; }));
  keys.push_back(choice_key("log.format", "text", {"text", "json"},
                            "`text` for people, `json` for one JSON object per line (time, level, logger, msg).",
                            [](auto& c) -> auto& { return c.log.format; }));
  keys.push_back(listen_key("admin.listen", "127.0.0.1:8088",
                            "Health (`/health/live`, `/health/ready`) and Prometheus `/metrics` listener.",
                            [](auto& c) -> auto& { return c.admin.listen; }));
  keys.push_back(listen_key("kafka.listen", "127.0.0.1:9092",
                            "Plaintext Kafka protocol listener (the embedded broker).",
                            [](auto& c) -> auto& { return c.kafka.listen; }));
  keys.push_back(listen_key("kafka.sasl-listen", "0.0.0.0:9094",
                            "Kafka listener that requires SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) before any "
                            "other request.",
                            [](auto& c) -> auto& { return c.kafka.sasl_listen; }));
  keys.push_back(users_key("kafka.sasl-users",
                           "Users of the SASL listener, `name:password,...` (`serve --demo` adds hono:hono-secret). "
                           "Printed as <secret>.",
                           [](auto& c) -> auto& { return c.kafka.sasl_users; }));
  keys.push_back(optional_text_key("kafka.advertised-host",
                                   "Host name Kafka clients are told to connect to (Metadata, FindCoordinator); "
                                   "empty: the listen address, or 127.0.0.1 when listening on all interfaces.",
                                   [](auto& c) -> auto& { return c.kafka.advertised_host; }));
  keys.push_back(bool_key("kafka.auto-create-topics", true,
                          "Create a topic when a Metadata request names a missing one (Kafka's "
                          "auto.create.topics.enable).",
                          [](auto& c) -> auto& { return c.kafka.auto_create_topics; }));
  keys.push_back(integer_key("kafka.default-partitions", 1, 1, 10000,
                             "Partitions of an auto-created topic (Kafka's num.partitions).",
                             [](auto& c) -> auto& { return c.kafka.default_partitions; }));
  keys.push_back(integer_key("kafka.hono-partitions", 8, 1, 10000,
                             "Partitions of an auto-created `hono.*` topic.",
                             [](auto& c) -> auto& { return c.kafka.hono_partitions; }));
  keys.push_back(integer_key("kafka.max-request-bytes", 104857600, 1024, 1LL << 30,
                             "Largest Kafka request accepted; a bigger one closes the connection (Kafka's "
                             "socket.request.max.bytes).",
                             [](auto& c) -> auto& { return c.kafka.max_request_bytes; }));
  keys.push_back(integer_key("kafka.group-initial-rebalance-delay-ms", 3000, 0, 300000,
                             "How long a new consumer group waits for more members before its first rebalance "
                             "(Kafka's group.initial.rebalance.delay.ms).",
                             [](auto& c) -> auto& { return c.kafka.group_initial_rebalance_delay; }));
  keys.push_back(integer_key("kafka.group-min-session-timeout-ms", 6000, 1, 3600000,
                             "Smallest session timeout a consumer may ask for (Kafka's group.min.session.timeout.ms).",
                             [](auto& c) -> auto& { return c.kafka.group_min_session_timeout_ms; }));
  keys.push_back(integer_key("kafka.group-max-session-timeout-ms", 1800000, 1, 3600000,
                             "Largest session timeout a consumer may ask for (Kafka's group.max.session.timeout.ms).",
                             [](auto& c) -> auto& { return c.kafka.group_max_session_timeout_ms; }));
  keys.push_back(choice_key("storage.flush-policy", "os", {"always", "interval", "os"},
                            "When new topics fsync: `always` before acknowledging (group commit), `interval` every "
                            "storage.flush-interval-ms, `os` when the kernel decides.",
                            [](auto& c) -> auto& { return c.storage.flush_policy; }));
  keys.push_back(choice_key("storage.event-flush-policy", "always", {"always", "interval", "os"},
                            "Flush policy of new `hono.event.*` topics (events are acknowledged only once stored).",
                            [](auto& c) -> auto& { return c.storage.event_flush_policy; }));
  keys.push_back(integer_key("storage.flush-interval-ms", 1000, 1, 3600000,
                             "fsync period of topics with flush policy `interval`.",
                             [](auto& c) -> auto& { return c.storage.flush_interval; }));
  keys.push_back(integer_key("storage.segment-bytes", 1073741824, 1048576, 2147483647,
                             "Size at which a partition starts a new segment file.",
                             [](auto& c) -> auto& { return c.storage.segment_bytes; }));
  keys.push_back(integer_key("storage.retention-ms", 604800000, -1, 1LL << 50,
                             "How long new topics keep records (whole segments are deleted); -1 keeps them forever.",
                             [](auto& c) -> auto& { return c.storage.retention; }));
  keys.push_back(integer_key("storage.retention-bytes", -1, -1, 1LL << 50,
                             "Largest size of one partition of a new topic before its oldest segments are deleted; "
                             "-1 means no limit.",
                             [](auto& c) -> auto& { return c.storage.retention_bytes; }));
  keys.push_back(listen_key("registry.listen", "127.0.0.1:28080",
                            "Device Registry Management API (Hono's /v1 tenants, devices, credentials). A "
                            "non-loopback address needs registry.users or registry.bearer-token.",
                            [](auto& c) -> auto& { return c.registry.listen; }));
  keys.push_back(integer_key("registry.max-payload-bytes", 16000, 256, 16777216,
                             "Largest management API request body; larger ones get 413.",
                             [](auto& c) -> auto& { return c.registry.max_payload_bytes; }));
  keys.push_back(users_key("registry.users",
                           "HTTP Basic users of the management API. Empty with an empty registry.bearer-token: "
                           "no authentication (loopback only).",
                           [](auto& c) -> auto& { return c.registry.users; }));
  keys.push_back(secret_key("registry.bearer-token", "Bearer token accepted by the management API; empty = none.",
                            [](auto& c) -> auto& { return c.registry.bearer_token; }));
  keys.push_back(integer_key("registry.bcrypt-cost", 10, 4, 31, "bcrypt cost used to hash pwd-plain secrets.",
                             [](auto& c) -> auto& { return c.registry.bcrypt_cost; }));
  keys.push_back(integer_key("registry.max-bcrypt-cost", 10, 4, 31,
                             "Highest bcrypt cost accepted in pwd-hash secrets (Hono's default: 10); higher gets 400.",
                             [](auto& c) -> auto& { return c.registry.max_bcrypt_cost; }));
  keys.push_back(integer_key("registry.cache-ttl-ms", 300000, 0, 86400000,
                             "How long tenant, device and credential lookups and verified passwords stay cached "
                             "(changes through the API invalidate them at once).",
                             [](auto& c) -> auto& { return c.registry.cache_ttl; }));
  keys.push_back(integer_key("registry.cache-entries", 100000, 0, 100000000,
                             "Bound of each lookup cache and of the verified-password cache.",
                             [](auto& c) -> auto& { return c.registry.cache_entries; }));
  keys.push_back(optional_text_key("tls.cert-file",
                                   "PEM certificate (chain) of the device-facing TLS listeners; empty: no TLS listeners.",
                                   [](auto& c) -> auto& { return c.tls.cert_file; }));
  keys.push_back(optional_text_key("tls.key-file", "PEM private key of tls.cert-file.",
                                   [](auto& c) -> auto& { return c.tls.key_file; }));
  keys.push_back(listen_key("mqtt.listen", "0.0.0.0:1883", "MQTT 3.1.1 listener for devices (Hono's MQTT adapter API).",
                            [](auto& c) -> auto& { return c.mqtt.listen; }));
  keys.push_back(listen_key("mqtt.tls-listen", "0.0.0.0:8883",
                            "MQTT 3.1.1 over TLS 1.2/1.3; devices may log in with a client certificate issued by "
                            "their tenant's trusted CA. Only started when tls.cert-file is set.",
                            [](auto& c) -> auto& { return c.mqtt.tls_listen; }));
  keys.push_back(bool_key("mqtt.authentication-required", true,
                          "Devices must authenticate (username auth-id@tenant and password); false also accepts "
                          "unauthenticated devices, which then name tenant and device in their topics.",
                          [](auto& c) -> auto& { return c.mqtt.authentication_required; }));
  keys.push_back(integer_key("mqtt.max-payload-bytes", 2048, 64, 268435455,
                             "Largest MQTT packet (remaining length) a device may send; a larger one is dropped and "
                             "the connection closed (Hono's default: 2048).",
                             [](auto& c) -> auto& { return c.mqtt.max_payload_bytes; }));
  keys.push_back(integer_key("mqtt.max-connections", 0, 0, 10000000,
                             "Connections the MQTT adapter accepts at once (CONNACK 0x03 beyond); 0 = unlimited.",
                             [](auto& c) -> auto& { return c.mqtt.max_connections; }));
  keys.push_back(choice_key("mqtt.connection-events", "logging", {"none", "logging", "events"},
                            "Connection events of authenticated devices: none, a log line, or Hono's connected/"
                            "disconnected events on hono.event.<tenant>.",
                            [](auto& c) -> auto& { return c.mqtt.connection_events; }));
  keys.push_back(integer_key("mqtt.max-in-flight", 64, 1, 65535,
                             "PUBLISHes of one connection being stored at once; beyond, the adapter stops reading "
                             "from the socket (backpressure) until storage catches up.",
                             [](auto& c) -> auto& { return c.mqtt.max_in_flight; }));
  keys.push_back(integer_key("mqtt.command-ack-timeout-ms", 1000, 1, 3600000,
                             "How long a device has to PUBACK a command published with QoS 1; after that the "
                             "command fails with 503 (Hono's sendMessageToDeviceTimeout).",
                             [](auto& c) -> auto& { return c.mqtt.command_ack_timeout; }));
  keys.push_back(listen_key("http.listen", "0.0.0.0:8080", "HTTP listener for devices (Hono's HTTP adapter API).",
                            [](auto& c) -> auto& { return c.http.listen; }));
  keys.push_back(listen_key("http.tls-listen", "0.0.0.0:8443",
                            "HTTPS listener for devices (client certificates accepted); only started when "
                            "tls.cert-file is set.",
                            [](auto& c) -> auto& { return c.http.tls_listen; }));
  keys.push_back(bool_key("http.authentication-required", true,
                          "Devices must authenticate (Basic auth-id@tenant or a client certificate); false also "
                          "accepts unauthenticated PUT /telemetry/<tenant>/<device> uploads.",
                          [](auto& c) -> auto& { return c.http.authentication_required; }));
  keys.push_back(integer_key("http.max-payload-bytes", 2048, 1, 16777216,
                             "Largest request body a device may upload; larger ones get 413 (Hono's default: 2048).",
                             [](auto& c) -> auto& { return c.http.max_payload_bytes; }));
  keys.push_back(integer_key("http.idle-timeout-ms", 75000, 1000, 3600000,
                             "How long a connection may wait for or take to send a request; also caps hono-ttd at 80%.",
                             [](auto& c) -> auto& { return c.http.idle_timeout; }));
  keys.push_back(text_key("http.cors-allowed-origin", "*", "Access-Control-Allow-Origin of the HTTP adapter.",
                          [](auto& c) -> auto& { return c.http.cors_allowed_origin; }));
  keys.push_back(listen_key("restproxy.listen", "127.0.0.1:8082",
                            "Kafka REST Proxy (Confluent's API v2) listener.",
                            [](auto& c) -> auto& { return c.restproxy.listen; }));
  keys.push_back(integer_key("restproxy.max-request-bytes", 16777216, 1024, 1073741824,
                             "Largest REST proxy request body; larger ones get 413.",
                             [](auto& c) -> auto& { return c.restproxy.max_request_bytes; }));
  keys.push_back(integer_key("restproxy.consumer-instance-timeout-ms", 300000, 1000, 86400000,
                             "Idle time after which a REST consumer instance is closed (consumer.instance.timeout.ms).",
                             [](auto& c) -> auto& { return c.restproxy.consumer_instance_timeout; }));
  keys.push_back(integer_key("restproxy.consumer-request-timeout-ms", 1000, 0, 600000,
                             "Longest a records request waits for records (consumer.request.timeout.ms).",
                             [](auto& c) -> auto& { return c.restproxy.consumer_request_timeout; }));
  keys.push_back(integer_key("restproxy.consumer-request-max-bytes", 67108864, 1, 1073741824,
                             "Most key and value bytes one records response carries (consumer.request.max.bytes).",
                             [](auto& c) -> auto& { return c.restproxy.consumer_request_max_bytes; }));
  keys.push_back(integer_key("restproxy.fetch-min-bytes", -1, -1, 10000000,
                             "A records request answers once more than this many bytes are there; -1: on the "
                             "first record (fetch.min.bytes).",
                             [](auto& c) -> auto& { return c.restproxy.fetch_min_bytes; }));
  keys.push_back(integer_key("restproxy.max-consumer-instances", 10000, 1, 1000000,
                             "Most REST consumer instances at once; creating one more gets 429.",
                             [](auto& c) -> auto& { return c.restproxy.max_consumer_instances; }));
  keys.push_back(integer_key("restproxy.read-ahead-bytes", 134217728, 0, 17179869184LL,
                             "Memory for records responses built ahead for consumer instances that read big "
                             "responses (all instances together); 0: never read ahead.",
                             [](auto& c) -> auto& { return c.restproxy.read_ahead_bytes; }));
  keys.push_back(optional_text_key("restproxy.id",
                                   "Prefix of generated consumer instance names (rest-consumer-<id>-<uuid>).",
                                   [](auto& c) -> auto& { return c.restproxy.id; }));
  keys.push_back(optional_text_key("restproxy.advertised-url",
                                   "Base of the base_uri returned for consumer instances, e.g. http://proxy:8082; "
                                   "empty: from the request's Host header.",
                                   [](auto& c) -> auto& { return c.restproxy.advertised_url; }));
  keys.push_back(bool_key("restproxy.authentication-required", false,
                          "Every REST proxy request needs HTTP Basic credentials of one of kafka.sasl-users.",
                          [](auto& c) -> auto& { return c.restproxy.authentication_required; }));
  keys.push_back(listen_key("schema-registry.listen", "127.0.0.1:8081",
                            "Schema registry (Confluent's API: subjects, versions, ids, compatibility) listener.",
                            [](auto& c) -> auto& { return c.schema_registry.listen; }));
  keys.push_back(integer_key("server.threads", 0, 0, 256,
                             "I/O threads, each running one event loop; 0 means one per CPU core.",
                             [](auto& c) -> auto& { return c.server.threads; }));
  keys.push_back(integer_key("server.shutdown-timeout-ms", 10000, 0, 600000,
                             "On SIGTERM/SIGINT, how long in-flight work may take to finish before the remaining "
                             "connections are closed.",
                             [](auto& c) -> auto& { return c.server.shutdown_timeout; }));
  return keys;
}

}  // namespace

std::span<const key_spec> all_keys() {
  static const std::vector<key_spec> keys = declare_keys();
  return keys;
}

const key_spec* find_key(std::string_view name) {
  for (const auto& k : all_keys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string env_name(std::string_view key) {
  std::string out = "TRIBUTARY_";
  for (char ch : key) {
    if (ch == '.' || ch == '-') {
      out += '_';
    } else {
      out += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    }
  }
  return out;
}

}  // namespace tributary::config
