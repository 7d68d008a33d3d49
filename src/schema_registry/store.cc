#include "schema_registry/store.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <future>

namespace tributary::schema_registry {
namespace {

namespace json = boost::json;

std::string schema_key(const std::string& subject, int version) {
  return json::serialize(json::object{{"keytype", "SCHEMA"}, {"subject", subject}, {"version", version}, {"magic", 1}});
}

std::string config_key(const std::optional<std::string>& subject) {
  json::object key{{"keytype", "CONFIG"}, {"magic", 0}};
  key["subject"] = subject ? json::value(*subject) : json::value(nullptr);
  return json::serialize(key);
}

registry_error not_found(registry_errc code, const std::string& what) { return {code, what}; }

}  // namespace

log::log_result<std::unique_ptr<store>> store::open(log::log_manager& log) {
  auto t = log.find_or_create_topic(topic_name, log::internal_topic_config());
  if (!t) return fail(t.error());
  std::unique_ptr<store> s(new store((*t)->get(0)));
  auto latest = s->partition_->latest_per_key();
  if (!latest) return fail(latest.error());
  for (const auto& r : *latest) s->apply(*r.key, *r.value);
  std::size_t versions = 0;
  for (const auto& [subject, list] : s->subjects_) versions += list.size();
  spdlog::info("{}: loaded {} schema version(s) of {} subject(s), {} schema id(s)", topic_name, versions,
               s->subjects_.size(), s->schemas_by_id_.size());
  return s;
}

// Records that do not parse are skipped (a topic written by something else is not fatal).
void store::apply(const std::string& key_text, const std::string& value_text) {
  boost::system::error_code ec;
  const auto key = json::parse(key_text, ec);
  if (ec || !key.is_object()) return;
  const auto value = json::parse(value_text, ec);
  if (ec || !value.is_object()) return;
  const auto& k = key.get_object();
  const auto& v = value.get_object();
  const auto* type = k.if_contains("keytype");
  if (!type || !type->is_string()) return;
  if (type->get_string() == "CONFIG") {
    const auto* level_text = v.if_contains("compatibilityLevel");
    const auto level = level_text && level_text->is_string() ? parse_compatibility_level(level_text->get_string()) : std::nullopt;
    if (!level) return;
    const auto* subject = k.if_contains("subject");
    if (subject && subject->is_string()) subject_levels_[std::string(subject->get_string())] = *level;
    else global_level_ = *level;
    return;
  }
  if (type->get_string() != "SCHEMA") return;
  const auto* subject = v.if_contains("subject");
  const auto* version = v.if_contains("version");
  const auto* id = v.if_contains("id");
  const auto* schema = v.if_contains("schema");
  if (!subject || !subject->is_string() || !version || !version->is_int64() || !id || !id->is_int64() || !schema ||
      !schema->is_string())
    return;
  auto parsed = avro_schema::parse(schema->get_string());
  if (!parsed) return;
  version_entry e{static_cast<int>(version->get_int64()), static_cast<int>(id->get_int64()),
                  std::string(schema->get_string()), std::make_shared<avro_schema>(std::move(*parsed)), false};
  if (const auto* deleted = v.if_contains("deleted"); deleted && deleted->is_bool()) e.deleted = deleted->get_bool();
  auto& list = subjects_[std::string(subject->get_string())];
  auto it = std::find_if(list.begin(), list.end(), [&](const version_entry& x) { return x.version == e.version; });
  schemas_by_id_[e.id] = e.schema;
  next_id_ = std::max(next_id_, e.id + 1);
  if (it != list.end()) *it = std::move(e);
  else list.push_back(std::move(e));
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
}

registry_result<void> store::persist(const std::string& key, const std::string& value) {
  const log::record r{0,
                      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count(),
                      key, value, {}};
  std::promise<log::log_result<log::append_info>> done;
  auto answer = done.get_future();
  partition_->append_records(std::span<const log::record>(&r, 1),
                             [&done](log::log_result<log::append_info> result) { done.set_value(std::move(result)); });
  auto appended = answer.get();
  if (!appended) return fail(registry_error{registry_errc::storage, "cannot write to " + std::string(topic_name) + ": " + appended.error().message});
  return {};
}

const std::vector<store::version_entry>* store::live_versions_locked(const std::string& subject) const {
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) return nullptr;
  for (const auto& e : it->second)
    if (!e.deleted) return &it->second;
  return nullptr;
}

std::vector<std::string> store::subjects() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [subject, list] : subjects_)
    if (live_versions_locked(subject)) out.push_back(subject);
  return out;
}

registry_result<std::vector<int>> store::versions(const std::string& subject) const {
  std::lock_guard lock(mutex_);
  const auto* list = live_versions_locked(subject);
  if (!list) return fail(not_found(registry_errc::subject_not_found, "Subject '" + subject + "' not found."));
  std::vector<int> out;
  for (const auto& e : *list)
    if (!e.deleted) out.push_back(e.version);
  return out;
}

registry_result<schema_version> store::get(const std::string& subject, std::optional<int> version) const {
  std::lock_guard lock(mutex_);
  const auto* list = live_versions_locked(subject);
  if (!list) return fail(not_found(registry_errc::subject_not_found, "Subject '" + subject + "' not found."));
  const version_entry* found = nullptr;
  for (const auto& e : *list)
    if (!e.deleted && (!version || e.version == *version)) found = &e;
  if (!found)
    return fail(not_found(registry_errc::version_not_found,
                          "Version " + std::to_string(version.value_or(0)) + " not found."));
  return schema_version{subject, found->version, found->id, found->schema};
}

registry_result<std::string> store::schema_by_id(int id) const {
  std::lock_guard lock(mutex_);
  auto it = schemas_by_id_.find(id);
  if (it == schemas_by_id_.end()) return fail(not_found(registry_errc::schema_not_found, "Schema " + std::to_string(id) + " not found"));
  return it->second;
}

registry_result<schema_version> store::lookup(const std::string& subject, const std::string& text) const {
  auto parsed = avro_schema::parse(text);
  if (!parsed) return fail(registry_error{registry_errc::invalid_schema, "Invalid schema: " + parsed.error()});
  std::lock_guard lock(mutex_);
  const auto* list = live_versions_locked(subject);
  if (!list) return fail(not_found(registry_errc::subject_not_found, "Subject '" + subject + "' not found."));
  for (const auto& e : *list)
    if (!e.deleted && *e.parsed == *parsed) return schema_version{subject, e.version, e.id, e.schema};
  return fail(not_found(registry_errc::schema_not_found, "Schema not found"));
}

compatibility_level store::level_locked(const std::string& subject) const {
  auto it = subject_levels_.find(subject);
  return it == subject_levels_.end() ? global_level_ : it->second;
}

registry_result<int> store::register_schema(const std::string& subject, const std::string& text) {
  auto parsed = avro_schema::parse(text);
  if (!parsed) return fail(registry_error{registry_errc::invalid_schema, "Invalid schema: " + parsed.error()});
  auto schema = std::make_shared<avro_schema>(std::move(*parsed));
  std::lock_guard lock(mutex_);
  auto& list = subjects_[subject];
  std::vector<std::string> earlier;
  int last_version = 0;
  for (const auto& e : list) {
    last_version = std::max(last_version, e.version);
    if (e.deleted) continue;
    if (*e.parsed == *schema) return e.id;
    earlier.push_back(e.schema);
  }
  if (auto why = incompatibility(level_locked(subject), text, earlier))
    return fail(registry_error{registry_errc::incompatible, "Schema being registered is incompatible with an earlier schema for subject \"" +
                                                                subject + "\", details: " + *why});
  int id = next_id_;
  for (const auto& [other_subject, other_list] : subjects_)
    for (const auto& e : other_list)
      if (*e.parsed == *schema) id = e.id;
  const int version = last_version + 1;
  const json::object value{{"subject", subject}, {"version", version}, {"id", id}, {"schema", text}, {"deleted", false}};
  if (auto written = persist(schema_key(subject, version), json::serialize(value)); !written) return fail(written.error());
  list.push_back({version, id, text, schema, false});
  schemas_by_id_[id] = text;
  next_id_ = std::max(next_id_, id + 1);
  return id;
}

registry_result<std::optional<std::string>> store::check(const std::string& subject, const std::string& text,
                                                         std::optional<int> version) const {
  auto parsed = avro_schema::parse(text);
  if (!parsed) return fail(registry_error{registry_errc::invalid_schema, "Invalid schema: " + parsed.error()});
  std::lock_guard lock(mutex_);
  const auto* list = live_versions_locked(subject);
  if (!list) return fail(not_found(registry_errc::subject_not_found, "Subject '" + subject + "' not found."));
  std::vector<std::string> earlier;
  bool found = false;
  for (const auto& e : *list) {
    if (e.deleted) continue;
    earlier.push_back(e.schema);
    if (version && e.version == *version) {
      found = true;
      break;
    }
  }
  if (version && !found)
    return fail(not_found(registry_errc::version_not_found, "Version " + std::to_string(*version) + " not found."));
  return incompatibility(level_locked(subject), text, earlier);
}

registry_result<std::vector<int>> store::delete_subject(const std::string& subject) {
  std::lock_guard lock(mutex_);
  if (!live_versions_locked(subject)) return fail(not_found(registry_errc::subject_not_found, "Subject '" + subject + "' not found."));
  std::vector<int> deleted;
  for (auto& e : subjects_[subject]) {
    if (e.deleted) continue;
    const json::object value{{"subject", subject}, {"version", e.version}, {"id", e.id}, {"schema", e.schema}, {"deleted", true}};
    if (auto written = persist(schema_key(subject, e.version), json::serialize(value)); !written) return fail(written.error());
    e.deleted = true;
    deleted.push_back(e.version);
  }
  return deleted;
}

compatibility_level store::global_level() const {
  std::lock_guard lock(mutex_);
  return global_level_;
}

std::optional<compatibility_level> store::subject_level(const std::string& subject) const {
  std::lock_guard lock(mutex_);
  auto it = subject_levels_.find(subject);
  if (it == subject_levels_.end()) return std::nullopt;
  return it->second;
}

registry_result<void> store::set_level(const std::optional<std::string>& subject, compatibility_level level) {
  std::lock_guard lock(mutex_);
  const json::object value{{"compatibilityLevel", std::string(level_name(level))}};
  if (auto written = persist(config_key(subject), json::serialize(value)); !written) return written;
  if (subject) subject_levels_[*subject] = level;
  else global_level_ = level;
  return {};
}

}  // namespace tributary::schema_registry
