#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "config/keys.h"

namespace tributary::config {
namespace {

constexpr std::string_view env_prefix = "TRIBUTARY_";

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" when a declared name is close to the unknown one.
std::string suggestion(std::string_view unknown, bool as_env) {
  std::string best;
  std::size_t best_distance = 4;
  for (const auto& k : all_keys()) {
    const std::string candidate = as_env ? env_name(k.name) : k.name;
    const std::size_t d = edit_distance(unknown, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

result<void, config_error> apply(config& c, std::string_view key, std::string_view value, const std::string& origin) {
  const key_spec* spec = find_key(key);
  if (spec == nullptr) {
    return fail(config_error{config_errc::unknown_key,
                             "unknown configuration key '" + std::string(key) + "' in " + origin + suggestion(key, false)});
  }
  if (auto why = spec->apply(c, value)) {
    return fail(config_error{config_errc::invalid_value, "invalid value '" + std::string(value) + "' for '" +
                                                             spec->name + "' from " + origin + ": " + *why});
  }
  return {};
}

result<void, config_error> flatten(const YAML::Node& node, const std::string& prefix, const std::string& file,
                                   std::vector<std::pair<std::string, YAML::Node>>& out) {
  for (const auto& entry : node) {
    const std::string name = entry.first.as<std::string>();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    const YAML::Node& value = entry.second;
    if (value.IsMap()) {
      if (auto r = flatten(value, key, file, out); !r) return r;
    } else if (value.IsSequence()) {
      return fail(config_error{config_errc::malformed_file, "config file " + file + ", line " +
                                                                std::to_string(value.Mark().line + 1) + ": '" + key +
                                                                "' must be a single value, not a list"});
    } else {
      out.emplace_back(key, value);
    }
  }
  return {};
}

result<void, config_error> apply_file(config& c, const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path);
  if (!in) {
    return fail(config_error{config_errc::unreadable_file, "cannot read config file " + file + ": " +
                                                               std::strerror(errno)});
  }
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    return fail(config_error{config_errc::malformed_file, "config file " + file + " is not valid YAML: line " +
                                                              std::to_string(e.mark.line + 1) + ", column " +
                                                              std::to_string(e.mark.column + 1) + ": " + e.msg});
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) {
    return fail(config_error{config_errc::malformed_file,
                             "config file " + file + " must be a map of keys to values (e.g. `log: {level: debug}`)"});
  }
  std::vector<std::pair<std::string, YAML::Node>> entries;
  try {
    if (auto r = flatten(root, "", file, entries); !r) return r;
  } catch (const YAML::Exception& e) {
    return fail(config_error{config_errc::malformed_file, "config file " + file + ": " + e.msg});
  }
  for (const auto& [key, node] : entries) {
    const std::string value = node.IsNull() ? std::string() : node.Scalar();
    const std::string origin = "config file " + file + " (line " + std::to_string(node.Mark().line + 1) + ")";
    if (auto r = apply(c, key, value, origin); !r) return r;
  }
  return {};
}

result<void, config_error> apply_environment(config& c, const std::vector<std::string>& environment) {
  for (const auto& entry : environment) {
    if (!entry.starts_with(env_prefix)) continue;
    const auto eq = entry.find('=');
    const std::string name = entry.substr(0, eq);
    const std::string value = eq == std::string::npos ? std::string() : entry.substr(eq + 1);
    const key_spec* spec = nullptr;
    for (const auto& k : all_keys()) {
      if (env_name(k.name) == name) spec = &k;
    }
    if (spec == nullptr) {
      return fail(config_error{config_errc::unknown_key, "environment variable " + name +
                                                             " does not name a configuration key" +
                                                             suggestion(name, true)});
    }
    if (auto r = apply(c, spec->name, value, "environment variable " + name); !r) return r;
  }
  return {};
}

}  // namespace

config defaults() {
  config c;
  for (const auto& k : all_keys()) {
    // A declaration whose default does not parse is a programming error caught by unit tests.
    (void)k.apply(c, k.default_value);
  }
  return c;
}

result<config, config_error> load(const sources& from) {
  config c = defaults();
  if (from.file) {
    if (auto r = apply_file(c, *from.file); !r) return fail(r.error());
  }
  if (auto r = apply_environment(c, from.environment); !r) return fail(r.error());
  for (const auto& [key, value] : from.flags) {
    if (auto r = apply(c, key, value, "flag --" + key); !r) return fail(r.error());
  }
  return c;
}

std::vector<std::string> process_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  return out;
}

}  // namespace tributary::config
