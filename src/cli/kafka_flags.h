// kafka_flags: the command-line options the application tools (consume, command) share to reach a
// Kafka broker: bootstrap servers, SASL and any librdkafka property, turned into
// kafka::client::connection_options. Knows nothing about what the tools do with the connection.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "kafka/client/client.h"

namespace tributary::cli {

struct kafka_flags {
  std::string bootstrap = "127.0.0.1:9092";
  std::string security_protocol;
  std::string sasl_mechanism = "SCRAM-SHA-512";
  std::string sasl_username;
  std::string sasl_password;
  std::vector<std::string> properties;  // key=value

  void add_to(CLI::App& app);
  // Fails (with a message naming the option) for a property without '='.
  result<kafka::client::connection_options, std::string> options() const;
};

}  // namespace tributary::cli
