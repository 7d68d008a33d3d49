#include "restproxy/produce_request.h"

#include <boost/json.hpp>

#include <tuple>

#include "common/base64.h"
#include "restproxy/binary_body.h"
#include "restproxy/json_text.h"

namespace tributary::restproxy {
namespace {

namespace json = boost::json;

}  // namespace

proxy_result<std::optional<std::string>> parse_base64_field(const json::value& v) {
  if (v.is_null()) return std::optional<std::string>{};
  if (!v.is_string()) return fail(bad_request("data=" + json::serialize(v) + " is not a base64 string."));
  auto decoded = decode_base64_lenient(v.get_string());
  if (!decoded) return fail(bad_request("data=" + json::serialize(v) + " is not a valid base64 string."));
  return std::optional<std::string>{std::move(*decoded)};
}

namespace {

proxy_result<std::optional<std::string>> json_field(const json::value& v) {
  if (v.is_null()) return std::optional<std::string>{};
  return std::optional<std::string>{compact_json(v)};
}

}  // namespace

proxy_result<std::vector<log::header>> parse_headers(const json::value& v) {
  std::vector<log::header> out;
  if (v.is_null()) return out;
  if (!v.is_array()) return fail(rest_error{400, 400, "headers must be an array of {\"name\", \"value\"} objects"});
  for (const auto& h : v.get_array()) {
    const auto* obj = h.if_object();
    const auto* name = obj ? obj->if_contains("name") : nullptr;
    if (!name || !name->is_string())
      return fail(rest_error{400, 400, "each header needs a string \"name\" (and a base64 \"value\" or null)"});
    log::header header{std::string(name->get_string()), std::nullopt};
    if (const auto* value = obj->if_contains("value")) {
      auto bytes = parse_base64_field(*value);
      if (!bytes) return fail(bytes.error());
      header.value = std::move(*bytes);
    }
    out.push_back(std::move(header));
  }
  return out;
}

std::optional<std::string> decode_base64_lenient(std::string_view text) {
  if (text.size() % 4 == 0) return base64_decode(text);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string padded(text);
  padded.append(4 - text.size() % 4, '=');
  return base64_decode(padded);
}

proxy_result<std::vector<produce_record>> parse_produce_request(std::string_view body, embedded_format format,
                                                                bool streaming) {
  if (format == embedded_format::binary && streaming) {
    if (auto records = parse_binary_body_fast(body)) return std::move(*records);
  }
  boost::system::error_code ec;
  json::monotonic_resource arena;  // the document lives only for this call: no frees one by one
  json::value doc = json::parse(body, ec, &arena, record_data_parse_options());
  if (ec) return fail(rest_error{400, 400, "Unexpected JSON input: " + ec.message()});
  const auto* obj = doc.if_object();
  if (!obj) return fail(rest_error{400, 400, "The request body must be a JSON object with a \"records\" array"});
  const auto* records = obj->if_contains("records");
  if (!records || records->is_null()) return fail(unprocessable("records may not be empty"));
  if (!records->is_array()) return fail(rest_error{400, 400, "\"records\" must be an array"});
  if (records->get_array().empty()) return fail(unprocessable("records may not be empty"));
  auto field = format == embedded_format::binary ? parse_base64_field : json_field;  // avro: JSON until encoded
  std::vector<produce_record> out;
  out.reserve(records->get_array().size());
  for (const auto& r : records->get_array()) {
    const auto* rec = r.if_object();
    if (!rec) return fail(rest_error{400, 400, "each record must be a JSON object"});
    produce_record pr;
    if (const auto* k = rec->if_contains("key")) {
      auto key = field(*k);
      if (!key) return fail(key.error());
      pr.key = std::move(*key);
    }
    if (const auto* v = rec->if_contains("value")) {
      auto value = field(*v);
      if (!value) return fail(value.error());
      pr.value = std::move(*value);
    }
    if (const auto* p = rec->if_contains("partition"); p && !p->is_null()) {
      const auto n = p->if_int64();
      if (!n || *n < 0 || *n > INT32_MAX) return fail(rest_error{400, 400, "\"partition\" must be a non-negative integer"});
      pr.partition = static_cast<std::int32_t>(*n);
    }
    if (const auto* h = rec->if_contains("headers")) {
      auto headers = parse_headers(*h);
      if (!headers) return fail(headers.error());
      pr.headers = std::move(*headers);
    }
    out.push_back(std::move(pr));
  }
  return out;
}

std::string produce_response_json(const std::vector<produce_outcome>& outcomes, std::optional<std::int32_t> key_schema_id,
                                  std::optional<std::int32_t> value_schema_id) {
  // Written directly: a DOM of 100 small objects per request cost more than the rest of the answer.
  auto number = [](const auto& v) { return v ? std::to_string(*v) : std::string("null"); };
  std::string out = "{\"offsets\":[";
  out.reserve(out.size() + outcomes.size() * 64 + 64);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const auto& o = outcomes[i];
    if (i) out += ',';
    out += "{\"partition\":" + number(o.partition) + ",\"offset\":" + number(o.offset) +
           ",\"error_code\":" + number(o.error_code) + ",\"error\":";
    out += o.error ? json::serialize(json::string(*o.error)) : std::string("null");
    out += '}';
  }
  out += "],\"key_schema_id\":" + number(key_schema_id) + ",\"value_schema_id\":" + number(value_schema_id) + "}";
  return out;
}

proxy_result<schema_refs> parse_schema_refs(std::string_view body) {
  boost::system::error_code ec;
  const auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return fail(rest_error{400, 400, "The request body must be a JSON object with a \"records\" array"});
  const auto& o = doc.get_object();
  schema_refs refs;
  for (const auto& [name, text, id] : {std::tuple{"key", &refs.key_schema, &refs.key_schema_id},
                                       std::tuple{"value", &refs.value_schema, &refs.value_schema_id}}) {
    if (const auto* s = o.if_contains(std::string(name) + "_schema"); s && !s->is_null()) {
      if (!s->is_string()) return fail(rest_error{422, 42205, std::string("Invalid schema: ") + name + "_schema must be a string"});
      *text = std::string(s->get_string());
    }
    if (const auto* i = o.if_contains(std::string(name) + "_schema_id"); i && !i->is_null()) {
      const auto n = i->if_int64();
      if (!n || *n < 0 || *n > INT32_MAX) return fail(rest_error{422, 42205, std::string("Invalid schema: ") + name + "_schema_id must be a schema id"});
      *id = static_cast<std::int32_t>(*n);
    }
  }
  return refs;
}

}  // namespace tributary::restproxy
