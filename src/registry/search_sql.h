// search_sql: translates a search_query (filterJson, sortJson, isGateway) into the WHERE and ORDER
// BY clauses of an SQLite query over a table with `id` and JSON `doc` columns. Pure; the values are
// returned for binding, never spliced into the text. A PostgreSQL store would have its own
// translation of the same query.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <vector>

#include "registry/records.h"
#include "registry/registry_error.h"

namespace tributary::registry {

struct sql_clauses {
  std::string where;     // "" or " AND ..." to append after the caller's own condition
  std::string order_by;  // " ORDER BY ..."
  std::vector<boost::json::value> where_binds;  // strings, integers, doubles, in order of the `?`s
  std::vector<boost::json::value> order_binds;
};

// `table_alias` qualifies the columns (e.g. "d"). `gateway_ids_sql` is the subquery listing
// gateway ids (devices only; empty for tenants), used when q.is_gateway is set.
registry_result<sql_clauses> translate_search(const search_query& q, const std::string& table_alias,
                                              const std::string& gateway_ids_sql);

// "/ext/brand" -> `$."ext"."brand"`; "/via/0" -> `$."via"[0]`. bad_request for a pointer that
// does not start with '/', or has a bad escape or a '"'.
registry_result<std::string> json_pointer_to_path(std::string_view pointer);

// A Hono wildcard pattern (`*` any run, `?` one char) as an SQLite GLOB pattern.
std::string wildcard_to_glob(std::string_view pattern);

}  // namespace tributary::registry
