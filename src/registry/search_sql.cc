#include "registry/search_sql.h"

#include <cctype>

namespace tributary::registry {

registry_result<std::string> json_pointer_to_path(std::string_view pointer) {
  if (pointer.empty() || pointer.front() != '/') {
    return registry_fail(registry_errc::bad_request, "field must be a JSON pointer starting with '/'");
  }
  std::string path = "$";
  std::size_t pos = 1;
  for (;;) {
    const auto end = std::min(pointer.find('/', pos), pointer.size());
    std::string token;
    for (std::size_t i = pos; i < end; ++i) {
      const char c = pointer[i];
      if (c == '~') {
        if (i + 1 >= end || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
          return registry_fail(registry_errc::bad_request, "invalid escape in JSON pointer " + std::string(pointer));
        }
        token += pointer[i + 1] == '0' ? '~' : '/';
        ++i;
      } else if (c == '"' || static_cast<unsigned char>(c) < 0x20) {
        return registry_fail(registry_errc::bad_request, "unsupported character in JSON pointer " + std::string(pointer));
      } else {
        token += c;
      }
    }
    const bool index = !token.empty() && token.size() < 10 &&
                       std::all_of(token.begin(), token.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    path += index ? "[" + token + "]" : ".\"" + token + "\"";
    if (end == pointer.size()) break;
    pos = end + 1;
  }
  return path;
}

std::string wildcard_to_glob(std::string_view pattern) {
  std::string glob;
  for (char c : pattern) {
    if (c == '[') glob += "[[]";
    else glob += c;
  }
  return glob;
}

registry_result<sql_clauses> translate_search(const search_query& q, const std::string& alias,
                                              const std::string& gateway_ids_sql) {
  sql_clauses out;
  if (q.is_gateway && !gateway_ids_sql.empty()) {
    const std::string is_gateway = "(" + alias + ".id IN (" + gateway_ids_sql + ") OR COALESCE(json_array_length(" + alias +
                                   ".doc, '$.memberOf'), 0) > 0)";
    out.where += *q.is_gateway ? " AND " + is_gateway : " AND NOT " + is_gateway;
  } else {
    for (const auto& f : q.filters) {
      const bool on_id = f.field == "/id";
      std::string path;
      if (!on_id) {
        auto p = json_pointer_to_path(f.field);
        if (!p) return fail(p.error());
        path = std::move(*p);
      }
      // Paths are bound, never spliced: json_type(doc, ?) and json_extract(doc, ?).
      const std::string value = on_id ? alias + ".id" : "json_extract(" + alias + ".doc, ?)";
      auto typed = [&](const std::string& types) {
        if (on_id) return std::string(" AND ");
        out.where_binds.emplace_back(path);
        return " AND json_type(" + alias + ".doc, ?) IN (" + types + ") AND ";
      };
      if (f.value.is_string()) {
        out.where += typed("'text'") + value + " GLOB ?";
        if (!on_id) out.where_binds.emplace_back(path);
        out.where_binds.emplace_back(wildcard_to_glob(f.value.get_string()));
      } else if (f.value.is_bool()) {
        out.where += typed("'true', 'false'") + value + " = ?";
        if (!on_id) out.where_binds.emplace_back(path);
        out.where_binds.emplace_back(static_cast<std::int64_t>(f.value.get_bool() ? 1 : 0));
      } else if (f.value.is_number()) {
        out.where += typed("'integer', 'real'") + value + " = ?";
        if (!on_id) out.where_binds.emplace_back(path);
        out.where_binds.push_back(f.value);
      } else {
        return registry_fail(registry_errc::bad_request, "filter value must be a boolean, number or string");
      }
    }
  }
  out.order_by = " ORDER BY ";
  for (const auto& s : q.sort) {
    if (s.field == "/id") {
      out.order_by += alias + ".id" + (s.descending ? " DESC, " : " ASC, ");
      continue;
    }
    auto path = json_pointer_to_path(s.field);
    if (!path) return fail(path.error());
    out.order_by += "json_extract(" + alias + ".doc, ?)" + (s.descending ? " DESC, " : " ASC, ");
    out.order_binds.emplace_back(*path);
  }
  out.order_by += alias + ".id ASC";
  return out;
}

}  // namespace tributary::registry
