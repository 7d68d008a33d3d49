// loader: builds the typed config from the defaults, a YAML file, the environment and flags, in
// that order of precedence. Unknown keys and invalid values are errors naming the key, the value,
// where it came from and why; nothing is ignored. Pure apart from reading the YAML file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace tributary::config {

enum class config_errc {
  unknown_key,      // a key (file, variable or flag) that no declaration in keys.cc names
  invalid_value,    // a known key with a value its declaration rejects
  unreadable_file,  // the --config file cannot be opened
  malformed_file,   // the --config file is not YAML, or not a map of keys to single values
};
using config_error = coded_error<config_errc>;

struct sources {
  std::optional<std::filesystem::path> file;
  // "NAME=value" entries, normally the process environment; only TRIBUTARY_* names are read.
  std::vector<std::string> environment;
  // (key, value) in command-line order; a later flag for the same key wins.
  std::vector<std::pair<std::string, std::string>> flags;
};

config defaults();
result<config, config_error> load(const sources& from);

// The process environment as "NAME=value" entries.
std::vector<std::string> process_environment();

}  // namespace tributary::config
