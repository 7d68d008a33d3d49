#include "cli/kafka_flags.h"

namespace tributary::cli {

void kafka_flags::add_to(CLI::App& app) {
  auto* group = app.add_option_group("Kafka", "Where the application's Kafka broker is");
  group->add_option("--bootstrap", bootstrap, "Bootstrap servers, host:port[,host:port...]")
      ->option_text("SERVERS")
      ->capture_default_str();
  group->add_option("--security-protocol", security_protocol,
                    "PLAINTEXT, SASL_PLAINTEXT, SSL or SASL_SSL (default: SASL_PLAINTEXT with a SASL user, else PLAINTEXT)")
      ->option_text("PROTOCOL");
  group->add_option("--sasl-mechanism", sasl_mechanism, "SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN")
      ->option_text("MECHANISM")
      ->capture_default_str();
  group->add_option("--sasl-username", sasl_username, "SASL user (the hub's kafka.sasl-users; the demo has hono)")
      ->option_text("USER");
  group->add_option("--sasl-password", sasl_password, "SASL password")->option_text("PASSWORD");
  group->add_option("-X,--property", properties, "Any librdkafka property, key=value (repeatable)")
      ->option_text("KEY=VALUE");
}

result<kafka::client::connection_options, std::string> kafka_flags::options() const {
  kafka::client::connection_options o;
  o.bootstrap = bootstrap;
  o.security_protocol = security_protocol;
  o.sasl_mechanism = sasl_mechanism;
  o.sasl_username = sasl_username;
  o.sasl_password = sasl_password;
  for (const auto& p : properties) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) return fail("--property " + p + ": expected key=value");
    o.properties.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  return o;
}

}  // namespace tributary::cli
