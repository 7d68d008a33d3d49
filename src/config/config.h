// config: the one typed configuration of a Tributary process. Values come from, in increasing
// precedence, the defaults declared in keys.cc, a YAML file, TRIBUTARY_* environment variables and
// --section.key=value flags (loader.h). This header owns only the shape; no I/O.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "common/host_port.h"

namespace tributary::config {

struct log_section {
  std::string level;   // trace, debug, info, warn, error, critical, off
  std::string format;  // text or json
};

struct admin_section {
  host_port listen;  // health and metrics HTTP listener
};

struct kafka_section {
  host_port listen;                 // plaintext Kafka listener
  host_port sasl_listen;            // SASL (PLAIN, SCRAM-SHA-256/512) Kafka listener
  std::string sasl_users;           // "name:password,name:password"
  std::string advertised_host;      // host in Metadata/FindCoordinator answers; empty = the listen host
  bool auto_create_topics = true;
  int default_partitions = 1;
  int hono_partitions = 8;
  long long max_request_bytes = 0;
  std::chrono::milliseconds group_initial_rebalance_delay{0};
  int group_min_session_timeout_ms = 0;
  int group_max_session_timeout_ms = 0;
};

struct storage_section {
  std::string flush_policy;        // always, interval, os: topics in general
  std::string event_flush_policy;  // for hono.event.* topics
  std::chrono::milliseconds flush_interval{0};
  long long segment_bytes = 0;
  std::chrono::milliseconds retention{0};  // -1 = forever
  long long retention_bytes = -1;
};

struct registry_section {
  host_port listen;                    // Device Registry Management API (/v1)
  long long max_payload_bytes = 0;     // request bodies above this get 413
  std::string users;                   // HTTP Basic "name:password,..." for the management API
  std::string bearer_token;            // bearer token for the management API
  int bcrypt_cost = 10;                // for pwd-plain secrets
  int max_bcrypt_cost = 10;            // highest cost accepted in pwd-hash secrets
  std::chrono::milliseconds cache_ttl{0};  // lookups and verified passwords
  long long cache_entries = 0;
};

struct tls_section {
  std::string cert_file;  // PEM certificate chain of the device-facing TLS listeners; empty = no TLS
  std::string key_file;   // PEM private key
};

struct mqtt_section {
  host_port listen;                 // MQTT 3.1.1 over TCP
  host_port tls_listen;             // MQTT 3.1.1 over TLS (needs tls.cert-file)
  bool authentication_required = true;
  long long max_payload_bytes = 0;  // remaining length of a packet; larger ones close the connection
  long long max_connections = 0;    // 0 = unlimited
  std::string connection_events;    // none, logging, events
  long long max_in_flight = 0;      // PUBLISHes being stored per connection before reading pauses
  std::chrono::milliseconds command_ack_timeout{0};  // a QoS 1 command without PUBACK fails after this
};

struct http_section {
  host_port listen;      // HTTP/1.1 device uploads
  host_port tls_listen;  // HTTPS (needs tls.cert-file)
  bool authentication_required = true;
  long long max_payload_bytes = 0;
  std::chrono::milliseconds idle_timeout{0};
  std::string cors_allowed_origin;
};

struct restproxy_section {
  host_port listen;  // Confluent REST Proxy v2
  long long max_request_bytes = 0;
  std::chrono::milliseconds consumer_instance_timeout{0};
  std::chrono::milliseconds consumer_request_timeout{0};
  long long consumer_request_max_bytes = 0;
  long long fetch_min_bytes = -1;
  long long max_consumer_instances = 0;
  long long read_ahead_bytes = 0;  // records responses built ahead, all instances together
  std::string id;              // prefix of generated consumer instance names
  std::string advertised_url;  // base of consumer base_uri; empty: the request's Host
  bool authentication_required = false;  // HTTP Basic against kafka.sasl-users
};

struct schema_registry_section {
  host_port listen;  // Confluent-compatible schema registry
};

struct server_section {
  int threads = 0;  // I/O threads, one io_context each; 0 = one per core
  std::chrono::milliseconds shutdown_timeout{0};
};

struct config {
  std::filesystem::path data_dir;
  log_section log;
  admin_section admin;
  kafka_section kafka;
  storage_section storage;
  registry_section registry;
  tls_section tls;
  mqtt_section mqtt;
  http_section http;
  restproxy_section restproxy;
  schema_registry_section schema_registry;
  server_section server;
};

}  // namespace tributary::config
