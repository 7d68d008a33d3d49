#include "kafka/broker/offset_store.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

namespace tributary::kafka::broker {

namespace json = boost::json;

// Record formats (docs/formats/consumer-offsets.md): key ["group","topic",partition], value
// {"offset":N,"leader_epoch":E,"metadata":"..."|null,"commit_timestamp":ms}.
std::string offset_store::encode_key(const key& k) {
  return json::serialize(json::array{json::value(std::get<0>(k)), json::value(std::get<1>(k)), std::get<2>(k)});
}

std::optional<offset_store::key> offset_store::decode_key(const std::string& bytes) {
  boost::system::error_code ec;
  auto v = json::parse(bytes, ec);
  if (ec || !v.is_array() || v.as_array().size() != 3) return std::nullopt;
  const auto& a = v.as_array();
  if (!a[0].is_string() || !a[1].is_string() || !a[2].is_int64()) return std::nullopt;
  return key{std::string(a[0].as_string()), std::string(a[1].as_string()), static_cast<std::int32_t>(a[2].as_int64())};
}

std::string offset_store::encode_value(const committed_offset& v) {
  json::object o{{"offset", v.offset}, {"leader_epoch", v.leader_epoch}, {"commit_timestamp", v.commit_timestamp}};
  o["metadata"] = v.metadata ? json::value(*v.metadata) : json::value(nullptr);
  return json::serialize(o);
}

std::optional<committed_offset> offset_store::decode_value(const std::string& bytes) {
  boost::system::error_code ec;
  auto v = json::parse(bytes, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  const auto* offset = o.if_contains("offset");
  const auto* epoch = o.if_contains("leader_epoch");
  const auto* ts = o.if_contains("commit_timestamp");
  const auto* metadata = o.if_contains("metadata");
  if (!offset || !offset->is_int64() || !epoch || !epoch->is_int64() || !ts || !ts->is_int64()) return std::nullopt;
  committed_offset c;
  c.offset = offset->as_int64();
  c.leader_epoch = static_cast<std::int32_t>(epoch->as_int64());
  c.commit_timestamp = ts->as_int64();
  if (metadata && metadata->is_string()) c.metadata = std::string(metadata->as_string());
  return c;
}

log::log_result<std::unique_ptr<offset_store>> offset_store::open(log::log_manager& log) {
  auto t = log.find_or_create_topic(topic_name, log::internal_topic_config());
  if (!t) return fail(t.error());
  std::unique_ptr<offset_store> store(new offset_store((*t)->get(0)));
  auto latest = store->partition_->latest_per_key();
  if (!latest) return fail(latest.error());
  std::size_t skipped = 0;
  for (const auto& r : *latest) {
    auto k = decode_key(*r.key);
    auto v = decode_value(*r.value);
    if (!k || !v) {
      ++skipped;
      continue;
    }
    store->offsets_[*k] = *v;
  }
  if (skipped) spdlog::warn("{}: skipped {} record(s) that are not committed offsets", topic_name, skipped);
  spdlog::info("{}: loaded {} committed offset(s)", topic_name, store->offsets_.size());
  return store;
}

offset_store::~offset_store() {
  std::unique_lock lock(mutex_);
  commits_done_.wait(lock, [this] { return commits_in_flight_ == 0; });
}

void offset_store::commit(const std::string& group, std::vector<offset_commit_entry> entries,
                          std::function<void(log::log_result<void>)> done) {
  if (entries.empty()) {
    done({});
    return;
  }
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::vector<log::record> records;
  records.reserve(entries.size());
  for (auto& e : entries) {
    if (e.value.commit_timestamp < 0) e.value.commit_timestamp = now;
    log::record r;
    r.timestamp = now;
    r.key = encode_key({group, e.topic, e.partition});
    r.value = encode_value(e.value);
    records.push_back(std::move(r));
  }
  {
    std::lock_guard lock(mutex_);
    ++commits_in_flight_;
  }
  partition_->append_records(records, [this, group, entries = std::move(entries),
                                        done = std::move(done)](log::log_result<log::append_info> r) {
    if (r) {
      std::lock_guard lock(mutex_);
      for (const auto& e : entries) offsets_[{group, e.topic, e.partition}] = e.value;
    }
    if (r) done({});
    else done(fail(r.error()));
    // Last: the destructor may run as soon as the count reaches zero.
    std::lock_guard lock(mutex_);
    if (--commits_in_flight_ == 0) commits_done_.notify_all();
  });
}

std::optional<committed_offset> offset_store::fetch(const std::string& group, const std::string& topic,
                                                    std::int32_t partition) const {
  std::lock_guard lock(mutex_);
  auto it = offsets_.find({group, topic, partition});
  if (it == offsets_.end()) return std::nullopt;
  return it->second;
}

std::vector<offset_commit_entry> offset_store::fetch_all(const std::string& group) const {
  std::lock_guard lock(mutex_);
  std::vector<offset_commit_entry> out;
  for (auto it = offsets_.lower_bound({group, "", 0}); it != offsets_.end() && std::get<0>(it->first) == group; ++it) {
    out.push_back({std::get<1>(it->first), std::get<2>(it->first), it->second});
  }
  return out;
}

std::vector<std::string> offset_store::groups() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [k, v] : offsets_) {
    if (out.empty() || out.back() != std::get<0>(k)) out.push_back(std::get<0>(k));
  }
  return out;
}

}  // namespace tributary::kafka::broker
