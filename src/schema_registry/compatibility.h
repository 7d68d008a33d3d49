// compatibility: Avro schema resolution (the Avro specification's "Schema Resolution": promotions,
// record fields matched by name or alias with defaults for missing ones, enum symbols, unions,
// named types) over the schemas' JSON, and the registry's compatibility levels built on it
// (BACKWARD: the new schema reads data written with the previous one; FORWARD: the previous reads
// the new; FULL: both; *_TRANSITIVE: against every earlier version; NONE). Written here because
// libavro's resolver ignores field defaults. Pure; schemas are assumed valid (avro_schema::parse).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::schema_registry {

enum class compatibility_level { none, backward, backward_transitive, forward, forward_transitive, full, full_transitive };

std::optional<compatibility_level> parse_compatibility_level(std::string_view name);  // "BACKWARD", ...
std::string_view level_name(compatibility_level level);

// Whether data written with `writer` can be read with `reader`; nullopt names the first
// mismatch (for messages): "reader field 'age' has no default and is not in the writer".
std::optional<std::string> resolution_error(std::string_view reader_json, std::string_view writer_json);

// Whether `candidate` may be registered after `earlier` (oldest first) at `level`; the first
// reason it may not, else nullopt.
std::optional<std::string> incompatibility(compatibility_level level, std::string_view candidate,
                                           const std::vector<std::string>& earlier);

}  // namespace tributary::schema_registry
