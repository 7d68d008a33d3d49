#include "schema_registry/api.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>

namespace tributary::schema_registry {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

constexpr std::string_view media_type = "application/vnd.schemaregistry.v1+json";

net::http_response reply(const net::http_request& req, unsigned status, std::string body) {
  net::http_response res{static_cast<http::status>(status), req.version()};
  res.set(http::field::content_type, media_type);
  res.body() = std::move(body);
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

net::http_response error(const net::http_request& req, unsigned status, int code, const std::string& message) {
  return reply(req, status, json::serialize(json::object{{"error_code", code}, {"message", message}}));
}

net::http_response error(const net::http_request& req, const registry_error& e) {
  switch (e.code) {
    case registry_errc::subject_not_found: return error(req, 404, 40401, e.message);
    case registry_errc::version_not_found: return error(req, 404, 40402, e.message);
    case registry_errc::schema_not_found: return error(req, 404, 40403, e.message);
    case registry_errc::invalid_schema: return error(req, 422, 42201, e.message);
    case registry_errc::invalid_version: return error(req, 422, 42202, e.message);
    case registry_errc::invalid_compatibility: return error(req, 422, 42203, e.message);
    case registry_errc::incompatible: return error(req, 409, 409, e.message);
    case registry_errc::storage: return error(req, 500, 50001, "Error in the backend data store: " + e.message);
  }
  return error(req, 500, 500, e.message);
}

net::http_response status_error(const net::http_request& req, unsigned status) {
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  return error(req, status, static_cast<int>(status), "HTTP " + std::to_string(status) + " " + std::string(reason));
}

// "latest" and -1 are the latest (nullopt); otherwise 1 .. 2^31-1.
result<std::optional<int>, registry_error> parse_version(const std::string& text) {
  if (text == "latest" || text == "-1") return std::optional<int>{};
  int v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || v < 1)
    return fail(registry_error{registry_errc::invalid_version, "The specified version '" + text +
                                                                   "' is not a valid version id. Allowed values are between "
                                                                   "[1, 2^31-1] and the string \"latest\""});
  return std::optional<int>{v};
}

// The "schema" of a register/lookup/compatibility body; only AVRO schemas.
result<std::string, net::http_response> schema_of(const net::http_request& req) {
  boost::system::error_code ec;
  const auto body = json::parse(req.body(), ec);
  if (ec || !body.is_object()) return fail(error(req, 400, 400, "Unexpected JSON input: the body must be an object with a \"schema\""));
  const auto& o = body.get_object();
  if (const auto* type = o.if_contains("schemaType"); type && !type->is_null() && !(type->is_string() && type->get_string() == "AVRO"))
    return fail(error(req, 422, 42201, "Invalid schema: only schemaType AVRO is supported"));
  if (const auto* refs = o.if_contains("references"); refs && refs->is_array() && !refs->get_array().empty())
    return fail(error(req, 422, 42201, "Invalid schema: schema references are not supported"));
  const auto* schema = o.if_contains("schema");
  if (!schema || !schema->is_string()) return fail(error(req, 422, 42201, "Invalid schema: \"schema\" must be a string"));
  return std::string(schema->get_string());
}

json::object version_json(const schema_version& v) {
  return {{"subject", v.subject}, {"version", v.version}, {"id", v.id}, {"schema", v.schema}};
}

bool content_type_ok(const net::http_request& req) {
  if (req.body().empty()) return true;
  auto type = std::string(req[http::field::content_type]);
  type = type.substr(0, type.find(';'));
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type.empty() || type == media_type || type == "application/vnd.schemaregistry+json" ||
         type == "application/json" || type == "application/octet-stream";
}

}  // namespace

net::http_response api::handle(const net::http_request& req) const {
  auto parsed = boost::urls::parse_origin_form(req.target());
  if (!parsed) return error(req, 400, 400, "malformed request target");
  std::vector<std::string> path;
  for (auto s : parsed->segments()) path.push_back(s);
  if (!path.empty() && path.back().empty()) path.pop_back();
  bool default_to_global = false;
  for (const auto& p : parsed->params())
    if (p.key == "defaultToGlobal" && p.value == "true") default_to_global = true;
  if (!content_type_ok(req)) return status_error(req, 415);
  const auto m = req.method();
  const bool get = m == http::verb::get, post = m == http::verb::post, put = m == http::verb::put, del = m == http::verb::delete_;
  const auto n = path.size();

  if (n == 0) return get ? reply(req, 200, "{}") : status_error(req, 405);
  if (path[0] == "subjects") {
    if (n == 1) {
      if (!get) return status_error(req, 405);
      json::array subjects;
      for (auto& s : store_.subjects()) subjects.push_back(json::string(s));
      return reply(req, 200, json::serialize(subjects));
    }
    const auto& subject = path[1];
    if (n == 2) {
      if (post) {
        auto text = schema_of(req);
        if (!text) return text.error();
        auto found = store_.lookup(subject, *text);
        if (!found) return error(req, found.error());
        return reply(req, 200, json::serialize(version_json(*found)));
      }
      if (del) {
        auto deleted = store_.delete_subject(subject);
        if (!deleted) return error(req, deleted.error());
        json::array versions;
        for (int v : *deleted) versions.push_back(v);
        return reply(req, 200, json::serialize(versions));
      }
      return status_error(req, 405);
    }
    if (path[2] != "versions" || n > 5 || (n == 5 && path[4] != "schema")) return status_error(req, 404);
    if (n == 3) {
      if (get) {
        auto versions = store_.versions(subject);
        if (!versions) return error(req, versions.error());
        json::array out;
        for (int v : *versions) out.push_back(v);
        return reply(req, 200, json::serialize(out));
      }
      if (post) {
        auto text = schema_of(req);
        if (!text) return text.error();
        auto id = store_.register_schema(subject, *text);
        if (!id) return error(req, id.error());
        return reply(req, 200, json::serialize(json::object{{"id", *id}}));
      }
      return status_error(req, 405);
    }
    if (!get) return status_error(req, 405);
    auto version = parse_version(path[3]);
    if (!version) return error(req, version.error());
    auto found = store_.get(subject, *version);
    if (!found) return error(req, found.error());
    if (n == 5) return reply(req, 200, found->schema);
    return reply(req, 200, json::serialize(version_json(*found)));
  }
  if (path[0] == "schemas") {
    if (n == 2 && path[1] == "types") return get ? reply(req, 200, R"(["AVRO"])") : status_error(req, 405);
    if (n < 3 || n > 4 || path[1] != "ids" || (n == 4 && path[3] != "schema")) return status_error(req, 404);
    if (!get) return status_error(req, 405);
    int id = 0;
    const auto [ptr, ec] = std::from_chars(path[2].data(), path[2].data() + path[2].size(), id);
    if (ec != std::errc{} || ptr != path[2].data() + path[2].size()) return error(req, 404, 40403, "Schema " + path[2] + " not found");
    auto schema = store_.schema_by_id(id);
    if (!schema) return error(req, schema.error());
    if (n == 4) return reply(req, 200, *schema);
    return reply(req, 200, json::serialize(json::object{{"schema", *schema}}));
  }
  if (path[0] == "config" && n <= 2) {
    const std::optional<std::string> subject = n == 2 ? std::optional<std::string>(path[1]) : std::nullopt;
    if (get) {
      auto level = subject ? store_.subject_level(*subject) : std::optional<compatibility_level>(store_.global_level());
      if (!level && default_to_global) level = store_.global_level();
      if (!level) return error(req, 404, 40408, "Subject '" + *subject + "' does not have subject-level compatibility configured");
      return reply(req, 200, json::serialize(json::object{{"compatibilityLevel", std::string(level_name(*level))}}));
    }
    if (!put) return status_error(req, 405);
    boost::system::error_code ec;
    const auto body = json::parse(req.body(), ec);
    const auto* value = !ec && body.is_object() ? body.get_object().if_contains("compatibility") : nullptr;
    const auto level = value && value->is_string() ? parse_compatibility_level(value->get_string()) : std::nullopt;
    if (!level) return error(req, 422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive");
    if (auto set = store_.set_level(subject, *level); !set) return error(req, set.error());
    return reply(req, 200, json::serialize(json::object{{"compatibility", std::string(level_name(*level))}}));
  }
  if (path[0] == "compatibility" && n == 5 && path[1] == "subjects" && path[3] == "versions") {
    if (!post) return status_error(req, 405);
    auto version = parse_version(path[4]);
    if (!version) return error(req, version.error());
    auto text = schema_of(req);
    if (!text) return text.error();
    auto why = store_.check(path[2], *text, *version);
    if (!why) return error(req, why.error());
    json::object out{{"is_compatible", !why->has_value()}};
    if (*why) out["messages"] = json::array{json::string(**why)};
    return reply(req, 200, json::serialize(out));
  }
  return status_error(req, 404);
}

}  // namespace tributary::schema_registry
