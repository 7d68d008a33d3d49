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
void assign_number(std::chrono::milliseconds& dst, long long n) { dst = std::chrono::milliseconds(n); }

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
