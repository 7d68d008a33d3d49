// The `tributary` command line (CLI11): serve, config and version, and the application tools
// consume and command. Turns arguments, environment and the config file into one config::config
// and hands it to server::serve. Exit codes: 0 success, 1 start-up (or tool) failure, 2 bad command
// line or configuration.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <map>

#include "cli/command.h"
#include "cli/consume.h"
#include "cli/kafka_flags.h"
#include "common/version.h"
#include "config/keys.h"
#include "config/loader.h"
#include "config/reference.h"
#include "server/logging.h"
#include "server/server.h"

namespace {

using namespace tributary;

constexpr int exit_usage = 2;

// The configuration options every subcommand that reads configuration accepts: --config FILE and
// one --section.key=value flag per declared key.
struct config_options {
  std::string file;
  std::map<std::string, std::string> flags;
  std::map<std::string, CLI::Option*> options;

  void add_to(CLI::App& app) {
    app.add_option("--config", file, "YAML configuration file")->check(CLI::ExistingFile)->option_text("FILE");
    auto* group = app.add_option_group("Configuration", "Override the file and TRIBUTARY_* variables");
    for (const auto& k : config::all_keys()) {
      options[k.name] = group
                            ->add_option("--" + k.name, flags[k.name],
                                         k.doc + " [" + k.constraint + "; default " + k.default_value + "; env " +
                                             config::env_name(k.name) + "]")
                            ->option_text("VALUE")
                            ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
  }

  result<config::config, config::config_error> load() const {
    config::sources s;
    if (!file.empty()) s.file = file;
    s.environment = config::process_environment();
    for (const auto& [name, option] : options) {
      if (option->count() > 0) s.flags.emplace_back(name, flags.at(name));
    }
    return config::load(s);
  }
};

std::atomic<bool> stop_requested{false};

void request_stop(int) { stop_requested.store(true); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tributary connects IoT devices (MQTT, HTTP, CoAP, WebSocket) to Kafka, speaking Eclipse Hono's "
               "APIs, in one process.",
               "tributary"};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  tributary serve                       run with embedded defaults (data in ./data)\n"
      "  tributary serve --demo                also load demo tenant, devices and users\n"
      "  tributary serve --config hub.yaml --log.level=debug\n"
      "  tributary config --reference          every configuration key, as Markdown\n"
      "  tributary consume --tenant DEFAULT_TENANT\n"
      "  tributary command --tenant DEFAULT_TENANT --device 4711\n"
      "  tributary version");

  auto* serve = app.add_subcommand("serve", "Run the hub until SIGTERM or SIGINT");
  config_options serve_config;
  serve_config.add_to(*serve);
  bool demo = false;
  serve->add_flag("--demo", demo, "Load demo data (tenant DEFAULT_TENANT, devices, Kafka user hono)");
  serve->footer(
      "Examples:\n"
      "  tributary serve --data-dir /var/lib/tributary\n"
      "  TRIBUTARY_LOG_FORMAT=json tributary serve --admin.listen=0.0.0.0:8088\n"
      "Precedence: defaults < --config file < TRIBUTARY_* environment < flags.");

  auto* config_cmd = app.add_subcommand("config", "Print the effective configuration, or the reference of every key");
  config_options config_config;
  config_config.add_to(*config_cmd);
  bool reference = false;
  config_cmd->add_flag("--reference", reference, "Print the reference of every key as a Markdown table");
  config_cmd->footer(
      "Examples:\n"
      "  tributary config --config hub.yaml    the values serve would use, as YAML\n"
      "  tributary config --reference          the table in README.md");

  auto* consume_cmd =
      app.add_subcommand("consume", "Print a tenant's telemetry and events with their headers (Kafka, no consumer group)");
  cli::kafka_flags consume_kafka;
  cli::consume_options consume;
  consume_cmd->add_option("--tenant", consume.tenant, "Tenant whose hono.telemetry/hono.event topics to read")
      ->required()
      ->option_text("TENANT");
  consume_cmd->add_flag("--from-beginning", consume.from_beginning, "Read the topics from their start, not their end");
  consume_cmd->add_option("--count", consume.count, "Exit after this many records (default: until Ctrl-C)")
      ->check(CLI::NonNegativeNumber)
      ->option_text("N");
  consume_kafka.add_to(*consume_cmd);
  consume_cmd->footer(
      "Examples:\n"
      "  tributary consume --tenant DEFAULT_TENANT\n"
      "  tributary consume --tenant DEFAULT_TENANT --bootstrap 127.0.0.1:9094 --sasl-username hono "
      "--sasl-password hono-secret\n"
      "  tributary consume --tenant my-tenant --bootstrap kafka:9092 -X security.protocol=SSL");

  auto* command_cmd = app.add_subcommand(
      "command", "Send commands to a device and print its responses (Kafka); interactive unless --name is given");
  cli::kafka_flags command_kafka;
  cli::command_options command;
  int command_timeout = 60;
  std::string command_name;
  command_cmd->add_option("--tenant", command.tenant, "The device's tenant")->required()->option_text("TENANT");
  command_cmd->add_option("--device", command.device, "The device to command")->required()->option_text("DEVICE");
  command_cmd->add_option("--timeout", command_timeout, "Seconds to wait for each response")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str()
      ->option_text("SECONDS");
  command_cmd->add_option("--name", command_name, "Send this one command and exit (prefix ow: for one-way)")
      ->option_text("NAME");
  command_cmd->add_option("--payload", command.payload, "Payload of the --name command")->option_text("TEXT");
  command_cmd->add_option("--content-type", command.content_type, "Content type of the --name command")
      ->option_text("TYPE");
  command_kafka.add_to(*command_cmd);
  command_cmd->footer(
      "Examples:\n"
      "  tributary command --tenant DEFAULT_TENANT --device 4711\n"
      "  tributary command --tenant DEFAULT_TENANT --device 4711 --name setBrightness \\\n"
      "      --payload '{\"brightness\": 87}' --content-type application/json\n"
      "Exit code: 0 when every command was sent and every response had a 2xx status, else 1.");

  auto* version_cmd = app.add_subcommand("version", "Print the version and the commit it was built from");
  version_cmd->footer("Example:\n  tributary version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : exit_usage;
  }

  if (consume_cmd->parsed() || command_cmd->parsed()) {
    const auto& flags = consume_cmd->parsed() ? consume_kafka : command_kafka;
    auto connection = flags.options();
    if (!connection) {
      std::cerr << "tributary: " << connection.error() << "\n";
      return exit_usage;
    }
    if (consume_cmd->parsed()) {
      std::signal(SIGINT, request_stop);
      std::signal(SIGTERM, request_stop);
      return cli::run_consume(*connection, consume, std::cout, std::cerr, stop_requested);
    }
    command.timeout = std::chrono::seconds(command_timeout);
    if (command_cmd->count("--name") > 0) command.name = command_name;
    return cli::run_command(*connection, command, std::cin, std::cout, std::cerr);
  }
  if (version_cmd->parsed()) {
    std::cout << "tributary " << version() << " (commit " << git_commit() << ")\n";
    return 0;
  }
  if (config_cmd->parsed() && reference) {
    std::cout << config::reference_markdown();
    return 0;
  }
  const config_options& chosen = serve->parsed() ? serve_config : config_config;
  auto loaded = chosen.load();
  if (!loaded) {
    std::cerr << "tributary: " << loaded.error().message << "\n";
    return exit_usage;
  }
  if (config_cmd->parsed()) {
    std::cout << config::effective_yaml(*loaded);
    return 0;
  }
  server::setup_logging(loaded->log.level, loaded->log.format);
  return server::serve(*loaded, {.demo = demo});
}
