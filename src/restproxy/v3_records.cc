#include "restproxy/v3_records.h"

#include <boost/json.hpp>

#include <set>

#include "common/rfc3339.h"
#include "restproxy/json_text.h"

namespace tributary::restproxy {
namespace {

namespace json = boost::json;

// {"type": BINARY|JSON|STRING, "data": ...} as bytes; the type (upper case) goes to `type`.
proxy_result<std::optional<std::string>> data_field(const json::value& v, std::string& type) {
  if (v.is_null()) return std::optional<std::string>{};
  const auto* o = v.if_object();
  if (!o) return fail(bad_request("key and value must be objects such as {\"type\": \"BINARY\", \"data\": \"...\"}"));
  type = "JSON";  // no type and no schema: the data is JSON
  if (const auto* t = o->if_contains("type"); t && !t->is_null()) {
    if (!t->is_string()) return fail(bad_request("\"type\" must be BINARY, JSON or STRING"));
    type = std::string(t->get_string());
    for (auto& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const json::value* data = o->if_contains("data");
  if (type == "AVRO" || type == "JSONSCHEMA" || type == "PROTOBUF" || o->contains("schema_id") ||
      o->contains("schema") || o->contains("subject") || o->contains("schema_version"))
    return fail(bad_request("schema-backed data (" + type + ") is not supported by this proxy yet; use BINARY, JSON or STRING"));
  if (!data || data->is_null()) {
    if (type == "JSON" && data) return std::optional<std::string>{"null"};
    return std::optional<std::string>{};
  }
  if (type == "BINARY") return parse_base64_field(*data);
  if (type == "STRING") {
    if (!data->is_string()) return fail(bad_request("data=" + json::serialize(*data) + " is not a string."));
    return std::optional<std::string>{std::string(data->get_string())};
  }
  if (type == "JSON") return std::optional<std::string>{compact_json(*data)};
  return fail(bad_request("\"type\" must be BINARY, JSON or STRING, not " + type));
}

v3_entry parse_one(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return bad_request("each record must be a JSON object");
  v3_record out;
  if (const auto* p = o->if_contains("partition_id"); p && !p->is_null()) {
    const auto n = p->if_int64();
    if (!n || *n < 0 || *n > INT32_MAX) return bad_request("\"partition_id\" must be a non-negative integer");
    out.record.partition = static_cast<std::int32_t>(*n);
  }
  if (const auto* h = o->if_contains("headers")) {
    auto headers = parse_headers(*h);
    if (!headers) return rest_error{400, 400, "Bad Request: " + headers.error().message};
    out.record.headers = std::move(*headers);
  }
  if (const auto* k = o->if_contains("key")) {
    auto key = data_field(*k, out.key_type);
    if (!key) return key.error();
    out.record.key = std::move(*key);
    out.key_size = out.record.key ? out.record.key->size() : 0;
  }
  if (const auto* val = o->if_contains("value")) {
    auto value = data_field(*val, out.value_type);
    if (!value) return value.error();
    out.record.value = std::move(*value);
    out.value_size = out.record.value ? out.record.value->size() : 0;
  }
  if (const auto* t = o->if_contains("timestamp"); t && !t->is_null()) {
    const auto ms = t->is_string() ? parse_rfc3339_millis(t->get_string()) : std::nullopt;
    if (!ms) return bad_request("\"timestamp\" must be an ISO-8601 date-time such as 2021-02-05T19:14:42Z");
    out.record.timestamp = *ms;
  }
  return out;
}

bool only_whitespace(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::vector<v3_entry> parse_v3_records(std::string_view body) {
  std::vector<v3_entry> out;
  json::parser parser({}, record_data_parse_options());
  while (!only_whitespace(body)) {
    parser.reset();
    boost::system::error_code ec;
    const auto used = parser.write_some(body.data(), body.size(), ec);  // options: see the parser's construction
    if (ec) {
      out.emplace_back(bad_request("malformed JSON in the request body: " + ec.message()));
      break;
    }
    out.push_back(parse_one(parser.release()));
    body.remove_prefix(used);
  }
  return out;
}

proxy_result<std::vector<v3_batch_entry>> parse_v3_batch(std::string_view body, std::size_t max_entries) {
  boost::system::error_code ec;
  const auto doc = json::parse(body, ec, {}, record_data_parse_options());
  if (ec) return fail(bad_request("malformed JSON in the request body: " + ec.message()));
  const auto* o = doc.if_object();
  const auto* entries = o ? o->if_contains("entries") : nullptr;
  if (!entries || !entries->is_array()) return fail(bad_request("the body must be {\"entries\": [...]}"));
  const auto& list = entries->get_array();
  if (list.empty()) return fail(rest_error{422, 42208, "Empty batch."});
  if (list.size() > max_entries) return fail(rest_error{422, 42208, "Too many entries in batch."});
  std::vector<v3_batch_entry> out;
  std::set<std::string> ids;
  for (const auto& e : list) {
    const auto* eo = e.if_object();
    const auto* id = eo ? eo->if_contains("id") : nullptr;
    if (!id || !id->is_string() || id->get_string().empty() || id->get_string().size() > 80)
      return fail(rest_error{422, 42208, "Each batch entry needs an \"id\" of 1 to 80 characters."});
    if (!ids.emplace(id->get_string()).second) return fail(rest_error{422, 42208, "Batch entry IDs are not distinct."});
    out.push_back({std::string(id->get_string()), parse_one(e)});
  }
  return out;
}

std::string v3_report(const v3_delivery& d, const v3_record& r) {
  json::object o{{"error_code", 200},
                 {"cluster_id", d.cluster_id},
                 {"topic_name", d.topic},
                 {"partition_id", d.partition},
                 {"offset", d.offset},
                 {"timestamp", rfc3339_millis(std::chrono::system_clock::time_point{std::chrono::milliseconds(d.timestamp_ms)})}};
  if (!r.key_type.empty()) o["key"] = json::object{{"type", r.key_type}, {"size", r.key_size}};
  if (!r.value_type.empty())
    o["value"] = json::object{{"type", r.value_type}, {"size", r.value_size}};
  return json::serialize(o);
}

std::string v3_error_report(const rest_error& e) {
  return json::serialize(json::object{{"error_code", e.error_code}, {"message", e.message}});
}

}  // namespace tributary::restproxy
