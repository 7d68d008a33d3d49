#include "registry/management_api.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <openssl/crypto.h>

#include <charconv>

#include "common/base64.h"

namespace tributary::registry {
namespace {

namespace http = boost::beast::http;
using boost::json::object;
using boost::json::value;

constexpr std::string_view json_type = "application/json; charset=utf-8";

// The one table from registry outcomes to HTTP statuses.
http::status status_of(registry_errc code) {
  switch (code) {
    case registry_errc::bad_request: return http::status::bad_request;
    case registry_errc::unauthorized: return http::status::unauthorized;
    case registry_errc::forbidden: return http::status::forbidden;
    case registry_errc::not_found: return http::status::not_found;
    case registry_errc::conflict: return http::status::conflict;
    case registry_errc::precondition_failed: return http::status::precondition_failed;
    case registry_errc::payload_too_large: return http::status::payload_too_large;
    case registry_errc::unavailable: return http::status::service_unavailable;
  }
  return http::status::internal_server_error;
}

net::http_response error_response(const registry_error& e) { return net::json_error(status_of(e.code), e.message); }

net::http_response json_response(http::status status, const value& body, const std::string& etag = "") {
  net::http_response res{status, 11};
  res.set(http::field::content_type, json_type);
  if (!etag.empty()) res.set(http::field::etag, etag);
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

net::http_response no_content(const std::string& etag = "") {
  net::http_response res{http::status::no_content, 11};
  if (!etag.empty()) res.set(http::field::etag, etag);
  res.prepare_payload();
  return res;
}

net::http_response created_response(const created& c, const std::string& location) {
  auto res = json_response(http::status::created, object{{"id", c.id}}, c.version);
  res.set(http::field::location, location);
  return res;
}

registry_error bad_request(std::string message) { return {registry_errc::bad_request, std::move(message)}; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The JSON body; an empty body is `{}` where the API allows it.
registry_result<value> json_body(const net::http_request& req, bool empty_allowed) {
  const std::string& body = req.body();
  const auto type_header = req.find(http::field::content_type);
  if (body.empty()) {
    if (empty_allowed) return value(object{});
    return fail(bad_request("request body must not be empty"));
  }
  if (type_header == req.end()) return fail(bad_request("missing content type; the body must be application/json"));
  std::string_view type = type_header->value();
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (!iequals(type, "application/json")) {
    return fail(bad_request("unsupported content type " + std::string(type_header->value()) + "; use application/json"));
  }
  boost::system::error_code ec;
  value v = boost::json::parse(body, ec);
  if (ec) return fail(bad_request("request body is not valid JSON: " + ec.message()));
  return v;
}

std::optional<std::string> if_match(const net::http_request& req) {
  const auto h = req.find(http::field::if_match);
  if (h == req.end()) return std::nullopt;
  std::string_view v = h->value();
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v == "*" || v.empty()) return std::nullopt;
  return std::string(v);
}

registry_result<int> integer_param(std::string_view text, int min, int max, std::string_view name) {
  int n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n < min || n > max) {
    return fail(bad_request(std::string(name) + " must be an integer between " + std::to_string(min) + " and " +
                            std::to_string(max)));
  }
  return n;
}

registry_result<object> json_param(std::string_view text, std::string_view name) {
  boost::system::error_code ec;
  value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return fail(bad_request(std::string(name) + " must be a JSON object"));
  return std::move(v.as_object());
}

registry_result<search_query> search_params(const boost::urls::url_view& url, bool devices) {
  search_query q;
  for (const auto& p : url.params()) {
    if (p.key == "pageSize") {
      auto n = integer_param(p.value, 0, 200, "pageSize");
      if (!n) return fail(n.error());
      q.page_size = *n;
    } else if (p.key == "pageOffset") {
      auto n = integer_param(p.value, 0, std::numeric_limits<int>::max(), "pageOffset");
      if (!n) return fail(n.error());
      q.page_offset = *n;
    } else if (p.key == "filterJson") {
      auto o = json_param(p.value, "filterJson");
      if (!o) return fail(o.error());
      const value* field = o->if_contains("field");
      const value* v = o->if_contains("value");
      const value* op = o->if_contains("op");
      if (!field || !field->is_string() || !v || (!v->is_string() && !v->is_bool() && !v->is_number()) ||
          (op && (!op->is_string() || op->get_string() != "eq"))) {
        return fail(bad_request(R"(filterJson must be {"field": "<JSON pointer>", "op": "eq", "value": <boolean, number or string>})"));
      }
      q.filters.push_back({std::string(field->get_string()), *v});
    } else if (p.key == "sortJson") {
      auto o = json_param(p.value, "sortJson");
      if (!o) return fail(o.error());
      const value* field = o->if_contains("field");
      const value* direction = o->if_contains("direction");
      if (!field || !field->is_string() ||
          (direction && (!direction->is_string() || (direction->get_string() != "asc" && direction->get_string() != "desc")))) {
        return fail(bad_request(R"(sortJson must be {"field": "<JSON pointer>", "direction": "asc" | "desc"})"));
      }
      q.sort.push_back({std::string(field->get_string()), direction && direction->get_string() == "desc"});
    } else if (p.key == "isGateway" && devices) {
      if (p.value != "true" && p.value != "false") return fail(bad_request("isGateway must be true or false"));
      q.is_gateway = p.value == "true";
    }
  }
  return q;
}

object tenant_with_id(const tenant_record& t) {
  object o{{"id", t.id}};
  for (const auto& [k, v] : t.doc) o[k] = v;
  return o;
}

object device_body(const device_record& d) {
  object o = d.doc;
  object status{{"created", d.created}};
  if (d.updated) status["updated"] = *d.updated;
  o["status"] = std::move(status);
  return o;
}

object device_with_id(const device_record& d) {
  object o{{"id", d.id}};
  for (auto& [k, v] : device_body(d)) o[k] = v;
  return o;
}

template <typename Record, typename F>
net::http_response search_response(const registry_result<search_page<Record>>& page, F to_json) {
  if (!page) return error_response(page.error());
  if (page->total == 0) return net::json_error(http::status::not_found, "no matching entries");
  boost::json::array items;
  for (const auto& r : page->items) items.push_back(to_json(r));
  return json_response(http::status::ok, object{{"total", page->total}, {"result", std::move(items)}});
}

template <typename T>
net::http_response or_error(const registry_result<T>& r, net::http_response ok) {
  return r ? std::move(ok) : error_response(r.error());
}

}  // namespace

bool management_api::authorized(const net::http_request& req) const {
  if (!authentication_required()) return true;
  const auto h = req.find(http::field::authorization);
  if (h == req.end()) return false;
  std::string_view v = h->value();
  if (!options_.bearer_token.empty() && v.size() > 7 && iequals(v.substr(0, 7), "Bearer ")) {
    const std::string_view token = v.substr(7);
    return token.size() == options_.bearer_token.size() &&
           CRYPTO_memcmp(token.data(), options_.bearer_token.data(), token.size()) == 0;
  }
  if (!options_.basic_users.empty() && v.size() > 6 && iequals(v.substr(0, 6), "Basic ")) {
    auto decoded = base64_decode(v.substr(6));
    if (!decoded) return false;
    bool match = false;
    std::string_view users = options_.basic_users;
    for (std::size_t pos = 0; pos < users.size();) {
      const auto end = std::min(users.find(',', pos), users.size());
      const std::string_view pair = users.substr(pos, end - pos);
      // Compare every entry, constant-time per entry, so timing does not tell which user exists.
      if (pair.size() == decoded->size() && CRYPTO_memcmp(pair.data(), decoded->data(), pair.size()) == 0) match = true;
      pos = end + 1;
    }
    return match;
  }
  return false;
}

net::http_response management_api::handle(const net::http_request& req) {
  if (!authorized(req)) {
    auto res = net::json_error(http::status::unauthorized, "authentication required");
    res.set(http::field::www_authenticate, options_.basic_users.empty() ? "Bearer" : "Basic realm=\"Hono\"");
    return res;
  }
  auto parsed = boost::urls::parse_origin_form(req.target());
  if (!parsed) return net::json_error(http::status::bad_request, "malformed request target");
  const boost::urls::url_view url = *parsed;
  std::vector<std::string> seg;
  for (auto s : url.segments()) seg.push_back(s);
  const auto method = req.method();
  auto not_allowed = [] { return net::json_error(http::status::method_not_allowed, "method not allowed"); };
  if (seg.size() < 2 || seg[0] != "v1") return net::json_error(http::status::not_found, "no such resource");
  const std::string& kind = seg[1];

  if (kind == "tenants" && seg.size() == 2) {
    if (method == http::verb::post) {
      auto body = json_body(req, true);
      if (!body) return error_response(body.error());
      auto c = management_.create_tenant(std::nullopt, *body);
      return c ? created_response(*c, "/v1/tenants/" + c->id) : error_response(c.error());
    }
    if (method == http::verb::get) {
      auto q = search_params(url, false);
      if (!q) return error_response(q.error());
      return search_response(management_.find_tenants(*q), tenant_with_id);
    }
    return not_allowed();
  }
  if (kind == "tenants" && seg.size() == 3) {
    const std::string& id = seg[2];
    switch (method) {
      case http::verb::post: {
        auto body = json_body(req, true);
        if (!body) return error_response(body.error());
        auto c = management_.create_tenant(id, *body);
        return c ? created_response(*c, "/v1/tenants/" + c->id) : error_response(c.error());
      }
      case http::verb::get: {
        auto t = management_.read_tenant(id);
        return t ? json_response(http::status::ok, t->doc, t->version) : error_response(t.error());
      }
      case http::verb::put: {
        auto body = json_body(req, true);
        if (!body) return error_response(body.error());
        auto v = management_.update_tenant(id, *body, if_match(req));
        return v ? no_content(*v) : error_response(v.error());
      }
      case http::verb::delete_: {
        auto r = management_.delete_tenant(id, if_match(req));
        return or_error(r, no_content());
      }
      default: return not_allowed();
    }
  }
  if (kind == "devices" && seg.size() == 3) {
    const std::string& tenant = seg[2];
    switch (method) {
      case http::verb::post: {
        auto body = json_body(req, true);
        if (!body) return error_response(body.error());
        auto c = management_.create_device(tenant, std::nullopt, *body);
        return c ? created_response(*c, "/v1/devices/" + tenant + "/" + c->id) : error_response(c.error());
      }
      case http::verb::get: {
        auto q = search_params(url, true);
        if (!q) return error_response(q.error());
        return search_response(management_.find_devices(tenant, *q), device_with_id);
      }
      case http::verb::delete_: return or_error(management_.delete_all_devices(tenant), no_content());
      default: return not_allowed();
    }
  }
  if (kind == "devices" && seg.size() == 4) {
    const std::string& tenant = seg[2];
    const std::string& id = seg[3];
    switch (method) {
      case http::verb::post: {
        auto body = json_body(req, true);
        if (!body) return error_response(body.error());
        auto c = management_.create_device(tenant, id, *body);
        return c ? created_response(*c, "/v1/devices/" + tenant + "/" + c->id) : error_response(c.error());
      }
      case http::verb::get: {
        auto d = management_.read_device(tenant, id);
        return d ? json_response(http::status::ok, device_body(*d), d->version) : error_response(d.error());
      }
      case http::verb::put: {
        auto body = json_body(req, true);
        if (!body) return error_response(body.error());
        auto v = management_.update_device(tenant, id, *body, if_match(req));
        return v ? no_content(*v) : error_response(v.error());
      }
      case http::verb::delete_: return or_error(management_.delete_device(tenant, id, if_match(req)), no_content());
      default: return not_allowed();
    }
  }
  if (kind == "credentials" && seg.size() == 4) {
    const std::string& tenant = seg[2];
    const std::string& device = seg[3];
    switch (method) {
      case http::verb::get: {
        auto c = management_.read_credentials(tenant, device);
        return c ? json_response(http::status::ok, public_credentials(c->credentials), c->version)
                 : error_response(c.error());
      }
      case http::verb::put: {
        auto body = json_body(req, false);
        if (!body) return error_response(body.error());
        auto v = management_.update_credentials(tenant, device, *body, if_match(req));
        return v ? no_content(*v) : error_response(v.error());
      }
      default: return not_allowed();
    }
  }
  return net::json_error(http::status::not_found, "no such resource");
}

}  // namespace tributary::registry
