// keys: every configuration key, declared once with its name, default, bounds and documentation.
// Validation, the environment variable names, the CLI flags, `tributary config reference` (the
// README's table) and --help all come from this one table.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/config.h"

namespace tributary::config {

struct key_spec {
  std::string name;           // dotted: "section.key", or a bare top-level key such as "data-dir"
  std::string default_value;  // text, parsed like a value from any other source
  std::string constraint;     // what a valid value looks like, for errors and docs
  std::string doc;
  // Parses `text` into the config; returns the reason when the value is invalid.
  std::function<std::optional<std::string>(config&, std::string_view text)> apply;
  // The current value of the key in `c`, as text that `apply` accepts.
  std::function<std::string(const config&)> show;
};

std::span<const key_spec> all_keys();
const key_spec* find_key(std::string_view name);

// "log.level" -> "TRIBUTARY_LOG_LEVEL", "data-dir" -> "TRIBUTARY_DATA_DIR".
std::string env_name(std::string_view key);

}  // namespace tributary::config
