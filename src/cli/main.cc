// The `tributary` command line: subcommands serve, config and version (CLI11). Turns arguments,
// environment and the config file into one config::config and hands it to server::serve. Exit
// codes: 0 success, 1 start-up failure, 2 bad command line or configuration.
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

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

  auto* version_cmd = app.add_subcommand("version", "Print the version and the commit it was built from");
  version_cmd->footer("Example:\n  tributary version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : exit_usage;
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
