#include "log/log_manager.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "log/file.h"

namespace tributary::log {
namespace {

constexpr const char* metadata_file = "topic.json";
constexpr char deleted_marker = '~';  // never in a topic name, so never mistaken for one

std::string metadata_json(const topic& t) {
  boost::json::object configs;
  for (const auto& [k, v] : t.config().to_map()) configs[k] = v;
  return boost::json::serialize(boost::json::object{
             {"name", t.name()}, {"partitions", t.config().partitions}, {"configs", std::move(configs)}}) +
         "\n";
}

}  // namespace

std::shared_ptr<partition> topic::get(int index) const {
  if (index < 0 || static_cast<std::size_t>(index) >= partitions_.size()) return nullptr;
  return partitions_[static_cast<std::size_t>(index)];
}

log_manager::log_manager(log_options options) : options_(std::move(options)), flusher_(options_.flusher_tick_ms) {}

log_manager::~log_manager() { (void)close(); }

log_result<std::unique_ptr<log_manager>> log_manager::open(log_options options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return fail(log_error{log_errc::io_error, "cannot create " + options.dir.string() + ": " + ec.message()});
  std::unique_ptr<log_manager> l(new log_manager(std::move(options)));
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t partitions = 0;
  for (const auto& entry : std::filesystem::directory_iterator(l->options_.dir, ec)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    if (name.find(deleted_marker) != std::string::npos) {
      std::filesystem::remove_all(entry.path(), ec);  // a deletion interrupted by a crash
      continue;
    }
    auto t = l->open_topic(entry.path());
    if (!t) return fail(t.error());
    if (*t) {
      partitions += (*t)->partition_count();
      l->topics_.emplace((*t)->name(), std::move(*t));
    }
  }
  if (ec) return fail(log_error{log_errc::io_error, "cannot list " + l->options_.dir.string() + ": " + ec.message()});
  spdlog::info("log: opened {} topic(s), {} partition(s) in {} ms from {}", l->topics_.size(), partitions,
               std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count(),
               l->options_.dir.string());
  return l;
}

log_result<std::shared_ptr<topic>> log_manager::open_topic(const std::filesystem::path& dir) {
  const std::string name = dir.filename().string();
  const auto meta_path = dir / metadata_file;
  std::ifstream in(meta_path);
  if (!in) {
    spdlog::warn("log: ignoring {}: no {} (a topic creation interrupted by a crash?)", dir.string(), metadata_file);
    return std::shared_ptr<topic>();
  }
  std::stringstream text;
  text << in.rdbuf();
  auto bad = [&](const std::string& why) {
    return fail(log_error{log_errc::corrupt, "topic metadata " + meta_path.string() + ": " + why});
  };
  boost::system::error_code jec;
  auto json = boost::json::parse(text.str(), jec);
  if (jec || !json.is_object()) return bad("not a JSON object");
  const auto& obj = json.as_object();
  const auto* partitions = obj.if_contains("partitions");
  const auto* configs = obj.if_contains("configs");
  if (!partitions || !partitions->is_int64() || partitions->as_int64() < 1 || !configs || !configs->is_object()) {
    return bad("needs \"partitions\" >= 1 and \"configs\"");
  }
  topic_config config;
  config.partitions = static_cast<int>(partitions->as_int64());
  std::map<std::string, std::string> values;
  for (const auto& [k, v] : configs->as_object()) {
    if (!v.is_string()) return bad("config " + std::string(k) + " is not a string");
    values.emplace(std::string(k), std::string(v.as_string()));
  }
  if (auto r = config.apply(values); !r) return bad(r.error().message);
  auto t = std::make_shared<topic>(name, config);
  if (auto r = open_partitions(*t); !r) return fail(r.error());
  return t;
}

log_result<void> log_manager::open_partitions(topic& t) {
  for (int i = 0; i < t.config_.partitions; ++i) {
    auto p = partition::open(options_.dir / t.name() / std::to_string(i), t.name() + "-" + std::to_string(i), t.config_,
                             flusher_);
    if (!p) return fail(p.error());
    flusher_.add(*p);
    t.partitions_.push_back(std::move(*p));
  }
  return {};
}

log_result<std::shared_ptr<topic>> log_manager::find_or_create_topic(const std::string& name, const topic_config& config) {
  if (auto t = find_topic(name)) return t;
  auto created = create_topic(name, config);
  if (!created && created.error().code == log_errc::topic_exists) {
    if (auto t = find_topic(name)) return t;  // created concurrently
  }
  return created;
}

log_result<std::shared_ptr<topic>> log_manager::create_topic(const std::string& name, const topic_config& config) {
  if (auto r = validate_topic_name(name); !r) return fail(r.error());
  if (config.partitions < 1 || config.partitions > 10000) {
    return fail(log_error{log_errc::invalid_config, "topic " + name + ": partitions must be 1..10000"});
  }
  std::lock_guard lock(mutex_);
  if (closed_) return fail(log_error{log_errc::closed, "the log is closed"});
  if (topics_.count(name)) return fail(log_error{log_errc::topic_exists, "topic " + name + " already exists"});
  auto t = std::make_shared<topic>(name, config);
  const auto dir = options_.dir / name;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(log_error{log_errc::io_error, "cannot create " + dir.string() + ": " + ec.message()});
  if (auto r = write_file_atomically(dir / metadata_file, metadata_json(*t)); !r) return fail(r.error());
  if (auto r = open_partitions(*t); !r) return fail(r.error());
  if (auto r = sync_directory(options_.dir); !r) return fail(r.error());
  topics_.emplace(name, t);
  spdlog::info("log: created topic {} with {} partition(s)", name, config.partitions);
  return t;
}

std::shared_ptr<topic> log_manager::find_topic(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second;
}

std::shared_ptr<partition> log_manager::find_partition(const std::string& topic_name, int index) const {
  auto t = find_topic(topic_name);
  return t ? t->get(index) : nullptr;
}

std::vector<std::string> log_manager::topic_names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, t] : topics_) names.push_back(name);
  return names;
}

log_result<void> log_manager::delete_topic(const std::string& name) {
  std::shared_ptr<topic> t;
  {
    std::lock_guard lock(mutex_);
    auto it = topics_.find(name);
    if (it == topics_.end()) return fail(log_error{log_errc::unknown_topic, "topic " + name + " does not exist"});
    t = it->second;
    topics_.erase(it);
  }
  for (const auto& p : t->partitions_) {
    flusher_.remove(p.get());
    (void)p->close();
  }
  const auto dir = options_.dir / name;
  const auto trash = options_.dir / (name + deleted_marker + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::error_code ec;
  std::filesystem::rename(dir, trash, ec);
  if (ec) return fail(log_error{log_errc::io_error, "cannot delete " + dir.string() + ": " + ec.message()});
  if (auto r = sync_directory(options_.dir); !r) return r;
  std::filesystem::remove_all(trash, ec);
  spdlog::info("log: deleted topic {}", name);
  return {};
}

log_result<void> log_manager::close() {
  std::map<std::string, std::shared_ptr<topic>> topics;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return {};
    closed_ = true;
    topics = topics_;
  }
  flusher_.stop();
  log_result<void> result;
  for (const auto& [name, t] : topics) {
    for (const auto& p : t->partitions_) {
      if (auto r = p->close(); !r && result) result = r;
    }
  }
  return result;
}

}  // namespace tributary::log
