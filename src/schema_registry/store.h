// store: the schema registry's state (subjects, their versions, global schema ids, compatibility
// levels), kept in memory and persisted in the embedded log's compacted topic `_schemas` with
// Confluent's record layout (key {"keytype":"SCHEMA","subject","version","magic":1} -> value
// {"subject","version","id","schema","deleted"}; key {"keytype":"CONFIG","subject","magic":0} ->
// {"compatibilityLevel"}), read back on open, latest value per key. Calls are synchronous and
// thread-safe; a write returns once its record is fsynced, so callers keep them off I/O threads.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "log/log_manager.h"
#include "schema_registry/avro_schema.h"
#include "schema_registry/compatibility.h"

namespace tributary::schema_registry {

enum class registry_errc {
  subject_not_found,      // 404 40401
  version_not_found,      // 404 40402
  schema_not_found,       // 404 40403
  invalid_schema,         // 422 42201
  invalid_version,        // 422 42202
  invalid_compatibility,  // 422 42203
  incompatible,           // 409 409
  storage,                // 500 50001
};
using registry_error = coded_error<registry_errc>;
template <typename T>
using registry_result = result<T, registry_error>;

struct schema_version {
  std::string subject;
  int version = 0;
  int id = 0;
  std::string schema;
};

class store {
 public:
  static constexpr const char* topic_name = "_schemas";
  static log::log_result<std::unique_ptr<store>> open(log::log_manager& log);

  std::vector<std::string> subjects() const;  // with at least one live version
  registry_result<std::vector<int>> versions(const std::string& subject) const;
  // nullopt version: the latest.
  registry_result<schema_version> get(const std::string& subject, std::optional<int> version) const;
  registry_result<std::string> schema_by_id(int id) const;
  // The live version of `subject` whose schema equals `text`.
  registry_result<schema_version> lookup(const std::string& subject, const std::string& text) const;
  // Registers `text` under `subject` (its existing version when already there) after the
  // compatibility check; an equal schema registered anywhere keeps its id. Returns the id.
  registry_result<int> register_schema(const std::string& subject, const std::string& text);
  // Whether `text` could be registered after version (nullopt: latest) of `subject`, at its level;
  // the reason when not.
  registry_result<std::optional<std::string>> check(const std::string& subject, const std::string& text,
                                                    std::optional<int> version) const;
  // Soft delete: the versions it had.
  registry_result<std::vector<int>> delete_subject(const std::string& subject);

  compatibility_level global_level() const;
  std::optional<compatibility_level> subject_level(const std::string& subject) const;
  registry_result<void> set_level(const std::optional<std::string>& subject, compatibility_level level);

 private:
  struct version_entry {
    int version = 0;
    int id = 0;
    std::string schema;
    std::shared_ptr<avro_schema> parsed;
    bool deleted = false;
  };
  explicit store(std::shared_ptr<log::partition> p) : partition_(std::move(p)) {}
  void apply(const std::string& key, const std::string& value);
  registry_result<void> persist(const std::string& key, const std::string& value);
  const std::vector<version_entry>* live_versions_locked(const std::string& subject) const;
  compatibility_level level_locked(const std::string& subject) const;

  std::shared_ptr<log::partition> partition_;
  mutable std::mutex mutex_;  // held across a write's fsync: registrations are serialized
  std::map<std::string, std::vector<version_entry>> subjects_;
  std::map<int, std::string> schemas_by_id_;
  int next_id_ = 1;
  compatibility_level global_level_ = compatibility_level::backward;
  std::map<std::string, compatibility_level> subject_levels_;
};

}  // namespace tributary::schema_registry
