#include "config/reference.h"

#include "config/keys.h"

namespace tributary::config {

std::string reference_markdown() {
  std::string out =
      "| Key (`--flag`, YAML path) | Environment variable | Default | Accepted values | Description |\n"
      "|---|---|---|---|---|\n";
  for (const auto& k : all_keys()) {
    out += "| `" + k.name + "` | `" + env_name(k.name) + "` | `" + k.default_value + "` | " + k.constraint + " | " +
           k.doc + " |\n";
  }
  return out;
}

std::string effective_yaml(const config& c) {
  std::string out;
  for (const auto& k : all_keys()) {
    std::string quoted;
    for (char ch : k.show(c)) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
    out += k.name + ": '" + quoted + "'\n";
  }
  return out;
}

}  // namespace tributary::config
